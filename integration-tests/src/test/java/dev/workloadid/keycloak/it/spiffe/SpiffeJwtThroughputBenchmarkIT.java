package dev.workloadid.keycloak.it.spiffe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.it.fixtures.LoopbackHttpsServer;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.BenchmarkSummary;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import dev.workloadid.keycloak.it.harness.TestClients;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Benchmark, not a test of speed: client_credentials throughput of the pack's {@code jwt-spiffe}
 * authenticator against {@code client-secret}, {@code client-jwt} and stock Keycloak's
 * {@code federated-jwt} with its SPIFFE identity provider (both bundle endpoints with a refresh hint
 * set), on the same Keycloak in the same run, rounds interleaved. Prints ratios and bundle fetches
 * and writes them to {@code target/benchmark/spiffe-jwt.md}. Run: {@code ./mvnw -B verify -Pbenchmark
 * -pl integration-tests -am}. Only correctness is asserted (every request succeeded, fetch bound).
 */
@Tag("benchmark")
@ExtendWith(KeycloakExtension.class)
class SpiffeJwtThroughputBenchmarkIT {

    private static final int THREADS = 4;
    private static final Duration WARMUP = Duration.ofSeconds(3);
    private static final Duration ROUND = Duration.ofSeconds(Long.getLong("wi.bench.round.seconds", 8));
    private static final int ROUNDS = Integer.getInteger("wi.bench.rounds", 3);
    private static final long REFRESH_HINT_SECONDS = 5;

