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
import java.util.ArrayList;
import java.util.List;
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
    void registrationFreeWorkloadGetsATokenWithTheDemoScript(AdminClient admin) throws Exception {
        String spiffeId = "spiffe://demo.local/ns/demo/sa/it-" + UUID.randomUUID().toString().substring(0, 6);
        Http.Response response = spiffeToken(admin, mint(spiffeId, admin.realmUrl(realm).toString()));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(admin.getJson("/realms/" + realm + "/clients?clientId=" + spiffeId).get(0)
                .get("attributes").get("spiffe.registration").asText()).isEqualTo("registration-free");
    }

    @Test
    void agentMatchesThePatternClient(AdminClient admin) throws Exception {
        Http.Response response = spiffeToken(admin,
                mint("spiffe://demo.local/ns/demo/agents/planner", admin.realmUrl(realm).toString()));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        String token = response.json().get("access_token").asText();
        String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(Http.JSON.readTree(payload).get("azp").asText()).isEqualTo("demo-agents");
    }

    @Test
    void workloadRegistersItselfWithItsJwtSvidThenGetsAToken(AdminClient admin) throws Exception {
        String spiffeId = "spiffe://demo.local/ns/demo/registered/it-" + UUID.randomUUID().toString().substring(0, 6);
        String endpoint = admin.realmUrl(realm) + "/clients-registrations/rfc7591";
        Http.Response registered = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoint))
                .header("Authorization", "Bearer " + mint(spiffeId, endpoint))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"client_name\":\"demo agent\"}")).build());
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        assertThat(registered.json().get("spiffe_id").asText()).isEqualTo(spiffeId);
        String clientId = registered.json().get("client_id").asText();

        Http.Response response = spiffeToken(admin, mint(spiffeId, admin.realmUrl(realm).toString()));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        String payload = new String(java.util.Base64.getUrlDecoder().decode(
                response.json().get("access_token").asText().split("\\.")[1]));
        assertThat(Http.JSON.readTree(payload).get("azp").asText()).isEqualTo(clientId);
    }

    @Test
    void workloadOutsideTheAllowListIsInvalidClient(AdminClient admin) throws Exception {
        Http.Response response = spiffeToken(admin, mint("spiffe://demo.local/ns/other/x", admin.realmUrl(realm).toString()));
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.json().get("error").asText()).isEqualTo("invalid_client");
        assertThat(response.json().get("error_description").asText()).contains("spiffe://demo.local/ns/other/x");
    }

    @Test
    void importedRealmListsTheReservedUrlClientIdPolicyBesideKeycloaksDefaults(AdminClient admin) {
        // The JSON lists no policy: Keycloak adds its default set on import, and the pack's realm set-up
        // adds the reserved-URL policy for the CIMD settings entry, as saving that entry in the console does.
        List<String> policies = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/components?type=org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy")
                .forEach(c -> policies.add(c.path("subType").asText() + "/" + c.path("providerId").asText()));
        assertThat(policies).contains("anonymous/wi-cimd-reserved-client-ids", "authenticated/wi-cimd-reserved-client-ids",
                "anonymous/trusted-hosts", "anonymous/consent-required", "anonymous/scope", "anonymous/max-clients",
                "anonymous/allowed-protocol-mappers", "authenticated/allowed-protocol-mappers",
                "anonymous/allowed-client-templates", "authenticated/allowed-client-templates");
    }

    private static Http.Response spiffeToken(AdminClient admin, String svid) {
        return Http.postForm(admin.tokenEndpoint(realm), Http.form(
                "grant_type", "client_credentials",
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe",
                "client_assertion", svid));
    }

    /** The README's demo script, as a user runs it. */
    private static String mint(String spiffeId, String audience) throws Exception {
        Path script = HarnessConfig.fromSystemProperties().confDir().resolve("demo-authority/mint-jwt-svid.sh");
        Process process = new ProcessBuilder("bash", script.toString(), spiffeId, audience).start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        String err = new String(process.getErrorStream().readAllBytes());
        assertThat(process.waitFor()).as(err).isZero();
        return out;
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
