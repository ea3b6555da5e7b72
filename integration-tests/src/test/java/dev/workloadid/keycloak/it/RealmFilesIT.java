package dev.workloadid.keycloak.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.HarnessConfig;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import dev.workloadid.keycloak.it.harness.KeycloakServers;
import dev.workloadid.keycloak.it.spiffe.Spiffe;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A realm that arrives as a file holds only what an administrator writes: the pack's realm components
 * (a SPIFFE trust domain, the CIMD settings) and a SPIFFE client. Whatever saving those entries in the
 * admin console adds (both SPIFFE authenticators in the client authentication flow, the CIMD client
 * lookup component, the wi-spiffe-binding and wi-cimd-reserved-client-ids registration policies) is
 * added for each way a realm file reaches Keycloak: {@code POST /admin/realms} with the full
 * representation, {@code --import-realm} at start, and {@code partialImport} of SPIFFE clients into a
 * realm whose flow lost the authenticators. The result works: JWT-SVID tokens (SCA-01) and
 * {@code spiffe_jwt} in discovery (SCA-41).
 */
@ExtendWith(KeycloakExtension.class)
class RealmFilesIT {

    private static final String POLICY_TYPE = "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy";
    private static final String CLIENT = "svc";

    private final SpiffeTestAuthority authority = new SpiffeTestAuthority("realm-files.test");

    /** The realm file: components and one SPIFFE client, no flows and no policies. */
    private ObjectNode realmFile(String name, boolean withClient) {
        ObjectNode realm = Http.JSON.createObjectNode().put("realm", name).put("enabled", true);
        ArrayNode pages = realm.putObject("components").putArray("org.keycloak.services.ui.extend.UiPageProvider");
        ObjectNode trustDomain = pages.addObject().put("name", authority.trustDomain()).put("providerId", "spiffe-trust-domain");
        ObjectNode tdConfig = trustDomain.putObject("config");
        tdConfig.putArray("trustDomain").add(authority.trustDomain());
        tdConfig.putArray("bundleSource").add("static");
        tdConfig.putArray("staticBundle").add(authority.bundleJson());
        ObjectNode cimd = pages.addObject().put("name", "URL client IDs").put("providerId", "wi-cimd-settings");
        cimd.putObject("config").putArray("enabled").add("true");
        if (withClient) {
            realm.putArray("clients").add(Spiffe.spiffeClient(CLIENT, authority.spiffeId("/svc")));
        }
        return realm;
    }

    @Test
    void sca01_sca41_fullRepresentationCreateGetsWhatTheConsoleSaveAdds(AdminClient admin) {
        String realm = admin.importRealm(realmFile("files-post-" + suffix(), true));
        try {
            assertCompleteAsTheConsole(admin, realm);
        } finally {
            admin.deleteRealm(realm);
        }
    }

    @Test
    void sca01_sca41_partialImportOfASpiffeClientPutsBackTheFlowAndPolicies(AdminClient admin) {
        String realm = admin.importRealm(realmFile("files-partial-" + suffix(), false));
        try {
            // A later realm update (keycloak-config-cli applying "clientAuthenticationFlow": "clients", an
            // administrator cleaning up) leaves the trust domain without its flow binding and policy.
            AdminClient.expect(admin.put("/realms/" + realm,
                    Http.JSON.createObjectNode().put("clientAuthenticationFlow", "clients")), 204);
            for (JsonNode policy : admin.getJson("/realms/" + realm + "/components?type=" + POLICY_TYPE)) {
                if ("wi-spiffe-binding".equals(policy.path("providerId").asText())) {
                    AdminClient.expect(admin.delete("/realms/" + realm + "/components/" + policy.path("id").asText()), 204);
                }
            }
            assertThat(authMethods(admin, realm)).doesNotContain("spiffe_jwt");

            ObjectNode partial = Http.JSON.createObjectNode().put("ifResourceExists", "FAIL");
            partial.putArray("clients").add(Spiffe.spiffeClient(CLIENT, authority.spiffeId("/svc")));
            // Unlike a full import, partial import creates no service-account user for a client: an
            // export lists it among the users, and so does this file.
            partial.putArray("users").addObject().put("username", "service-account-" + CLIENT)
                    .put("serviceAccountClientId", CLIENT).put("enabled", true);
            AdminClient.expect(admin.post("/realms/" + realm + "/partialImport", partial), 200);

            assertCompleteAsTheConsole(admin, realm);
        } finally {
            admin.deleteRealm(realm);
        }
    }

    @Test
    void sca01_sca41_importRealmAtStartGetsWhatTheConsoleSaveAdds() throws Exception {
        HarnessConfig config = HarnessConfig.fromSystemProperties();
        Assumptions.assumeTrue(config.dedicatedDistAllowed(),
                "--import-realm needs a dedicated Keycloak from the distribution (backend dist or auto)");
        String realm = "files-import-" + suffix();
        Path file = config.workDir().resolve("realm-files").resolve(realm + "-realm.json");
        Files.createDirectories(file.getParent());
        Http.JSON.writeValue(file.toFile(), realmFile(realm, true));
        try (KeycloakServer server = KeycloakServers.startDedicatedDistImporting(config, "realm-files", List.of(file))) {
            assertCompleteAsTheConsole(new AdminClient(server), realm);
        }
    }

    /** What the console's saves of the trust domain and the CIMD settings leave in the realm, and that it works. */
    private void assertCompleteAsTheConsole(AdminClient admin, String realm) {
        assertThat(admin.getJson("/realms/" + realm).path("clientAuthenticationFlow").asText()).isEqualTo("clients with SPIFFE");
        List<String> authenticators = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/authentication/flows/clients%20with%20SPIFFE/executions")
                .forEach(e -> authenticators.add(e.path("providerId").asText()));
        assertThat(authenticators).as("each SPIFFE authenticator once, before the stock ones")
                .containsOnlyOnce("spiffe-jwt-svid", "spiffe-x509-svid").contains("client-secret", "client-jwt");

        List<String> policies = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/components?type=" + POLICY_TYPE)
                .forEach(c -> policies.add(c.path("subType").asText() + "/" + c.path("providerId").asText()));
        assertThat(policies).containsOnlyOnce("anonymous/wi-cimd-reserved-client-ids", "authenticated/wi-cimd-reserved-client-ids",
                        "anonymous/wi-spiffe-binding", "authenticated/wi-spiffe-binding")
                .as("Keycloak's default registration policies are kept").contains("anonymous/trusted-hosts", "anonymous/max-clients");

        List<String> lookups = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/components?type=org.keycloak.storage.client.ClientStorageProvider")
                .forEach(c -> lookups.add(c.path("providerId").asText()));
        assertThat(lookups).containsExactly("wi-cimd");

        assertThat(authMethods(admin, realm)).contains("spiffe_jwt", "spiffe_x509");
        String svid = authority.svid("/svc").audience(admin.realmUrl(realm).toString()).sign();
        Spiffe.assertTokenFor(Spiffe.token(admin, realm, svid), CLIENT);
    }

    private static List<String> authMethods(AdminClient admin, String realm) {
        JsonNode discovery = AdminClient.expect(Http.get(admin.realmUrl(realm).resolve(
                "/realms/" + realm + "/.well-known/openid-configuration")), 200).json();
        List<String> methods = new ArrayList<>();
        discovery.path("token_endpoint_auth_methods_supported").forEach(m -> methods.add(m.asText()));
        return methods;
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
