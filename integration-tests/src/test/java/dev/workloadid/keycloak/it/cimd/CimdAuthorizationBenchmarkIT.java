package dev.workloadid.keycloak.it.cimd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds;
import dev.workloadid.keycloak.it.harness.BenchmarkSummary;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds.Method;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds.Result;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Benchmark, not a test of speed: the authorization request of a URL client whose Client
 * ID Metadata Document is already resolved (warm) against a pre-registered ordinary public client with
 * the same redirect URI, PKCE and consent settings, same realm, same Keycloak, rounds interleaved.
 * Each request is {@code GET /protocol/openid-connect/auth?response_type=code&client_id&redirect_uri
 * &code_challenge&code_challenge_method=S256&state} with a fresh state and challenge (built before the
 * round), no cookies, and counts when it returns the 200 login page. Four client threads, each with its
 * own keep-alive HTTP/1.1 client per method. Then the cold first use: the first request for each of
 * several fresh URLs, timed one at a time, with the document fetches counted at the fixture. Writes
 * {@code target/benchmark/cimd-authorization.md}. Only correctness is asserted.
 */
@Tag("benchmark")
@ExtendWith(KeycloakExtension.class)
class CimdAuthorizationBenchmarkIT {

    private static final String URL_CLIENT = "URL client (CIMD, warm)";
    private static final String ORDINARY = "pre-registered client";
    private static final int COLD_URLS = Integer.getInteger("wi.bench.cimd.cold.urls", 5);
    static final String LOGIN_FORM = "login-actions/authenticate";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void warmAuthorizationRequestAndColdFirstUse(AdminClient admin) throws Exception {
        String realm = admin.createRealm("bench-cimd");
        try (DocumentHost host = new DocumentHost(TestCa.shared())) {
            // Short-lived authentication sessions: every measured request creates one.
            AdminClient.expect(admin.put("/realms/" + realm, Http.JSON.createObjectNode()
                    .put("accessCodeLifespanLogin", 120).put("accessCodeLifespanUserAction", 120)), 204);

            String warmUrl = host.url("/bench/warm.json");
            host.versioned("/bench/warm.json", new DocumentHost.Versioned(
                    CimdIT.publicDoc(warmUrl, "Bench MCP Client"), "\"w1\"", "max-age=3600"));
            List<String> coldPaths = new ArrayList<>();
            for (int i = 1; i <= COLD_URLS; i++) {
                String path = "/bench/cold-" + i + ".json";
                host.versioned(path, new DocumentHost.Versioned(
                        CimdIT.publicDoc(host.url("other-client.docs.test", path), "Cold " + i), "\"c" + i + "\"", "max-age=3600"));
                coldPaths.add(path);
            }
            ObjectNode settings = Http.JSON.createObjectNode()
                    .put("name", "URL client IDs").put("providerId", "wi-cimd-settings")
                    .put("providerType", "org.keycloak.services.ui.extend.UiPageProvider")
                    .put("parentId", admin.getJson("/realms/" + realm).get("id").asText());
            settings.putObject("config").putArray("allowedHosts").add("mcp-client.docs.test").add("other-client.docs.test");
            AdminClient.expect(admin.post("/realms/" + realm + "/components", settings), 201);

            createOrdinaryClient(admin, realm);

            URI auth = admin.realmUrl(realm).resolve("/realms/" + realm + "/protocol/openid-connect/auth");
            List<Method> methods = List.of(method(URL_CLIENT, auth, warmUrl), method(ORDINARY, auth, "ordinary-client"));

            // Correctness first, and the warm URL's one fetch: both clients get the login page.
            for (Method m : methods) {
                HttpResponse<String> r = m.clientForThread().apply(0).send(m.request().get(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(m.name() + ": " + r.body()).isEqualTo(200);
                assertThat(r.body()).as(m.name()).contains(LOGIN_FORM);
            }
            assertThat(host.hits("/bench/warm.json")).isEqualTo(1);

            double loadBefore = BenchmarkRounds.load();
            Map<String, Result> results = BenchmarkRounds.run(methods);
            int warmFetches = host.hits("/bench/warm.json");

            // Cold first use: one request at a time for URLs this realm has never seen (JVM already warm).
            HttpClient cold = newClient();
            List<long[]> coldRuns = new ArrayList<>(); // {first-use nanos, second-use nanos, fetches}
            for (String path : coldPaths) {
                String url = host.url("other-client.docs.test", path);
                long first = timed(cold, request(auth, url));
                long second = timed(cold, request(auth, url));
                coldRuns.add(new long[] {first, second, host.hits(path)});
            }

            BenchmarkRounds.publish("cimd-authorization.md", report(results, warmFetches, coldRuns, loadBefore));
            Result urlResult = results.get(URL_CLIENT);
            Result ordinaryResult = results.get(ORDINARY);
            BenchmarkSummary.ratio("cimd-authorization", "warm URL client mean latency", urlResult.meanMillis(),
                    ordinaryResult.meanMillis(), "ms", BenchmarkSummary.Target.AT_MOST, 1.05,
                    "vs pre-registered client; per round " + BenchmarkRounds.roundRange(urlResult, ordinaryResult, true));
            BenchmarkSummary.value("cimd-authorization", "cold first use mean",
                    coldRuns.stream().mapToLong(c -> c[0]).average().orElse(0) / 1e6, "ms", coldRuns.size() + " fresh URLs");
            results.forEach((name, r) -> assertThat(r.failures.get()).as(name + ": " + r.lastFailure).isZero());
            results.forEach((name, r) -> assertThat(r.ok.get()).as(name).isPositive());
            assertThat(warmFetches).as("a warm URL client is never fetched again (max-age 3600)").isEqualTo(1);
            coldRuns.forEach(c -> assertThat(c[2]).as("one fetch per fresh URL").isEqualTo(1));
        } finally {
            admin.deleteRealm(realm);
        }
    }

    /** The baseline: what a document with one loopback redirect and authorization_code becomes, registered by hand. */
    static void createOrdinaryClient(AdminClient admin, String realm) {
        ObjectNode ordinary = Http.JSON.createObjectNode().put("clientId", "ordinary-client").put("name", "Ordinary client")
                .put("publicClient", true).put("standardFlowEnabled", true).put("consentRequired", true)
                .put("directAccessGrantsEnabled", false);
        ordinary.putArray("redirectUris").add(CimdIT.REDIRECT);
        ordinary.putArray("webOrigins").add("+");
        ordinary.putObject("attributes").put("pkce.code.challenge.method", "S256");
        admin.createClient(realm, ordinary);
    }

    static Method method(String name, URI auth, String clientId) {
        return new Method(name, thread -> newClient(), () -> request(auth, clientId),
                r -> r.statusCode() == 200 && r.body().contains(LOGIN_FORM));
    }

    /** No cookie handler, no redirects: every request starts a new authentication session. */
    static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** An authorization request with a fresh state and PKCE challenge. */
    static HttpRequest request(URI auth, String clientId) {
        byte[] verifier = new byte[32];
        RANDOM.nextBytes(verifier);
        String challenge;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    Base64.getUrlEncoder().withoutPadding().encodeToString(verifier).getBytes(StandardCharsets.US_ASCII));
            challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        String query = "response_type=code&client_id=" + enc(clientId) + "&redirect_uri=" + enc(CimdIT.REDIRECT)
                + "&code_challenge=" + challenge + "&code_challenge_method=S256&state=st-" + Long.toHexString(RANDOM.nextLong());
        return HttpRequest.newBuilder(URI.create(auth + "?" + query)).timeout(Duration.ofSeconds(30)).GET().build();
    }

    private static long timed(HttpClient client, HttpRequest request) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        long nanos = System.nanoTime() - start;
        assertThat(r.statusCode()).as(request.uri() + ": " + r.body()).isEqualTo(200);
        assertThat(r.body()).contains(LOGIN_FORM);
        return nanos;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String report(Map<String, Result> results, int warmFetches, List<long[]> coldRuns, double loadBefore) {
        Result url = results.get(URL_CLIENT);
        Result ordinary = results.get(ORDINARY);
        StringBuilder out = new StringBuilder("\n## Authorization request: URL client (CIMD) vs pre-registered client\n\n")
                .append("GET /protocol/openid-connect/auth (code, S256 PKCE, fresh state, no cookies) until the 200 login page; ")
                .append("one Keycloak, one realm, interleaved rounds, keep-alive connections per client thread.\n\n")
                .append("| client | requests/s | mean latency ms | throughput vs pre-registered | latency vs pre-registered |\n")
                .append("|---|---|---|---|---|\n");
        results.forEach((name, r) -> out.append(String.format("| %s | %.1f | %.2f | %.2f× | %.2f× |%n", name, r.perSecond(),
                r.meanMillis(), r.perSecond() / ordinary.perSecond(), r.meanMillis() / ordinary.meanMillis())));
        out.append(String.format("%nPer-round ratios of the URL client (same round, same machine conditions): "
                + "throughput %s, latency %s%n", BenchmarkRounds.roundRange(url, ordinary, false),
                BenchmarkRounds.roundRange(url, ordinary, true)));
        out.append(String.format("Document fetches for the warm URL over the whole run (first use included): %d%n", warmFetches));
        out.append(String.format("Target: warm URL client latency ≤ 1.05× pre-registered: %.2f×%n",
                url.meanMillis() / ordinary.meanMillis()));
        out.append("\n### Cold first use (fresh URLs, one request at a time, after the rounds)\n\n")
                .append("| URL | first request ms | second request ms | document fetches at the fixture |\n|---|---|---|---|\n");
        double sum = 0;
        for (int i = 0; i < coldRuns.size(); i++) {
            long[] c = coldRuns.get(i);
            sum += c[0] / 1e6;
            out.append(String.format("| cold-%d | %.1f | %.1f | %d |%n", i + 1, c[0] / 1e6, c[1] / 1e6, c[2]));
        }
        out.append(String.format("%nMean cold first use: %.1f ms over %d fresh URLs (fetch over loopback HTTPS, validation, "
                + "client created in its own transaction); warm mean latency above is under load from %d threads.%n",
                sum / coldRuns.size(), coldRuns.size(), BenchmarkRounds.THREADS));
        out.append(BenchmarkRounds.machine(loadBefore));
        return out.toString();
    }
}
