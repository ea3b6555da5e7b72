package dev.workloadid.keycloak.it.dcr;

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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pack's registration endpoint authorizes a request (initial access token, Keycloak's anonymous
 * policies) before it acts on the body: a caller that may not register makes Keycloak fetch no
 * jwks_uri and no software statement issuer keys. Counted at the fixture host.
 */
@ExtendWith(KeycloakExtension.class)
class DcrAuthorizeFirstIT {

    private static final String ISS = "https://statements.issuer.test";
    private static final ECKey CLIENT_KEY = Dcr.newKey("c1");
    private static final ECKey ISSUER_KEY = Dcr.newKey("iss-1");
    private static String realm;
    private static URI endpoint;
    private static LoopbackHttpsServer keysHost;

    @BeforeAll
    static void realm(AdminClient admin) {
        // Keycloak's default policies: anonymous registration only from trusted hosts, and none are trusted.
        realm = admin.createRealm("dcr-authz");
        endpoint = Dcr.endpoint(admin, realm);
        keysHost = new LoopbackHttpsServer(TestCa.shared())
                .json("/client-jwks", () -> Dcr.jwks(CLIENT_KEY))
                .json("/issuer-jwks", () -> Dcr.jwks(ISSUER_KEY));
        Dcr.addComponent(admin, realm, "org.keycloak.services.ui.extend.UiPageProvider", "dcr-statement-issuer", Map.of(
                "issuer", List.of(ISS), "keySource", List.of("jwks_uri"),
                "jwksUri", List.of(keysHost.url("statements.issuer.test", "/issuer-jwks").toString())));
    }

    @AfterAll
    static void stop() {
        keysHost.close();
    }

    private static ObjectNode withJwksUri() {
        ObjectNode m = Dcr.metadata("https://app.example.com/cb");
        m.put("token_endpoint_auth_method", "private_key_jwt");
        m.put("jwks_uri", keysHost.url("statements.issuer.test", "/client-jwks").toString());
        m.put("software_statement", Dcr.sign(ISSUER_KEY, Map.of("iss", ISS, "software_id", "authz-app")));
        return m;
    }

    @Test
    void dcr_unauthorisedRegistrationFetchesNothing(AdminClient admin) {
        int before = Dcr.clientCount(admin, realm);
        String deletedToken = Dcr.initialAccessToken(admin, realm);
        for (var iat : admin.getJson("/realms/" + realm + "/clients-initial-access")) {
            AdminClient.expect(admin.delete("/realms/" + realm + "/clients-initial-access/" + iat.get("id").asText()), 204);
        }
        Map<String, String> callers = new java.util.LinkedHashMap<>();
        callers.put("anonymous, host not trusted", null);
        callers.put("bearer that is no token", "not-a-token");
        callers.put("initial access token deleted", deletedToken);
        callers.put("bearer JWT signed by nobody", Dcr.sign(Dcr.newKey("x"), Map.of("typ", "InitialAccessToken", "sub", "x")));
        for (Map.Entry<String, String> caller : callers.entrySet()) {
            Http.Response r = Dcr.post(endpoint, withJwksUri(), caller.getValue());
            assertThat(r.status()).as(caller.getKey() + ": " + r.body()).isBetween(400, 403);
            assertThat(r.json().path("error").asText()).as(caller.getKey())
                    .isIn("invalid_token", "insufficient_scope", "invalid_client_metadata");
        }
        assertThat(keysHost.hits("/client-jwks")).as("jwks_uri fetches by unauthorised callers").isZero();
        assertThat(keysHost.hits("/issuer-jwks")).as("statement issuer key fetches by unauthorised callers").isZero();
        assertThat(Dcr.clientCount(admin, realm)).isEqualTo(before);

        // The same request with a valid initial access token is read, fetched and registered.
        Http.Response ok = Dcr.post(endpoint, withJwksUri(), Dcr.initialAccessToken(admin, realm));
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        assertThat(keysHost.hits("/client-jwks")).isEqualTo(1);
        assertThat(keysHost.hits("/issuer-jwks")).isEqualTo(1);
    }
}
