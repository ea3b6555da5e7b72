package dev.workloadid.keycloak.it.cimd;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import dev.workloadid.keycloak.it.spiffe.Spiffe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A document client bound to SPIFFE authentication by its spiffe_id (SCA-08, SCA-50/51): a workload
 * authenticates as the URL client with its JWT-SVID, when it names the URL as client_id; the
 * document's binding is never used for a request that names no client (a document must not be able
 * to claim another workload's SPIFFE ID).
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CimdSpiffeIT {

    private static final String JWT_SPIFFE = "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe";

    private AdminClient admin;
    private String realm;
    private String issuer;
    private DocumentHost host;
    private SpiffeTestAuthority authority;

    @BeforeAll
    void setUp(AdminClient admin) {
        this.admin = admin;
        realm = admin.createRealm("cimd-spiffe");
        issuer = admin.realmUrl(realm).toString();
        authority = new SpiffeTestAuthority("cimd-spiffe.test");
        Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.staticBundle(authority));

        host = new DocumentHost(TestCa.shared());
        host.json("/agent.json", CimdIT.doc(host.url("/agent.json"), Map.of(
                "client_name", "SPIFFE agents", "grant_types", List.of("client_credentials"),
                "spiffe_id", "spiffe://" + authority.trustDomain() + "/agents/*")));
        // A workload document asks for client_credentials: the realm has to allow that explicitly.
        CimdRealms.configure(admin, realm, Map.of("allowedHosts", List.of(DocumentHost.HOST),
                "allowClientCredentials", List.of("true")));
    }

    @AfterAll
    void tearDown() {
        if (host != null) {
            host.close();
        }
        if (realm != null) {
            admin.deleteRealm(realm);
        }
    }

    private Http.Response token(String svid, String clientId) {
        Map<String, String> form = Http.form("grant_type", "client_credentials",
                "client_assertion_type", JWT_SPIFFE, "client_assertion", svid);
        if (clientId != null) {
            form.put("client_id", clientId);
        }
        return Http.postForm(admin.tokenEndpoint(realm), form);
    }

    @Test
    void sca08_workloadMatchingTheDocumentsSpiffeIdAuthenticatesAsTheUrlClient() {
        String url = host.url("/agent.json");
        Http.Response response = token(authority.svid(authority.spiffeId("/agents/planner")).audience(issuer).sign(), url);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    @Test
    void sca08_workloadOutsideTheDocumentsSpiffeIdIsRefused() {
        String url = host.url("/agent.json");
        Http.Response response = token(authority.svid(authority.spiffeId("/other/x")).audience(issuer).sign(), url);
        assertThat(response.status()).isIn(400, 401);
        assertThat(response.json().path("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void documentBindingIsNotUsedForRequestsThatNameNoClient() {
        // Make sure the document client exists, then send the same workload without client_id.
        String url = host.url("/agent.json");
        token(authority.svid(authority.spiffeId("/agents/planner")).audience(issuer).sign(), url);
        Http.Response response = token(authority.svid(authority.spiffeId("/agents/planner")).audience(issuer).sign(), null);
        assertThat(response.status()).isIn(400, 401);
        assertThat(response.json().path("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void sca08_documentsNamingAWorkloadsSpiffeIdCannotCrowdOutItsOwnRegistration() throws Exception {
        String victim = authority.spiffeId("/crowded/victim");
        admin.createClient(realm, Spiffe.spiffeClient("victim", victim));
        admin.createClient(realm, Spiffe.spiffeClient("catch-all", authority.spiffeId("/crowded/*")));
        // More document clients claiming the victim's exact ID than one search page holds; their
        // https:// client_ids sort before "victim".
        for (int i = 0; i < 12; i++) {
            String path = "/crowd-" + i + ".json";
            host.json(path, CimdIT.doc(host.url(path), Map.of("client_name", "crowd " + i,
                    "grant_types", List.of("client_credentials"), "spiffe_id", victim)));
            Http.Response named = token(authority.svid(victim).audience(issuer).sign(), host.url(path));
            assertThat(named.status()).as("document client %d: %s", i, named).isEqualTo(200);
        }
        JsonNode crowd = admin.getJson("/realms/" + realm + "/clients?clientId=" + host.url("/crowd-0.json")).get(0);
        assertThat(crowd.path("attributes").path("cimd.spiffe_id").asText()).isEqualTo(victim);
        assertThat(crowd.path("attributes").has("jwt.credential.sub"))
                .as("a document's spiffe_id never lands in the searchable binding").isFalse();

        Http.Response response = token(authority.svid(victim).audience(issuer).sign(), null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(SignedJWT.parse(response.json().path("access_token").asText()).getJWTClaimsSet()
                .getStringClaim("azp")).isEqualTo("victim");
    }
}