    @Test
    void clientCredentialsThroughput(AdminClient admin) throws Exception {
        String realm = admin.createRealm("bench");
        try (LoopbackHttpsServer server = new LoopbackHttpsServer(TestCa.shared())) {
            SpiffeTestAuthority ours = new SpiffeTestAuthority("td-one.test").refreshHint(REFRESH_HINT_SECONDS)
                    .serveOn(server, "bundles.td-one.test", "/bench/pack");
            SpiffeTestAuthority stock = new SpiffeTestAuthority("td-two.test").refreshHint(REFRESH_HINT_SECONDS)
                    .serveOn(server, "bundles.td-two.test", "/bench/stock");

            // The pack: a trust domain and one exact client.
            Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.httpsWeb(ours)
                    .set("refreshHintFloorSeconds", "1"));
            String packId = ours.spiffeId("/bench/pack");
            Spiffe.createSpiffeClient(admin, realm, "pack-client", packId);

            // Stock: SPIFFE identity provider + federated-jwt client (feature spiffe, see the profile).
            String stockId = stock.spiffeId("/bench/stock");
            ObjectNode idp = Http.JSON.createObjectNode().put("alias", "spiffe-idp").put("providerId", "spiffe")
                    .put("enabled", true);
            idp.putObject("config").put("trustDomain", "spiffe://" + stock.trustDomain())
                    .put("bundleEndpoint", stock.bundleEndpointUrl().toString());
            AdminClient.expect(admin.post("/realms/" + realm + "/identity-provider/instances", idp), 201);
            ObjectNode federated = TestClients.serviceClient("stock-client", "federated-jwt");
            federated.putObject("attributes").put("jwt.credential.issuer", "spiffe-idp").put("jwt.credential.sub", stockId);
            admin.createClient(realm, federated);
            ensureInClientFlow(admin, realm, "federated-jwt");

            admin.createClient(realm, TestClients.serviceClient("secret-client", "client-secret").put("secret", "bench-secret"));
            RSAKey jwtKey = new RSAKeyGenerator(2048).keyID("k1").keyUse(KeyUse.SIGNATURE).generate();
            ObjectNode jwtClient = TestClients.serviceClient("jwt-client", "client-jwt");
            jwtClient.putObject("attributes").put("use.jwks.string", "true")
                    .put("jwks.string", new JWKSet(jwtKey.toPublicJWK()).toString());
            admin.createClient(realm, jwtClient);

            String issuer = admin.realmUrl(realm).toString();
            Map<String, Supplier<Map<String, String>>> methods = new LinkedHashMap<>();
            methods.put("client-secret", () -> Http.form("grant_type", "client_credentials",
                    "client_id", "secret-client", "client_secret", "bench-secret"));
            methods.put("client-jwt (private_key_jwt)", () -> Http.form("grant_type", "client_credentials",
                    "client_id", "jwt-client",
                    "client_assertion_type", Spiffe.JWT_BEARER,
                    "client_assertion", privateKeyJwt(jwtKey, issuer)));
            methods.put("federated-jwt (stock SPIFFE IdP)", () -> Http.form("grant_type", "client_credentials",
                    "client_assertion_type", Spiffe.JWT_SPIFFE,
                    "client_assertion", stock.svid(stockId).audience(issuer).randomJti().sign()));
            methods.put("spiffe-jwt-svid (pack)", () -> Http.form("grant_type", "client_credentials",
                    "client_assertion_type", Spiffe.JWT_SPIFFE,
                    "client_assertion", ours.svid(packId).audience(issuer).randomJti().sign()));

            // Assertions are minted before timing, so the client side's signing cost is not measured.
            Map<String, Result> results = new LinkedHashMap<>();
            methods.keySet().forEach(name -> results.put(name, new Result()));
            int oursBefore = ours.fetches();
            int stockBefore = stock.fetches();
            Instant started = Instant.now();
            for (int round = 0; round <= ROUNDS; round++) {
                for (Map.Entry<String, Supplier<Map<String, String>>> method : methods.entrySet()) {
                    Duration length = round == 0 ? WARMUP : ROUND;
                    Result r = run(admin.tokenEndpoint(realm), method.getValue(), length);
                    if (round > 0) {
                        results.get(method.getKey()).add(r);
                    } else {
                        assertThat(r.failures.get()).as(method.getKey() + " warm-up failures: " + r.lastFailure).isZero();
                    }
                }
            }
            Duration runLength = Duration.between(started, Instant.now());
            int oursFetches = ours.fetches() - oursBefore;
            int stockFetches = stock.fetches() - stockBefore;

            String report = report(results, runLength, oursFetches, stockFetches);
            System.out.println(report);
            Path out = Path.of("target/benchmark/spiffe-jwt.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
            double secret = results.get("client-secret").perSecond();
            double pack = results.get("spiffe-jwt-svid (pack)").perSecond();
            BenchmarkSummary.ratio("spiffe-jwt", "spiffe-jwt-svid requests/s", pack, secret, "requests/s",
                    BenchmarkSummary.Target.AT_LEAST, 0.95, "vs client-secret");
            BenchmarkSummary.ratio("spiffe-jwt", "spiffe-jwt-svid requests/s vs stock", pack,
                    results.get("federated-jwt (stock SPIFFE IdP)").perSecond(), "requests/s",
                    BenchmarkSummary.Target.AT_LEAST, 1.0, "vs stock federated-jwt + SPIFFE identity provider");
            BenchmarkSummary.ratio("spiffe-jwt", "client-jwt requests/s", results.get("client-jwt (private_key_jwt)").perSecond(),
                    secret, "requests/s", BenchmarkSummary.Target.NONE, 0, "stock, same RS256 check");
            BenchmarkSummary.value("spiffe-jwt", "pack bundle fetches", oursFetches, "count",
                    "over " + runLength.toSeconds() + " s, refresh hint " + REFRESH_HINT_SECONDS + " s");
            BenchmarkSummary.value("spiffe-jwt", "stock bundle fetches", stockFetches, "count", "same run");

            results.forEach((name, r) -> assertThat(r.failures.get()).as(name + ": " + r.lastFailure).isZero());
            // Fetches <= 1 + run length / refresh hint (the hint is honoured, no per-request fetch).
            assertThat(oursFetches).isLessThanOrEqualTo(1 + (int) (runLength.toSeconds() / REFRESH_HINT_SECONDS) + 1);
        } finally {
            admin.deleteRealm(realm);
        }
    }

