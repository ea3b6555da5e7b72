package dev.workloadid.keycloak.it.cimd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.workloadid.keycloak.it.harness.Http.form;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Realm settings that limit URL client_ids, against a real Keycloak: the cap on document clients,
 * the client_credentials opt-in (and switching it off again), and the refresh task staying quiet
 * when an administrator deletes a realm while one of its documents is being revalidated. Each test
 * has its own realm; all traffic stays on 127.0.0.1.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CimdRealmSettingsIT {

    private static final String QUIET_REMOVAL = "was removed or changed while its document clients were being refreshed";

    private AdminClient admin;
    private DocumentHost host;
    private ECKey key;
    private final List<String> realms = new ArrayList<>();
    private final Map<String, String> settingsIds = new HashMap<>();

    @BeforeAll
    void setUp(AdminClient admin) throws Exception {
        this.admin = admin;
        host = new DocumentHost(TestCa.shared());
        key = new ECKeyGenerator(Curve.P_256).keyID("w1").keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
    }

    @AfterAll
    void tearDown() {
        if (host != null) {
            host.close();
        }
        realms.forEach(admin::deleteRealm);
    }

    private String realm(String prefix, Map<String, List<String>> config) {
        String realm = admin.createRealm(prefix);
        realms.add(realm);
        CimdRealms.saveEvents(admin, realm);
        settingsIds.put(realm, CimdRealms.configure(admin, realm, config));
        return realm;
    }

    private Http.Response authorize(String realm, String clientId) throws Exception {
        URI auth = admin.realmUrl(realm).resolve("/realms/" + realm + "/protocol/openid-connect/auth");
        return new LoginBrowser().get(CimdIT.authUrl(auth, clientId, CimdIT.challenge("v")));
    }

    private Http.Response clientCredentials(String realm, String clientId) throws Exception {
        return Http.postForm(admin.tokenEndpoint(realm), form("grant_type", "client_credentials", "client_id", clientId,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", CimdIT.assertion(clientId, key, admin.realmUrl(realm).toString())));
    }

    @Test
    void maxDocumentClients_newUrlsAreRefusedAtTheCapAndExistingClientsKeepWorking(KeycloakServer server) throws Exception {
        String realm = realm("cimd-cap", Map.of("allowedHosts", List.of(DocumentHost.HOST),
                "maxDocumentClients", List.of("2"), "failureRetrySeconds", List.of("1")));
        String a = host.url("/cap/a.json");
        String b = host.url("/cap/b.json");
        String c = host.url("/cap/c.json");
        for (String url : List.of(a, b, c)) {
            host.json(url.substring(url.indexOf("/cap/")), CimdIT.publicDoc(url, "Capped " + url));
        }
        assertThat(authorize(realm, a).status()).isEqualTo(200);
        assertThat(authorize(realm, b).status()).isEqualTo(200);

        Http.Response refused = authorize(realm, c);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("metadata document could not be used").doesNotContain("maxDocumentClients");
        Http.Response token = Http.postForm(admin.tokenEndpoint(realm), form("grant_type", "client_credentials", "client_id", c));
        assertThat(token.status()).as(token.body()).isEqualTo(401);
        assertThat(token.json().path("error").asText()).isEqualTo("invalid_client");
        assertThat(host.hits("/cap/c.json")).as("a full realm fetches nothing").isZero();
        assertThat(CimdRealms.clientsWithId(admin, realm, c)).isEmpty();
        JsonNode event = CimdRealms.refusal(admin, realm, c, "maxDocumentClients");
        assertThat(event.path("error").asText()).isEqualTo("invalid_client_metadata");
        assertThat(event.path("details").path("oauth_error").asText()).isEqualTo("invalid_client");
        assertThat(event.path("details").path("reason").asText()).contains("limit of 2 document clients");

        // The existing document clients are untouched by the cap.
        assertThat(authorize(realm, a).status()).isEqualTo(200);
        assertThat(authorize(realm, b).status()).isEqualTo(200);

        // Raising the cap lets the next URL in (once the remembered "full" has run out).
        CimdRealms.update(admin, realm, settingsIds.get(realm), "maxDocumentClients", "3");
        CimdIT.await(Duration.ofSeconds(20), () -> authorize(realm, c).status() == 200);
        assertThat(CimdRealms.clientsWithId(admin, realm, c)).hasSize(1);
        // The test server lists cimd.managed as searchable (as the documentation recommends): the indexed count was used.
        if (!server.backendName().equals("remote")) {
            assertThat(log(server)).noneMatch(l -> l.contains("Counting clients by attribute cimd.managed reads the realm's clients"));
        }
    }

    @Test
    void cimd16_clientCredentialsNeedTheRealmsOptInAndLoseItWhenItIsSwitchedOff() throws Exception {
        String realm = realm("cimd-cc", Map.of("allowedHosts", List.of(DocumentHost.HOST), "failureRetrySeconds", List.of("1")));
        String url = host.url("/cc/worker.json");
        host.json("/cc/worker.json", CimdIT.doc(url, Map.of("client_name", "Worker",
                "token_endpoint_auth_method", "private_key_jwt", "grant_types", List.of("client_credentials"),
                "jwks", Http.JSON.readTree(new JWKSet(key.toPublicJWK()).toString()))));

        Http.Response refused = clientCredentials(realm, url);
        assertThat(refused.status()).as(refused.body()).isEqualTo(401);
        assertThat(refused.json().path("error").asText()).isEqualTo("invalid_client");
        assertThat(CimdRealms.clientsWithId(admin, realm, url)).as("no client, no service account").isEmpty();
        JsonNode event = CimdRealms.refusal(admin, realm, url, "CIMD-16");
        assertThat(event.path("details").path("oauth_error").asText()).isEqualTo("unauthorized_client");
        assertThat(event.path("details").path("reason").asText()).contains("allowClientCredentials");

        CimdRealms.update(admin, realm, settingsIds.get(realm), "allowClientCredentials", "true");
        CimdIT.await(Duration.ofSeconds(20), () -> clientCredentials(realm, url).status() == 200);
        assertThat(CimdRealms.clientsWithId(admin, realm, url).get(0).path("serviceAccountsEnabled").asBoolean()).isTrue();

        // Switched off again: the existing client loses the grant without waiting for its document to expire.
        CimdRealms.update(admin, realm, settingsIds.get(realm), "allowClientCredentials", "false");
        CimdIT.await(Duration.ofSeconds(20), () -> !CimdRealms.clientsWithId(admin, realm, url).get(0).path("enabled").asBoolean());
        JsonNode client = CimdRealms.clientsWithId(admin, realm, url).get(0);
        assertThat(client.path("serviceAccountsEnabled").asBoolean()).isFalse();
        assertThat(client.path("attributes").path("cimd.refresh_error").asText()).startsWith("CIMD-16");
        Http.Response after = clientCredentials(realm, url);
        assertThat(after.status()).as(after.body()).isBetween(400, 401);
        assertThat(after.json().path("error").asText()).isIn("invalid_client", "unauthorized_client");
    }

    @Test
    void aDocumentClientTheAdministratorDisabledStaysDisabledThroughRevalidation() throws Exception {
        String realm = realm("cimd-admin-off", Map.of("allowedHosts", List.of(DocumentHost.HOST),
                "cacheFloorSeconds", List.of("0"), "failureRetrySeconds", List.of("1")));
        String keptPath = "/admin-off/kept.json";
        String watchPath = "/admin-off/watch.json";
        String kept = host.url(keptPath);
        String watch = host.url(watchPath);
        host.versioned(keptPath, new DocumentHost.Versioned(CimdIT.publicDoc(kept, "Kept off"), "\"k1\"", "max-age=1"));
        host.versioned(watchPath, new DocumentHost.Versioned(CimdIT.publicDoc(watch, "Watch"), "\"w1\"", "max-age=1"));
        assertThat(authorize(realm, kept).status()).isEqualTo(200);
        assertThat(authorize(realm, watch).status()).isEqualTo(200);

        JsonNode client = CimdRealms.clientsWithId(admin, realm, kept).get(0);
        ((ObjectNode) client).put("enabled", false);
        AdminClient.expect(admin.put("/realms/" + realm + "/clients/" + client.path("id").asText(), client), 204);
        // The other client's revalidations show the refresh task's runs: after the first one (a
        // run that may have begun before the disabling), every later run sees the disabled client.
        int seen = host.notModified(watchPath);
        CimdIT.await(Duration.ofSeconds(30), () -> host.notModified(watchPath) > seen);
        int hits = host.hits(keptPath);
        int next = host.notModified(watchPath);
        CimdIT.await(Duration.ofSeconds(30), () -> host.notModified(watchPath) >= next + 2);

        JsonNode after = CimdRealms.clientsWithId(admin, realm, kept).get(0);
        assertThat(after.path("enabled").asBoolean()).as("still disabled").isFalse();
        assertThat(after.path("attributes").has("cimd.refresh_error")).isFalse();
        assertThat(host.hits(keptPath)).as("an administrator's disabled client is not fetched").isEqualTo(hits);
        Http.Response refused = authorize(realm, kept);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
    }

    @Test
    void switchingUrlClientIdsOffStopsExistingDocumentClientsAndOnAgainRestoresThem() throws Exception {
        String realm = realm("cimd-switch", Map.of("allowedHosts", List.of(DocumentHost.HOST), "failureRetrySeconds", List.of("1")));
        String url = host.url("/switch/app.json");
        host.json("/switch/app.json", CimdIT.publicDoc(url, "Switched"));
        assertThat(authorize(realm, url).status()).isEqualTo(200);

        CimdRealms.update(admin, realm, settingsIds.get(realm), "enabled", "false");
        CimdIT.await(Duration.ofSeconds(30), () -> !CimdRealms.clientsWithId(admin, realm, url).get(0).path("enabled").asBoolean());
        assertThat(CimdRealms.clientsWithId(admin, realm, url).get(0).path("attributes").path("cimd.refresh_error").asText())
                .startsWith("enabled:");
        Http.Response refused = authorize(realm, url);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);

        // On again: the client is fetched and judged afresh, and works while its document validates.
        CimdRealms.update(admin, realm, settingsIds.get(realm), "enabled", "true");
        CimdIT.await(Duration.ofSeconds(30), () -> authorize(realm, url).status() == 200);
        JsonNode client = CimdRealms.clientsWithId(admin, realm, url).get(0);
        assertThat(client.path("enabled").asBoolean()).isTrue();
        assertThat(client.path("attributes").has("cimd.refresh_error")).isFalse();
    }

    @Test
    void transientFetchFailuresKeepAClientUntilItsLastSuccessIsOlderThanTheCeiling() throws Exception {
        // Documents are never fresh here (lifetime 0), so every run of the refresh task revalidates.
        Map<String, List<String>> shortCache = Map.of("allowedHosts", List.of(DocumentHost.HOST), "cacheFloorSeconds", List.of("0"),
                "defaultCacheSeconds", List.of("0"), "failureRetrySeconds", List.of("1"));
        String tolerant = realm("cimd-transient", with(shortCache, "cacheCeilingSeconds", "3600"));
        String path = "/transient/app.json";
        String url = host.url(path);
        AtomicReference<Object[]> answer = changeable(path, "Transient");
        assertThat(authorize(tolerant, url).status()).isEqualTo(200);

        answer.set(new Object[] {503, "{}"});
        int hits = host.hits(path);
        CimdIT.await(Duration.ofSeconds(30), () -> host.hits(path) >= hits + 3);
        JsonNode kept = CimdRealms.clientsWithId(admin, tolerant, url).get(0);
        assertThat(kept.path("enabled").asBoolean()).as("a 503 is no answer about the document").isTrue();
        assertThat(kept.path("attributes").has("cimd.refresh_error")).isFalse();
        assertThat(authorize(tolerant, url).status()).isEqualTo(200);

        // A definite answer disables at once; a valid document again enables.
        answer.set(new Object[] {404, "{}"});
        CimdIT.await(Duration.ofSeconds(30), () -> !CimdRealms.clientsWithId(admin, tolerant, url).get(0).path("enabled").asBoolean());
        assertThat(CimdRealms.clientsWithId(admin, tolerant, url).get(0).path("attributes").path("cimd.refresh_error").asText())
                .startsWith("CIMD-11");
        answer.set(new Object[] {200, CimdIT.publicDoc(url, "Transient")});
        CimdIT.await(Duration.ofSeconds(30), () -> CimdRealms.clientsWithId(admin, tolerant, url).get(0).path("enabled").asBoolean());

        // With a ceiling of 1 s the grace runs out: the failing client is disabled.
        String strict = realm("cimd-transient-strict", with(shortCache, "cacheCeilingSeconds", "1"));
        String strictPath = "/transient/strict.json";
        String strictUrl = host.url(strictPath);
        AtomicReference<Object[]> strictAnswer = changeable(strictPath, "Strict");
        assertThat(authorize(strict, strictUrl).status()).isEqualTo(200);
        strictAnswer.set(new Object[] {503, "{}"});
        CimdIT.await(Duration.ofSeconds(30), () -> !CimdRealms.clientsWithId(admin, strict, strictUrl).get(0).path("enabled").asBoolean());
        assertThat(CimdRealms.clientsWithId(admin, strict, strictUrl).get(0).path("attributes").path("cimd.refresh_error").asText())
                .contains("HTTP 503");
    }

    /** Serves a valid document at {@code path}; the test changes the answer (status, body) through the holder. */
    private AtomicReference<Object[]> changeable(String path, String name) {
        AtomicReference<Object[]> answer = new AtomicReference<>(new Object[] {200, CimdIT.publicDoc(host.url(path), name)});
        host.sequence(path, n -> answer.get());
        return answer;
    }

    private static Map<String, List<String>> with(Map<String, List<String>> config, String key, String value) {
        Map<String, List<String>> out = new HashMap<>(config);
        out.put(key, List.of(value));
        return out;
    }

    @Test
    void refreshTaskIsQuietWhenTheRealmIsDeletedWhileADocumentIsBeingRevalidated(KeycloakServer server) throws Exception {
        Assumptions.assumeTrue(!server.backendName().equals("remote"), "needs the server log");
        String realm = realm("cimd-gone", Map.of("allowedHosts", List.of(DocumentHost.HOST),
                "cacheFloorSeconds", List.of("0"), "defaultCacheSeconds", List.of("0"), "totalTimeoutMillis", List.of("90000")));
        String realmId = admin.getJson("/realms/" + realm).get("id").asText();
        String url = host.url("/gone/held.json");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        host.heldAfterFirst("/gone/held.json", CimdIT.publicDoc(url, "Held"), held, release);
        int logLines = log(server).size();
        try {
            assertThat(authorize(realm, url).status()).isEqualTo(200);
            // The document is never fresh: the refresh task's next run revalidates it, and waits at the fixture.
            assertThat(held.await(60, TimeUnit.SECONDS)).as("the refresh task revalidates the document").isTrue();
            AdminClient.expect(admin.delete("/realms/" + realm), 204);
            realms.remove(realm);
        } finally {
            release.countDown();
        }
        CimdIT.await(Duration.ofSeconds(60), () -> newLines(server, logLines).stream()
                .anyMatch(l -> l.contains(QUIET_REMOVAL) && l.contains(realmId)));
        List<String> lines = newLines(server, logLines);
        assertThat(lines).as("no error from the refresh task")
                .noneMatch(l -> l.contains(" ERROR ") && (l.contains("CimdRefreshTask") || l.contains("wi-cimd-refresh")
                        || l.toLowerCase(Locale.ROOT).contains("scheduled task")))
                .noneMatch(l -> l.contains("CimdRefreshTask") && l.contains(" WARN ") && (l.contains(realmId) || l.contains(realm)));
    }

    private static List<String> log(KeycloakServer server) {
        return Arrays.asList(server.logTail(Integer.MAX_VALUE).split("\n"));
    }

    private static List<String> newLines(KeycloakServer server, int from) {
        List<String> all = log(server);
        return all.subList(Math.min(from, all.size()), all.size());
    }

    /**
     * templateClient: a document client that asks for client_credentials only after it was created
     * gets its service account on refresh with the template client's service-account roles, as a
     * client created with client_credentials does.
     */
    @Test
    void templateClient_serviceAccountGainedOnRefreshGetsTheTemplatesRoles() throws Exception {
        String realm = admin.createRealm("cimd-tpl");
        realms.add(realm);
        CimdRealms.saveEvents(admin, realm);
        AdminClient.expect(admin.post("/realms/" + realm + "/roles", Map.of("name", "reports-reader")), 201);
        AdminClient.expect(admin.post("/realms/" + realm + "/clients", Map.of("clientId", "cimd-template",
                "publicClient", false, "serviceAccountsEnabled", true, "standardFlowEnabled", false)), 201);
        String templateId = admin.getJson("/realms/" + realm + "/clients?clientId=cimd-template").get(0).get("id").asText();
        String templateAccount = admin.getJson("/realms/" + realm + "/clients/" + templateId + "/service-account-user")
                .get("id").asText();
        JsonNode role = admin.getJson("/realms/" + realm + "/roles/reports-reader");
        AdminClient.expect(admin.post("/realms/" + realm + "/users/" + templateAccount + "/role-mappings/realm",
                List.of(role)), 204);
        settingsIds.put(realm, CimdRealms.configure(admin, realm, Map.of("allowedHosts", List.of(DocumentHost.HOST),
                "allowClientCredentials", List.of("true"), "templateClient", List.of("cimd-template"),
                "cacheFloorSeconds", List.of("0"), "failureRetrySeconds", List.of("1"))));

        // First a browser client (private_key_jwt, authorization_code only): no service account.
        String url = host.url("/tpl/worker.json");
        JsonNode keys = Http.JSON.readTree(new JWKSet(key.toPublicJWK()).toString());
        DocumentHost.Versioned doc = new DocumentHost.Versioned(CimdIT.doc(url, Map.of("client_name", "Worker",
                "token_endpoint_auth_method", "private_key_jwt", "redirect_uris", List.of(CimdIT.REDIRECT),
                "grant_types", List.of("authorization_code"), "jwks", keys)), "\"t1\"", "max-age=1");
        host.versioned("/tpl/worker.json", doc);
        assertThat(authorize(realm, url).status()).isEqualTo(200);
        assertThat(CimdRealms.clientsWithId(admin, realm, url).get(0).path("serviceAccountsEnabled").asBoolean()).isFalse();

        // The document now also asks for client_credentials: the refresh gives the client a service account.
        doc.body = CimdIT.doc(url, Map.of("client_name", "Worker", "token_endpoint_auth_method", "private_key_jwt",
                "redirect_uris", List.of(CimdIT.REDIRECT), "grant_types", List.of("authorization_code", "client_credentials"),
                "jwks", keys));
        doc.etag = "\"t2\"";
        CimdIT.await(Duration.ofSeconds(30), () -> clientCredentials(realm, url).status() == 200);
        String clientId = CimdRealms.clientsWithId(admin, realm, url).get(0).get("id").asText();
        String account = admin.getJson("/realms/" + realm + "/clients/" + clientId + "/service-account-user").get("id").asText();
        JsonNode roles = admin.getJson("/realms/" + realm + "/users/" + account + "/role-mappings/realm");
        assertThat(roles.findValuesAsText("name")).as("the template's service-account roles").contains("reports-reader");
    }
}
