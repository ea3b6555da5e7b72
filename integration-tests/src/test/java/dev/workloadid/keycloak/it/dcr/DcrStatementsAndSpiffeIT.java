package dev.workloadid.keycloak.it.dcr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.workloadid.keycloak.it.fixtures.LoopbackHttpsServer;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Software statements from a jwks_uri issuer (fetched through the SSRF-safe fetcher) signed by the
 * trusted, an untrusted and a tampered key; SPIFFE-attested registration with a JWT-SVID bearer,
 * followed by a jwt-spiffe token request of the new client.
 */
@ExtendWith(KeycloakExtension.class)
class DcrStatementsAndSpiffeIT {

    private static final String ISS = "https://statements.issuer.test";
    private static final String TD = "td-one.test";
    private static String realm;
    private static URI endpoint;
    private static LoopbackHttpsServer issuerHost;
    private static final ECKey ISSUER_KEY = Dcr.newKey("iss-1");
    private static final ECKey ROGUE_KEY = Dcr.newKey("iss-1");
    private static final ECKey SPIFFE_KEY = Dcr.newKey("k1");

    @BeforeAll
    static void realm(AdminClient admin) {
        realm = admin.createRealm("dcr-stmt");
        endpoint = Dcr.endpoint(admin, realm);
        Dcr.removePolicy(admin, realm, "anonymous", "trusted-hosts");
        Dcr.addPolicy(admin, realm, "anonymous", "wi-software-statement", Map.of("required", List.of("true")));
        issuerHost = new LoopbackHttpsServer(TestCa.shared()).json("/jwks", () -> Dcr.jwks(ISSUER_KEY));
        Dcr.addComponent(admin, realm, "org.keycloak.services.ui.extend.UiPageProvider", "dcr-statement-issuer", Map.of(
                "issuer", List.of(ISS), "keySource", List.of("jwks_uri"),
                "jwksUri", List.of(issuerHost.url("statements.issuer.test", "/jwks").toString())));
        Dcr.addComponent(admin, realm, "org.keycloak.services.ui.extend.UiPageProvider", "spiffe-trust-domain", Map.of(
                "trustDomain", List.of(TD), "bundleSource", List.of("static"), "staticBundle", List.of(Dcr.spiffeBundle(SPIFFE_KEY)),
                // Workloads under /ns/prod/ may register themselves; others may not (off by default).
                "attestedRegistration", List.of("true"), "attestedRegistrationAllowList", List.of("spiffe://" + TD + "/ns/prod/*")));
    }

    @AfterAll
    static void stop() {
        issuerHost.close();
    }

    private static String statement(ECKey key) {
        return Dcr.sign(key, Map.of("iss", ISS, "software_id", "signed-app", "software_version", "1.0",
                "client_name", "Name from statement", "token_endpoint_auth_method", "none",
                "application_type", "native"));
    }

    private static ObjectNode request(String statement) {
        ObjectNode m = Dcr.metadata("http://127.0.0.1:7000/cb");
        m.put("client_name", "Name from request");
        m.put("token_endpoint_auth_method", "none");
        m.put("software_statement", statement);
        return m;
    }

    @Test
    void dcr13_trustedStatementAcceptedClaimsWinAndStatementEchoedUnmodified() {
        String st = statement(ISSUER_KEY);
        Http.Response r = Dcr.post(endpoint, request(st), null);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode c = r.json();
        assertThat(c.get("software_statement").asText()).isEqualTo(st);
        assertThat(c.get("client_name").asText()).isEqualTo("Name from statement");
        assertThat(c.get("software_id").asText()).isEqualTo("signed-app");
        assertThat(c.get("software_version").asText()).isEqualTo("1.0");
        assertThat(issuerHost.hits("/jwks")).isPositive();
    }

    @Test
    void dcr09_statementByUntrustedKeyIsInvalid(AdminClient admin) {
        int before = Dcr.clientCount(admin, realm);
        Http.Response r = Dcr.post(endpoint, request(statement(ROGUE_KEY)), null);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo("invalid_software_statement");
        assertThat(Dcr.clientCount(admin, realm)).isEqualTo(before);
    }

