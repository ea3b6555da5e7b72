package dev.workloadid.keycloak.it.spiffe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.fixtures.LoopbackHttpsServer;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import dev.workloadid.keycloak.it.harness.TestClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertTokenFor;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pack beside stock Keycloak's own SPIFFE support (feature spiffe: identity provider +
 * federated-jwt), in one realm: each authenticator serves its own clients, and the pack never
 * swallows a JWT-SVID that belongs to the stock one. The test server runs with --features=spiffe.
 */
@ExtendWith(KeycloakExtension.class)
class SpiffeCoexistenceIT {

    private static String realm;
    private static String issuer;
    private static LoopbackHttpsServer server;
    private static SpiffeTestAuthority packDomain;
    private static SpiffeTestAuthority stockDomain;

    @BeforeAll
    static void setUp(AdminClient admin) {
        server = new LoopbackHttpsServer(TestCa.shared());
        packDomain = new SpiffeTestAuthority("coexist-pack.test").serveOn(server, "bundles.td-one.test", "/coexist/pack");
        stockDomain = new SpiffeTestAuthority("coexist-stock.test").serveOn(server, "bundles.td-two.test", "/coexist/stock");
        realm = admin.createRealm("spiffe-coexist");
        issuer = admin.realmUrl(realm).toString();
        Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.httpsWeb(packDomain)
                .registrationFree(null, packDomain.spiffeId("/*")));
        Spiffe.createSpiffeClient(admin, realm, "pack-client", packDomain.spiffeId("/svc"));

        for (SpiffeTestAuthority domain : new SpiffeTestAuthority[] {stockDomain, packDomain}) {
            ObjectNode idp = Http.JSON.createObjectNode().put("alias", "stock-" + domain.trustDomain().replace('.', '-'))
                    .put("providerId", "spiffe").put("enabled", true);
            idp.putObject("config").put("trustDomain", "spiffe://" + domain.trustDomain())
                    .put("bundleEndpoint", domain.bundleEndpointUrl().toString());
            AdminClient.expect(admin.post("/realms/" + realm + "/identity-provider/instances", idp), 201);
        }
        // A stock client in a trust domain only stock knows, and one in the pack's trust domain.
        stockClient(admin, "stock-client", "stock-coexist-stock-test", stockDomain.spiffeId("/svc"));
        stockClient(admin, "stock-in-pack-domain", "stock-coexist-pack-test", packDomain.spiffeId("/legacy"));
        ensureFederatedJwtInFlow(admin);
    }

    private static void stockClient(AdminClient admin, String clientId, String idpAlias, String spiffeId) {
        ObjectNode client = TestClients.serviceClient(clientId, "federated-jwt");
        client.putObject("attributes").put("jwt.credential.issuer", idpAlias).put("jwt.credential.sub", spiffeId);
        admin.createClient(realm, client);
    }

    /** New realms may not list federated-jwt in the client flow; add it (the pack's copy is editable). */
    private static void ensureFederatedJwtInFlow(AdminClient admin) {
        String flow = admin.getJson("/realms/" + realm).get("clientAuthenticationFlow").asText();
        String path = "/realms/" + realm + "/authentication/flows/" + flow.replace(" ", "%20") + "/executions";
        boolean present = false;
        for (JsonNode execution : admin.getJson(path)) {
            present |= "federated-jwt".equals(execution.path("providerId").asText());
        }
        if (!present) {
            AdminClient.expect(admin.post(path + "/execution", Http.JSON.createObjectNode().put("provider", "federated-jwt")), 201);
        }
        for (JsonNode execution : admin.getJson(path)) {
            if ("federated-jwt".equals(execution.path("providerId").asText())) {
                ((ObjectNode) execution).put("requirement", "ALTERNATIVE");
                assertThat(admin.put(path, execution).status()).isIn(202, 204);
            }
        }
    }

    @AfterAll
    static void tearDown(AdminClient admin) {
        Spiffe.cleanUp(admin, realm, server);
    }

    @Test
    void packClientAuthenticatesWithThePack(AdminClient admin) {
        assertTokenFor(token(admin, realm, packDomain.svid("/svc").audience(issuer).sign()), "pack-client");
    }

    @Test
    void stockClientInAnUnknownTrustDomainIsLeftToFederatedJwt(AdminClient admin) {
        assertTokenFor(token(admin, realm, stockDomain.svid("/svc").audience(issuer).randomJti().sign()), "stock-client");
    }

    @Test
    void stockClientInThePacksTrustDomainIsNotTakenOverNorAutoRegistered(AdminClient admin) {
        // The pack trusts this domain and allows registration-free clients for all of it, but the
        // SPIFFE ID is bound to a federated-jwt client: that client gets the token, no new client.
        assertTokenFor(token(admin, realm, packDomain.svid("/legacy").audience(issuer).randomJti().sign()),
                "stock-in-pack-domain");
        assertThat(Spiffe.clientsWithClientId(admin, realm, packDomain.spiffeId("/legacy"))).isEmpty();
    }
}
