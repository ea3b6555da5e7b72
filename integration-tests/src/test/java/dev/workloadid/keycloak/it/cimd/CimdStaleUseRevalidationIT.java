package dev.workloadid.keycloak.it.cimd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.HarnessConfig;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import dev.workloadid.keycloak.it.harness.KeycloakServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.workloadid.keycloak.it.harness.Http.form;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * CIMD-33, prompt revalidation: a document client used after its cache lifetime is revalidated at
 * once in the background. On a Keycloak whose refresh task runs only every 300 s, 20 concurrent
 * uses of a stale client are all answered from the stored client while the document host still
 * holds the one conditional request they caused; once the host answers, the changed document
 * takes effect long before the refresh task could have run.
 */
class CimdStaleUseRevalidationIT {

    private static final String PATH = "/stale.json";
    private static KeycloakServer keycloak;
    private static AdminClient admin;
    private static DocumentHost host;
    private static String realm;

    @BeforeAll
    static void setUp() {
        HarnessConfig config = HarnessConfig.fromSystemProperties();
        Assumptions.assumeTrue(config.dedicatedDistAllowed(), "a Keycloak with its own refresh interval needs the dist backend");
        keycloak = KeycloakServers.startDedicatedDist(config, "cimd-refresh-300",
                List.of("--spi-client-storage--wi-cimd--refresh-interval-seconds=300"));
        admin = new AdminClient(keycloak);
        realm = admin.createRealm("cimd-stale");
        CimdRealms.addUser(admin, realm, CimdIT.USER, CimdIT.PASSWORD);
        host = new DocumentHost(TestCa.shared(config.workDir()));
        CimdRealms.configure(admin, realm, Map.of(
                "allowedHosts", List.of(DocumentHost.HOST),
                "cacheFloorSeconds", List.of("0"),
                "defaultCacheSeconds", List.of("0"),
                "consentRequired", List.of("false")));
    }

    @AfterAll
    static void tearDown() {
        if (host != null) {
            host.close();
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    @Test
    void cimd33_aStaleDocumentIsRevalidatedAtOnceInTheBackgroundWithOneConditionalFetch() throws Exception {
        // Only the new path can explain a change taking effect within seconds: the refresh task waits 300 s.
        JsonNode cimd = admin.getJson("/serverinfo").path("providers").path("client-storage").path("providers").path("wi-cimd");
        assertThat(cimd.path("operationalInfo").path("refresh-interval-seconds").asText()).isEqualTo("300");

        String clientId = host.url(PATH);
        DocumentHost.Versioned doc = new DocumentHost.Versioned(CimdIT.publicDoc(clientId, "Version One"), "\"v1\"", "max-age=1");
        host.versioned(PATH, doc);
        String refreshToken = login(clientId);
        assertThat(name(clientId)).startsWith("Version One");

        // Past its lifetime, and past any revalidation the login's own uses started (answered 304).
        Thread.sleep(2500);
        int conditionalBefore = host.conditional(PATH);
        int answeredBefore = host.conditionalAnswered(PATH);
        int hitsBefore = host.hits(PATH);

        CountDownLatch release = new CountDownLatch(1);
        doc.hold = release;
        doc.body = CimdIT.publicDoc(clientId, "Version Two");
        doc.etag = "\"v2\"";
        try {
            ExecutorService pool = Executors.newFixedThreadPool(20);
            List<Callable<Http.Response>> uses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                uses.add(() -> Http.postForm(endpoint("token"), form("grant_type", "refresh_token",
                        "refresh_token", refreshToken, "client_id", clientId)));
            }
            List<Future<Http.Response>> answers = pool.invokeAll(uses);
            pool.shutdown();
            for (Future<Http.Response> answer : answers) {
                Http.Response r = answer.get(60, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.body()).isEqualTo(200);
            }
            // Every use was answered while the host had not yet answered the revalidation.
            assertThat(host.conditionalAnswered(PATH)).isEqualTo(answeredBefore);
            assertThat(name(clientId)).startsWith("Version One");
            CimdIT.await(Duration.ofSeconds(20), () -> host.conditional(PATH) > conditionalBefore);
        } finally {
            release.countDown();
        }
        CimdIT.await(Duration.ofSeconds(20), () -> name(clientId).startsWith("Version Two"));
        // One conditional fetch for the twenty uses, and nothing else fetched the document.
        Thread.sleep(1500);
        assertThat(host.conditional(PATH)).isEqualTo(conditionalBefore + 1);
        assertThat(host.conditionalAnswered(PATH)).isEqualTo(answeredBefore + 1);
        assertThat(host.hits(PATH)).isEqualTo(hitsBefore + 1);
    }

    /** Logs alice in to the document client (creating it) and returns the refresh token. */
    private static String login(String clientId) throws Exception {
        String verifier = "v-" + UUID.randomUUID() + UUID.randomUUID();
        LoginBrowser browser = new LoginBrowser();
        Http.Response login = browser.get(CimdIT.authUrl(endpoint("auth"), clientId, CimdIT.challenge(verifier)));
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        String base = admin.base().toString();
        Http.Response redirect = browser.follow(
                browser.post(LoginBrowser.formAction(login), form("username", CimdIT.USER, "password", CimdIT.PASSWORD)), base);
        assertThat(redirect.status()).as(redirect.body()).isEqualTo(302);
        String code = LoginBrowser.param(redirect.header("Location"), "code");
        Http.Response token = Http.postForm(endpoint("token"), form("grant_type", "authorization_code", "code", code,
                "redirect_uri", CimdIT.REDIRECT, "client_id", clientId, "code_verifier", verifier));
        assertThat(token.status()).as(token.body()).isEqualTo(200);
        return token.json().path("refresh_token").asText();
    }

    private static String name(String clientId) {
        return CimdRealms.clientsWithId(admin, realm, clientId).get(0).path("name").asText();
    }

    private static URI endpoint(String path) {
        return admin.realmUrl(realm).resolve("/realms/" + realm + "/protocol/openid-connect/" + path);
    }
}