    /** Adds an authenticator to the realm's (already copied, non-built-in) client flow if missing. */
    private static void ensureInClientFlow(AdminClient admin, String realm, String provider) {
        String flow = admin.getJson("/realms/" + realm).get("clientAuthenticationFlow").asText();
        String path = "/realms/" + realm + "/authentication/flows/" + flow.replace(" ", "%20") + "/executions";
        for (JsonNode execution : admin.getJson(path)) {
            if (provider.equals(execution.path("providerId").asText())) {
                if (!"ALTERNATIVE".equals(execution.path("requirement").asText())) {
                    ((ObjectNode) execution).put("requirement", "ALTERNATIVE");
                    assertThat(admin.put(path, execution).status()).isIn(202, 204);
                }
                return;
            }
        }
        AdminClient.expect(admin.post(path + "/execution", Http.JSON.createObjectNode().put("provider", provider)), 201);
        for (JsonNode execution : admin.getJson(path)) {
            if (provider.equals(execution.path("providerId").asText())) {
                ((ObjectNode) execution).put("requirement", "ALTERNATIVE");
                assertThat(admin.put(path, execution).status()).isIn(202, 204);
            }
        }
    }

    private static String privateKeyJwt(RSAKey key, String audience) {
        try {
            Instant now = Instant.now();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                    new JWTClaimsSet.Builder().issuer("jwt-client").subject("jwt-client").audience(audience)
                            .jwtID(UUID.randomUUID().toString()).issueTime(Date.from(now))
                            .expirationTime(Date.from(now.plusSeconds(120))).build());
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Requests done and failed in measured rounds, and the time spent. */
    private static final class Result {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        volatile String lastFailure;
        long nanos;

        void add(Result other) {
            ok.addAndGet(other.ok.get());
            failures.addAndGet(other.failures.get());
            if (other.lastFailure != null) {
                lastFailure = other.lastFailure;
            }
            nanos += other.nanos;
        }

        double perSecond() {
            return nanos == 0 ? 0 : ok.get() / (nanos / 1e9);
        }
    }

    private static Result run(java.net.URI endpoint, Supplier<Map<String, String>> form, Duration length)
            throws Exception {
        // Pre-mint enough request bodies for the round (each JWT carries a fresh jti).
        ConcurrentLinkedQueue<Map<String, String>> bodies = new ConcurrentLinkedQueue<>();
        int expected = (int) Math.max(200, length.toSeconds() * 400);
        for (int i = 0; i < expected; i++) {
            bodies.add(form.get());
        }
        Result result = new Result();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        long start = System.nanoTime();
        long deadline = start + length.toNanos();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            workers.add(pool.submit(() -> {
                Map<String, String> body;
                while (System.nanoTime() < deadline && (body = bodies.poll()) != null) {
                    Http.Response response = Http.postForm(endpoint, body);
                    if (response.status() == 200) {
                        result.ok.incrementAndGet();
                    } else {
                        result.failures.incrementAndGet();
                        result.lastFailure = response.toString();
                    }
                }
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        result.nanos = System.nanoTime() - start;
        pool.shutdown();
        return result;
    }

    private static String report(Map<String, Result> results, Duration runLength, int oursFetches, int stockFetches) {
        double secret = results.get("client-secret").perSecond();
        double stock = results.get("federated-jwt (stock SPIFFE IdP)").perSecond();
        StringBuilder out = new StringBuilder("\n## client_credentials throughput, one Keycloak, " + THREADS
                + " client threads, " + ROUNDS + " interleaved rounds of " + ROUND.toSeconds() + " s\n\n"
                + "| method | requests/s | vs client-secret | vs stock federated-jwt |\n|---|---|---|---|\n");
        results.forEach((name, r) -> out.append(String.format("| %s | %.1f | %.2f× | %.2f× |%n", name, r.perSecond(),
                r.perSecond() / secret, r.perSecond() / stock)));
        out.append(String.format("%nBundle fetches during the run (%d s, refresh hint %d s): pack %d, stock %d%n",
                runLength.toSeconds(), REFRESH_HINT_SECONDS, oursFetches, stockFetches));
        out.append("Targets: pack ≥ 0.95× client-secret, ≥ 1.0× federated-jwt; pack fetches ≤ 1 + run/hint = ")
                .append(1 + runLength.toSeconds() / REFRESH_HINT_SECONDS).append('\n');
        return out.toString();
    }
}
