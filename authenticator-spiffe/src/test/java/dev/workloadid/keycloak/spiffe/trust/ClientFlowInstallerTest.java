package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.spiffe.testing.FakeRealm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.AuthenticationFlowModel;
import org.keycloak.models.RealmModel;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClientFlowInstallerTest {

    private static final String AUTHENTICATOR = "spiffe-jwt-svid";

    private FakeRealm realm;
    private RealmModel model;

    @BeforeEach
    void builtInClientsFlow() {
        realm = new FakeRealm("r1");
        model = realm.model();
        realm.builtInClientsFlow("client-secret", "client-jwt");
    }

    @Test
    void installsIntoACopyOfTheBuiltInFlowFirstAndAlternative() {
        assertThat(ClientFlowInstaller.ensureInstalled(model, AUTHENTICATOR)).isTrue();

        assertThat(realm.clientFlow.getAlias()).isEqualTo("clients with SPIFFE");
        List<AuthenticationExecutionModel> ours = ours(realm.clientFlow);
        assertThat(ours).hasSize(1);
        assertThat(ours.get(0).getRequirement()).isEqualTo(Requirement.ALTERNATIVE);
        assertThat(ours.get(0).getPriority()).isLessThan(10);
    }

    @Test
    void secondInstallChangesNothing() {
        ClientFlowInstaller.ensureInstalled(model, AUTHENTICATOR);
        int executions = realm.executions.size();

        assertThat(ClientFlowInstaller.ensureInstalled(model, AUTHENTICATOR)).isFalse();
        assertThat(realm.executions).hasSize(executions);
    }

    @Test
    void aDisabledExecutionIsLeftDisabledAndNotDuplicated() {
        ClientFlowInstaller.ensureInstalled(model, AUTHENTICATOR);
        ours(realm.clientFlow).get(0).setRequirement(Requirement.DISABLED);
        int executions = realm.executions.size();

        // What saving any trust domain does (TrustDomainPageFactory.onUpdate).
        assertThat(ClientFlowInstaller.ensureInstalled(model, AUTHENTICATOR)).isFalse();

        assertThat(realm.executions).hasSize(executions);
        assertThat(ours(realm.clientFlow)).singleElement()
                .extracting(AuthenticationExecutionModel::getRequirement).isEqualTo(Requirement.DISABLED);
        assertThat(ClientFlowInstaller.contains(model, realm.clientFlow, AUTHENTICATOR))
                .as("a disabled execution does not count as active (discovery metadata)").isFalse();
    }

    @Test
    void aDisabledExecutionInACustomFlowIsLeftAlone() {
        AuthenticationFlowModel custom = new AuthenticationFlowModel();
        custom.setAlias("my clients");
        custom.setTopLevel(true);
        custom.setProviderId("client-flow");
        realm.clientFlow = realm.addFlow(custom);
        execution(custom, "client-secret", Requirement.ALTERNATIVE, 10);
        execution(custom, AUTHENTICATOR, Requirement.DISABLED, 20);

        assertThat(ClientFlowInstaller.ensureInstalled(model, AUTHENTICATOR)).isFalse();

        assertThat(realm.clientFlow).isSameAs(custom);
        assertThat(ours(custom)).singleElement()
                .extracting(AuthenticationExecutionModel::getRequirement).isEqualTo(Requirement.DISABLED);
    }

    private List<AuthenticationExecutionModel> ours(AuthenticationFlowModel flow) {
        return realm.executions.stream()
                .filter(e -> e.getParentFlow().equals(flow.getId()) && AUTHENTICATOR.equals(e.getAuthenticator()))
                .toList();
    }

    private void execution(AuthenticationFlowModel flow, String authenticator, Requirement requirement, int priority) {
        AuthenticationExecutionModel e = new AuthenticationExecutionModel();
        e.setParentFlow(flow.getId());
        e.setAuthenticator(authenticator);
        e.setRequirement(requirement);
        e.setPriority(priority);
        realm.executions.add(e);
    }
}
