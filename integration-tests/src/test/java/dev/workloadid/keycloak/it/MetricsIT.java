package dev.workloadid.keycloak.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.fixtures.LoopbackHttpsServer;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import dev.workloadid.keycloak.it.spiffe.Spiffe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pack's meters on Keycloak's own metrics endpoint ({@code --metrics-enabled=true}, management
 * interface {@code /metrics}), after real traffic: SVID authentications by method, outcome and reason;
 * trust bundle loads and age; CIMD fetches, negative cache hits and document clients; DCR requests by
 * operation and outcome. Labels carry realm names and codes, never SPIFFE IDs or URLs.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {

    private static final String DOCS = "other-client.docs.test";

    private KeycloakServer server;
    private AdminClient admin;
    private String realm;
    private LoopbackHttpsServer documents;
    private final SpiffeTestAuthority authority = new SpiffeTestAuthority("metrics.test");

    @BeforeAll
    void setUp(KeycloakServer server, AdminClient admin) {
        Assumptions.assumeTrue(server.managementUrl().isPresent(), "this backend exposes no management interface");
        this.server = server;
        this.admin = admin;
        realm = admin.createRealm("metrics");
        Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.staticBundle(authority));
        Spiffe.createSpiffeClient(admin, realm, "svc", authority.spiffeId("/svc"));
        documents = new LoopbackHttpsServer(TestCa.shared());
        String good = documents.url(DOCS, "/good.json").toString();
        documents.json("/good.json", () -> Http.JSON.createObjectNode().put("client_id", good).put("client_name", "metrics")
                .set("redirect_uris", Http.JSON.createArrayNode().add("https://app.test/cb")).toString());
        cimdSettings(admin, realm, DOCS);
    }

    @AfterAll
    void tearDown() {
        if (documents != null) {
            documents.close();
        }
        if (realm != null) {
            admin.deleteRealm(realm);
        }
    }

    @Test
    void svidAuthenticationsAreCountedByMethodOutcomeAndReason() {
        Map<String, String> success = Map.of("realm", realm, "method", "jwt", "outcome", "success");
        Map<String, String> expired = Map.of("realm", realm, "method", "jwt", "outcome", "rejected", "reason", "expired");
        double successBefore = value(scrape(), "wi_spiffe_authentications_total", success);
        double expiredBefore = value(scrape(), "wi_spiffe_authentications_total", expired);
        String issuer = admin.realmUrl(realm).toString();

        Spiffe.assertTokenFor(Spiffe.token(admin, realm, authority.svid("/svc").audience(issuer).sign()), "svc");
        Spiffe.assertInvalidClient(Spiffe.token(admin, realm,
                authority.svid("/svc").audience(issuer).expiresIn(Duration.ofMinutes(-5)).sign()));

        String metrics = scrape();
        assertThat(value(metrics, "wi_spiffe_authentications_total", success)).isEqualTo(successBefore + 1);
        assertThat(value(metrics, "wi_spiffe_authentications_total", expired)).isEqualTo(expiredBefore + 1);
        Map<String, String> bundle = Map.of("realm", realm, "trust_domain", "metrics.test");
        assertThat(value(metrics, "wi_spiffe_bundle_refreshes_total", Map.of("realm", realm, "trust_domain", "metrics.test",
                "outcome", "success"))).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "wi_spiffe_bundle_age_seconds", bundle)).isGreaterThanOrEqualTo(0);
        assertThat(metrics).as("no SPIFFE ID in any label").doesNotContain("spiffe://metrics.test");
    }

    @Test
    void cimdFetchesCacheHitsAndDocumentClientsAreCounted() {
        String good = documents.url(DOCS, "/good.json").toString();
        String missing = documents.url(DOCS, "/missing.json").toString();
        Map<String, String> rejected = Map.of("outcome", "rejected", "rule", "CIMD-11");
        double fetchedBefore = value(scrape(), "wi_cimd_fetches_total", Map.of("outcome", "success"));
        double rejectedBefore = value(scrape(), "wi_cimd_fetches_total", rejected);

        lookUp(good);
        lookUp(missing);
        lookUp(missing); // within the realm's failure retry time: answered from the remembered refusal

        String metrics = scrape();
        assertThat(value(metrics, "wi_cimd_fetches_total", Map.of("outcome", "success"))).isGreaterThanOrEqualTo(fetchedBefore + 1);
        assertThat(value(metrics, "wi_cimd_fetches_total", rejected)).isEqualTo(rejectedBefore + 1);
        assertThat(value(metrics, "wi_cimd_cache_hits_total", Map.of("realm", realm, "kind", "negative"))).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "wi_cimd_document_clients_created_total", Map.of("realm", realm))).isEqualTo(1);
        assertThat(metrics).as("no URL in any label").doesNotContain(DOCS);
    }

    @Test
    void dcrRegistrationsAreCountedByOperationAndOutcome() {
        URI endpoint = admin.realmUrl(realm).resolve("/realms/" + realm + "/clients-registrations/rfc7591");
        String token = admin.post("/realms/" + realm + "/clients-initial-access",
                Map.of("expiration", 3600, "count", 5)).json().get("token").asText();
        Map<String, String> created = Map.of("realm", realm, "operation", "create", "outcome", "success");
        Map<String, String> refused = Map.of("realm", realm, "operation", "create", "outcome", "refused",
                "error", "invalid_client_metadata");

        Http.Response ok = register(endpoint, token, "{\"client_name\":\"m\",\"redirect_uris\":[\"https://app.example.com/cb\"]}");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
        Http.Response bad = register(endpoint, token, "{\"client_name\":\"m\",\"redirect_uris\":\"not-a-list\"}");
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);

        String metrics = scrape();
        assertThat(value(metrics, "wi_dcr_registrations_total", created)).isEqualTo(1);
        assertThat(value(metrics, "wi_dcr_registrations_total", refused)).isEqualTo(1);
    }

    private void lookUp(String clientId) {
        // Any endpoint's client lookup reaches the resolver; the token request itself fails either way.
        Http.postForm(admin.tokenEndpoint(realm), Http.form("grant_type", "client_credentials", "client_id", clientId));
    }

    private static Http.Response register(URI endpoint, String token, String body) {
        return Http.send(HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private String scrape() {
        Http.Response r = Http.get(server.managementUrl().orElseThrow().resolve("/metrics"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }

    /** Sum of the samples of {@code name} whose labels include {@code labels}; 0 when there are none. */
    static double value(String metrics, String name, Map<String, String> labels) {
        return metrics.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> labels.entrySet().stream().allMatch(e -> l.contains(e.getKey() + "=\"" + e.getValue() + "\"")))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The realm's CIMD settings entry, documents allowed from one fixture host. */
    private static void cimdSettings(AdminClient admin, String realm, String host) {
        ObjectNode component = Http.JSON.createObjectNode().put("name", "URL client IDs")
                .put("providerId", "wi-cimd-settings").put("providerType", "org.keycloak.services.ui.extend.UiPageProvider")
                .put("parentId", Spiffe.realmId(admin, realm));
        ObjectNode config = component.putObject("config");
        config.putArray("allowedHosts").add(host);
        config.putArray("failureRetrySeconds").add("300");
        AdminClient.expect(admin.post("/realms/" + realm + "/components", component), 201);
    }
}
