package dev.workloadid.keycloak.common.keycloak;

import org.junit.jupiter.api.Test;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RealmSetupTest {

    private final List<String> reconciled = new ArrayList<>();
    private final RealmSetup setup = new RealmSetup("test") {
        @Override
        public void reconcile(KeycloakSession session, RealmModel realm) {
            reconciled.add(realm.getName());
        }

        @Override
        protected boolean concerns(ClientModel client) {
            return "spiffe".equals(client.getClientAuthenticatorType());
        }
    };
    private final KeycloakSession session = session();
    private final RealmModel realm = realm("r1");

    @Test
    void aCreatedOrImportedRealmIsReconciledOnceItsCreationIsComplete() {
        setup.onEvent(null, creation(realm));
        // The import creates clients before it binds flows and adds the default registration policies.
        setup.onEvent(null, clientUpdated(client(realm, "spiffe")));
        assertThat(reconciled).isEmpty();

        setup.onEvent(null, postCreate(realm));
        assertThat(reconciled).containsExactly("r1");
    }

    @Test
    void aClientOfTheModuleChangedLaterReconcilesItsRealmOthersDoNot() {
        setup.onEvent(null, clientUpdated(client(realm, "client-secret")));
        assertThat(reconciled).isEmpty();

        setup.onEvent(null, clientUpdated(client(realm, "spiffe")));
        assertThat(reconciled).containsExactly("r1");
    }

    private RealmModel.RealmCreationEvent creation(RealmModel created) {
        return event(RealmModel.RealmCreationEvent.class, created);
    }

    private RealmModel.RealmPostCreateEvent postCreate(RealmModel created) {
        return event(RealmModel.RealmPostCreateEvent.class, created);
    }

    private ClientModel.ClientUpdatedEvent clientUpdated(ClientModel client) {
        return event(ClientModel.ClientUpdatedEvent.class, client);
    }

    /** An event of {@code type} about {@code subject} (the created realm or the updated client) in {@link #session}. */
    private <T> T event(Class<T> type, Object subject) {
        return type.cast(Proxy.newProxyInstance(RealmSetupTest.class.getClassLoader(), new Class<?>[]{type},
                (proxy, method, args) -> method.getName().equals("getKeycloakSession") ? session : subject));
    }

    private static KeycloakSession session() {
        Map<String, Object> attributes = new HashMap<>();
        return (KeycloakSession) Proxy.newProxyInstance(RealmSetupTest.class.getClassLoader(),
                new Class<?>[]{KeycloakSession.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "removeAttribute" -> attributes.remove((String) args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static RealmModel realm(String name) {
        return (RealmModel) Proxy.newProxyInstance(RealmSetupTest.class.getClassLoader(),
                new Class<?>[]{RealmModel.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> "id-" + name;
                    case "getName" -> name;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static ClientModel client(RealmModel realm, String authenticator) {
        return (ClientModel) Proxy.newProxyInstance(RealmSetupTest.class.getClassLoader(),
                new Class<?>[]{ClientModel.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRealm" -> realm;
                    case "getClientAuthenticatorType" -> authenticator;
                    case "getClientId" -> "c1";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
