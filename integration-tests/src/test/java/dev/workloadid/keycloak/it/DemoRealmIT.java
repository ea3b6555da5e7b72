package dev.workloadid.keycloak.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.HarnessConfig;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo realm shipped in keycloak-conf imports into a real Keycloak and works as the README says. */
@ExtendWith(KeycloakExtension.class)
class DemoRealmIT {

    private static String realm;

    @BeforeAll
    static void importDemoRealm(AdminClient admin) throws Exception {
        Path file = HarnessConfig.fromSystemProperties().confDir().resolve("realm/workload-demo-realm.json");
        ObjectNode representation = (ObjectNode) Http.JSON.readTree(file.toFile());
        // Same content, own name: test classes never share a realm.
        representation.put("realm", "demo-" + UUID.randomUUID().toString().substring(0, 8));
        realm = admin.importRealm(representation);
    }

    @AfterAll
    static void dropRealm(AdminClient admin) {
        admin.deleteRealm(realm);
    }

    @Test
    void demoServiceGetsATokenWithItsSecret(AdminClient admin) {
        Http.Response response = Http.postForm(admin.tokenEndpoint(realm), Http.form(
                "grant_type", "client_credentials",
                "client_id", "demo-service",
                "client_secret", "demo-service-secret-not-for-production"));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().get("token_type").asText()).isEqualToIgnoringCase("Bearer");
    }

    @Test
    void wrongSecretIsRefused(AdminClient admin) {
        Http.Response response = Http.postForm(admin.tokenEndpoint(realm), Http.form(
                "grant_type", "client_credentials",
                "client_id", "demo-service",
                "client_secret", "wrong"));
        // Stock 26.7 answers 401 unauthorized_client here; the pack does not change stock clients.
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.json().get("error").asText()).isIn("invalid_client", "unauthorized_client");
    }
}
