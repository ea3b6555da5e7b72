package dev.workloadid.keycloak.it.spiffe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds.Method;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds.Result;
import dev.workloadid.keycloak.it.harness.BenchmarkServer;
import dev.workloadid.keycloak.it.harness.BenchmarkSummary;
import dev.workloadid.keycloak.it.harness.HarnessConfig;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.JvmHeap;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Benchmark, not a test of speed: how {@code jwt-spiffe} client_credentials throughput changes with
 * the size of the realm, and what registration-free first use costs. Same Keycloak, same run:
 * <ul>
 *   <li>realms holding 1, {@code clients/10} and {@code clients} registered SPIFFE clients (exact IDs),
 *       each plus {@code patterns} {@code /*} pattern clients and {@code trust-domains} trust domains;
 *       requests spread over up to {@code workloads} of the registered IDs, no client_id sent (the
 *       client is found by the SPIFFE ID), throughput as a ratio to the 1-client realm;</li>
 *   <li>a registration-free realm (same patterns and trust domains): {@code first-uses} distinct SPIFFE
 *       IDs arrive for the first time (4 threads), p50/p99 latency of those first requests; then the
 *       steady throughput over the created clients, as a ratio to the realm of as many registered
 *       clients;</li>
 *   <li>Keycloak's heap after a full GC ({@code jcmd}, dist backend only) before the first uses, after
 *       them and after the rounds.</li>
 * </ul>
 * Assertions are pre-minted (one per workload, valid for the run), so replay protection is off in
 * every realm alike. Counts: {@code -Dwi.bench.scale.clients=10000} (default) and the others below.
 * Only correctness is asserted. Writes {@code target/benchmark/spiffe-scale.md} and summary rows.
 */
@Tag("benchmark")
class SpiffeScaleBenchmarkIT {

    static final int CLIENTS = Integer.getInteger("wi.bench.scale.clients", 10_000);
    static final int PATTERNS = Integer.getInteger("wi.bench.scale.patterns", 100);
    static final int TRUST_DOMAINS = Math.max(1, Integer.getInteger("wi.bench.scale.trust-domains", 10));
    static final int WORKLOADS = Integer.getInteger("wi.bench.scale.workloads", 1000);
    static final int FIRST_USES = Integer.getInteger("wi.bench.scale.first-uses", CLIENTS);
    private static final String NAME = "spiffe-scale";

    @Test
    void throughputByRealmSizeAndRegistrationFreeFirstUse() throws Exception {
        HarnessConfig config = HarnessConfig.fromSystemProperties();
        Assumptions.assumeTrue(config.dedicatedDistAllowed(), "needs the dist backend (a dedicated Keycloak)");
        // The docs' recommendation for realms with registration-free trust domains: the cap is counted
        // through the attribute index (docs/configuration.md). Keycloak's realm and user caches hold
        // 10 000 entries each by default, fewer than these realms' clients and service accounts; an
        // installation of this size raises them (Keycloak's caching guide), so the benchmark does too.
        String cacheEntries = Integer.toString(Math.max(10_000, 5 * (2 * CLIENTS + FIRST_USES)));
        try (BenchmarkServer bench = BenchmarkServer.start(config, NAME, List.of(
                "--spi-client--jpa--searchable-attributes=cimd.managed,spiffe.trust_domain", "--log-level=INFO",
                "--cache-embedded-realms-max-count=" + cacheEntries, "--cache-embedded-users-max-count=" + cacheEntries))) {
            measure(bench.server(), new AdminClient(bench.server()), bench.databaseName());
        }
    }

    private void measure(KeycloakServer server, AdminClient admin, String database) throws Exception {
        List<SpiffeTestAuthority> domains = new ArrayList<>();
        for (int k = 0; k < TRUST_DOMAINS; k++) {
            domains.add(new SpiffeTestAuthority("scale-td" + k + ".test"));
        }
        SpiffeTestAuthority measured = domains.get(0);
        Map<Integer, String> sized = new LinkedHashMap<>();
        StringBuilder setup = new StringBuilder();
        for (int size : sizes(CLIENTS)) {
            String realm = admin.createRealm("scale-" + size);
            sized.put(size, realm);
            trustDomains(admin, realm, domains, false);
            List<ObjectNode> clients = patternClients(domains);
            for (int i = 0; i < size; i++) {
                // Least privilege, as the pack makes registration-free clients: the same token work on both sides.
                clients.add(Spiffe.spiffeClient("w-" + i, measured.spiffeId("/w/" + i)).put("fullScopeAllowed", false));
            }
            long t0 = System.nanoTime();
            Spiffe.importClients(admin, realm, clients, Spiffe.IMPORT_BATCH);
            setup.append(String.format("- realm of %d registered clients + %d patterns: %d clients imported in %.1f s%n",
                    size, PATTERNS, clients.size(), (System.nanoTime() - t0) / 1e9));
        }
        String free = admin.createRealm("scale-free");
        trustDomains(admin, free, domains, true);
        Spiffe.importClients(admin, free, patternClients(domains), Spiffe.IMPORT_BATCH);

        // Correctness first: the first registered workload of every realm gets its own client.
        for (String realm : sized.values()) {
            String svid = jwt(measured, measured.spiffeId("/w/0"), admin.realmUrl(realm));
            Spiffe.assertTokenFor(Spiffe.token(admin, realm, svid), "w-0");
        }

        OptionalLong heapBefore = JvmHeap.usedAfterFullGc(server);
        URI freeIssuer = admin.realmUrl(free);
        List<String> freeIds = new ArrayList<>();
        List<String> firstAssertions = new ArrayList<>();
        for (int i = 0; i < FIRST_USES; i++) {
            freeIds.add(measured.spiffeId("/free/" + i));
            firstAssertions.add(jwt(measured, freeIds.get(i), freeIssuer));
        }
        FirstUse firstUse = firstUses(admin.tokenEndpoint(free), firstAssertions);
        OptionalLong heapAfterFirstUses = JvmHeap.usedAfterFullGc(server);
        assertThat(firstUse.failures.get()).as("first uses refused, last: " + firstUse.lastFailure.get()).isZero();
        assertThat(Spiffe.clientsWithClientId(admin, free, freeIds.get(FIRST_USES - 1))).hasSize(1);

        List<Method> methods = new ArrayList<>();
        sized.forEach((size, realm) -> methods.add(method("registered clients: " + size, measured,
                spread(size, i -> measured.spiffeId("/w/" + i)), admin, realm)));
        String freeName = "registration-free clients: " + FIRST_USES;
        methods.add(method(freeName, measured, spread(FIRST_USES, freeIds::get), admin, free));

        double loadBefore = BenchmarkRounds.load();
        Map<String, Result> results = BenchmarkRounds.run(methods);
        OptionalLong heapAfterRounds = JvmHeap.usedAfterFullGc(server);

        Result base = results.get("registered clients: 1");
        StringBuilder out = new StringBuilder("\n## jwt-spiffe throughput by realm size\n\n")
                .append(String.format("Dedicated Keycloak on %s. Every realm: %d `/*` pattern clients, %d trust domains "
                        + "(static bundles); requests spread over up to %d workloads of the realm, no client_id.%n%n",
                        database, PATTERNS, TRUST_DOMAINS, WORKLOADS))
                .append("| realm | requests/s | mean latency ms | vs 1-client realm | per-round ratio |\n|---|---|---|---|---|\n");
        results.forEach((name, r) -> out.append(String.format("| %s | %.1f | %.2f | %.2f× | %s |%n", name, r.perSecond(),
                r.meanMillis(), r.perSecond() / base.perSecond(), BenchmarkRounds.roundRange(r, base, false))));
        for (Map.Entry<Integer, String> e : sized.entrySet()) {
            if (e.getKey() > 1) {
                Result r = results.get("registered clients: " + e.getKey());
                BenchmarkSummary.ratio(NAME, "jwt-spiffe requests/s, " + e.getKey() + " registered clients",
                        r.perSecond(), base.perSecond(), "requests/s", BenchmarkSummary.Target.AT_LEAST, 0.95,
                        "vs the 1-client realm; " + PATTERNS + " patterns, " + TRUST_DOMAINS + " trust domains each; per round "
                                + BenchmarkRounds.roundRange(r, base, false));
            }
        }
        Result registered = results.get("registered clients: " + CLIENTS);
        Result created = results.get(freeName);
        if (registered != null) {
            BenchmarkSummary.ratio(NAME, "registration-free steady requests/s, " + FIRST_USES + " created clients",
                    created.perSecond(), registered.perSecond(), "requests/s", BenchmarkSummary.Target.AT_LEAST, 0.95,
                    "vs the realm of " + CLIENTS + " registered clients");
        }
        out.append(String.format("%n### Registration-free first use%n%n%d distinct SPIFFE IDs, first request each, "
                + "%d threads: p50 %.1f ms, p99 %.1f ms, max %.1f ms, %.1f first uses/s%n", FIRST_USES,
                BenchmarkRounds.THREADS, firstUse.percentile(50), firstUse.percentile(99), firstUse.percentile(100),
                FIRST_USES / firstUse.seconds));
        BenchmarkSummary.value(NAME, "registration-free first use p50", firstUse.percentile(50), "ms", FIRST_USES + " distinct IDs");
        BenchmarkSummary.value(NAME, "registration-free first use p99", firstUse.percentile(99), "ms", FIRST_USES + " distinct IDs");
        out.append("\n### Keycloak heap after a full GC (jcmd GC.run, GC.heap_info)\n\n");
        heap(out, "before the first uses", heapBefore);
        heap(out, "after " + FIRST_USES + " first uses", heapAfterFirstUses);
        heap(out, "after the rounds", heapAfterRounds);
        if (heapBefore.isPresent() && heapAfterFirstUses.isPresent()) {
            BenchmarkSummary.value(NAME, "heap growth over " + FIRST_USES + " first uses",
                    (heapAfterFirstUses.getAsLong() - heapBefore.getAsLong()) / 1048576.0, "MiB",
                    "after full GC; " + heapBefore.getAsLong() / 1048576 + " MiB before");
        }
        out.append("\nSet-up:\n").append(setup);
        out.append(BenchmarkRounds.machine(loadBefore));
        BenchmarkRounds.publish(NAME + ".md", out.toString());

        results.forEach((name, r) -> assertThat(r.failures.get()).as(name + ": " + r.lastFailure).isZero());
        results.forEach((name, r) -> assertThat(r.ok.get()).as(name).isPositive());
        // No realm deletion: the server and its database are this benchmark's own and go with it (deleting a
        // realm of 10 000 clients and their service accounts can outlast the admin client's timeout).
    }

    /** 1, a tenth and all: the realm sizes measured. */
    static List<Integer> sizes(int clients) {
        return List.copyOf(new TreeSet<>(List.of(1, Math.max(1, clients / 10), Math.max(1, clients))));
    }

    /** Up to {@link #WORKLOADS} of {@code count} IDs, evenly spread, so a realm's whole range is used. */
    static List<String> spread(int count, java.util.function.IntFunction<String> id) {
        int n = Math.min(count, WORKLOADS);
        List<String> ids = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            ids.add(id.apply((int) ((long) j * count / n)));
        }
        return ids;
    }

    private static List<ObjectNode> patternClients(List<SpiffeTestAuthority> domains) {
        List<ObjectNode> clients = new ArrayList<>();
        for (int p = 0; p < PATTERNS; p++) {
            clients.add(Spiffe.spiffeClient("p-" + p, domains.get(p % domains.size()).spiffeId("/p" + p + "/*")));
        }
        return clients;
    }

    private static void trustDomains(AdminClient admin, String realm, List<SpiffeTestAuthority> domains, boolean registrationFree) {
        for (int k = 0; k < domains.size(); k++) {
            Spiffe.TrustDomainConfig config = Spiffe.TrustDomainConfig.staticBundle(domains.get(k))
                    .replayProtection(false).set("maxSvidLifetimeSeconds", "7200");
            if (registrationFree && k == 0) {
                // A cap above the first uses: each first use counts the trust domain's clients, as in production.
                config.registrationFree(null, domains.get(k).spiffeId("/free/*"))
                        .set("registrationFreeMaxClients", Integer.toString(FIRST_USES + 1000));
            }
            Spiffe.createTrustDomain(admin, realm, config);
        }
    }

    private static String jwt(SpiffeTestAuthority authority, String spiffeId, URI issuer) {
        return authority.svid(spiffeId).audience(issuer.toString()).expiresIn(Duration.ofMinutes(110)).sign();
    }

    private static Method method(String name, SpiffeTestAuthority authority, List<String> ids, AdminClient admin, String realm) {
        URI token = admin.tokenEndpoint(realm);
        List<String> bodies = ids.stream().map(id -> "grant_type=client_credentials&client_assertion_type="
                + enc(Spiffe.JWT_SPIFFE) + "&client_assertion=" + enc(jwt(authority, id, admin.realmUrl(realm)))).toList();
        return new Method(name, thread -> HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build(),
                () -> HttpRequest.newBuilder(token).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(bodies.get(ThreadLocalRandom.current().nextInt(bodies.size()))))
                        .build(),
                r -> r.statusCode() == 200 && r.body().contains("\"access_token\""));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** First requests of distinct SPIFFE IDs: latencies and failures. */
    private static final class FirstUse {
        final long[] nanos;
        final AtomicInteger failures = new AtomicInteger();
        final AtomicReference<String> lastFailure = new AtomicReference<>();
        double seconds;

        FirstUse(int n) {
            nanos = new long[n];
        }

        double percentile(int p) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }
    }

    private static FirstUse firstUses(URI token, List<String> assertions) throws Exception {
        FirstUse result = new FirstUse(assertions.size());
        ConcurrentLinkedQueue<Integer> next = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < assertions.size(); i++) {
            next.add(i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(BenchmarkRounds.THREADS);
        long start = System.nanoTime();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < BenchmarkRounds.THREADS; t++) {
                workers.add(pool.submit(() -> {
                    Integer i;
                    while ((i = next.poll()) != null) {
                        long sent = System.nanoTime();
                        Http.Response r = Http.postForm(token, Http.form("grant_type", "client_credentials",
                                "client_assertion_type", Spiffe.JWT_SPIFFE, "client_assertion", assertions.get(i)));
                        result.nanos[i] = System.nanoTime() - sent;
                        if (r.status() != 200) {
                            result.failures.incrementAndGet();
                            result.lastFailure.set(r.toString());
                        }
                    }
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
        result.seconds = (System.nanoTime() - start) / 1e9;
        return result;
    }

    private static void heap(StringBuilder out, String when, OptionalLong bytes) {
        out.append(String.format("- %s: %s%n", when, bytes.isPresent()
                ? String.format("%.1f MiB", bytes.getAsLong() / 1048576.0) : "not available (not the dist backend, or jcmd failed)"));
    }
}