    @Test
    void dcr09_tamperedStatementIsInvalid() {
        String[] parts = statement(ISSUER_KEY).split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"iss\":\"" + ISS + "\",\"software_id\":\"evil\"}").getBytes());
        Http.Response r = Dcr.post(endpoint, request(parts[0] + "." + forged + "." + parts[2]), null);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo("invalid_software_statement");
    }

    @Test
    void dcr09_unknownIssuerIsUnapproved() {
        String st = Dcr.sign(ISSUER_KEY, Map.of("iss", "https://unknown.example", "software_id", "x"));
        Http.Response r = Dcr.post(endpoint, request(st), null);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo("unapproved_software_statement");
    }

    @Test
    void policy_statementRequired() {
        ObjectNode m = Dcr.metadata("http://127.0.0.1:7000/cb");
        m.put("token_endpoint_auth_method", "none");
        Http.Response r = Dcr.post(endpoint, m, null);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo("invalid_client_metadata");
    }

    @Test
    void spiffeAttestedRegistrationOutsideTheAllowListOrForUsersIsRefused(AdminClient admin) {
        int before = Dcr.clientCount(admin, realm);
        Http.Response outside = Dcr.post(endpoint, Http.JSON.createObjectNode().put("client_name", "x"),
                Dcr.jwtSvid(SPIFFE_KEY, "spiffe://" + TD + "/ns/dev/sa/x", endpoint.toString()));
        assertThat(outside.status()).as(outside.body()).isEqualTo(401);
        assertThat(outside.body()).contains("attestedRegistration");
        ObjectNode userFacing = Http.JSON.createObjectNode().put("client_name", "phish");
        userFacing.putArray("grant_types").add("authorization_code");
        userFacing.putArray("redirect_uris").add("https://attacker.example/cb");
        Http.Response refused = Dcr.post(endpoint, userFacing,
                Dcr.jwtSvid(SPIFFE_KEY, "spiffe://" + TD + "/ns/prod/sa/phish", endpoint.toString()));
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("error").asText()).isEqualTo("invalid_client_metadata");
        assertThat(Dcr.clientCount(admin, realm)).isEqualTo(before);
    }

    @Test
    void spiffeAttestedRegistrationThenJwtSpiffeTokenRequest(AdminClient admin) {
        String spiffeId = "spiffe://" + TD + "/ns/prod/sa/payments";
        ObjectNode m = Http.JSON.createObjectNode().put("client_name", "payments");
        Http.Response r = Dcr.post(endpoint, m, Dcr.jwtSvid(SPIFFE_KEY, spiffeId, endpoint.toString()));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode c = r.json();
        assertThat(c.get("spiffe_id").asText()).isEqualTo(spiffeId);
        assertThat(c.get("token_endpoint_auth_method").asText()).isEqualTo("spiffe_jwt");
        assertThat(c.has("client_secret")).isFalse();
        String clientId = c.get("client_id").asText();

        // The same workload cannot register a second client for itself.
        Http.Response again = Dcr.post(endpoint, m, Dcr.jwtSvid(SPIFFE_KEY, spiffeId, endpoint.toString()));
        assertThat(again.status()).as(again.body()).isEqualTo(400);

        // An SVID for another audience (e.g. the token endpoint's) does not attest a registration.
        Http.Response wrongAud = Dcr.post(endpoint, m, Dcr.jwtSvid(SPIFFE_KEY, "spiffe://" + TD + "/other",
                admin.realmUrl(realm).toString()));
        assertThat(wrongAud.status()).as(wrongAud.body()).isEqualTo(401);

        Http.Response token = Http.postForm(admin.tokenEndpoint(realm), Http.form(
                "grant_type", "client_credentials",
                "client_id", clientId,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe",
                "client_assertion", Dcr.jwtSvid(SPIFFE_KEY, spiffeId, admin.realmUrl(realm).toString())));
        assertThat(token.status()).as(token.body()).isEqualTo(200);
        assertThat(token.json().get("access_token").asText()).isNotBlank();
    }
}
