package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.spiffe.testing.FakeRealm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

import java.lang.reflect.Proxy;

import static org.assertj.core.api.Assertions.assertThat;

class TrustDomainRealmSetupTest {

    private final TrustDomainRealmSetup setup = new TrustDomainRealmSetup();
    private FakeRealm realm;

    @BeforeEach
    void realmWithTheBuiltInClientsFlow() {
        realm = new FakeRealm("r1");
        realm.builtInClientsFlow("client-secret");
    }

    @Test
    void aRealmWithoutTrustDomainsIsLeftAsItIs() {
        setup.reconcile(session(), realm.model());

        assertThat(realm.clientFlow.getAlias()).isEqualTo("clients");
        assertThat(realm.flows).hasSize(1);
    }

    @Test
    void aTrustDomainGetsBothAuthenticatorsOnceHoweverOftenItRuns() {
        realm.addComponent("td1", TrustDomainPageFactory.PROVIDER_TYPE, TrustDomainPageFactory.ID, "trustDomain", "example.org");

        setup.reconcile(session(), realm.model());
        setup.reconcile(session(), realm.model());

        assertThat(realm.clientFlow.getAlias()).isEqualTo("clients with SPIFFE");
        assertThat(realm.executions.stream().filter(e -> e.getParentFlow().equals(realm.clientFlow.getId()))
                .map(AuthenticationExecutionModel::getAuthenticator))
                .containsExactlyInAnyOrder("spiffe-x509-svid", "spiffe-jwt-svid", "client-secret");
    }

    /** A session whose server has no dcr-policy JAR (the binding policy is then not added). */
    private static KeycloakSession session() {
        KeycloakSessionFactory factory = (KeycloakSessionFactory) Proxy.newProxyInstance(
                TrustDomainRealmSetupTest.class.getClassLoader(), new Class<?>[]{KeycloakSessionFactory.class},
                (proxy, method, args) -> null);
        return (KeycloakSession) Proxy.newProxyInstance(TrustDomainRealmSetupTest.class.getClassLoader(),
                new Class<?>[]{KeycloakSession.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getKeycloakSessionFactory")) {
                        return factory;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
