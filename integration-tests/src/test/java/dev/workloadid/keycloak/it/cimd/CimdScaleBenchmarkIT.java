package dev.workloadid.keycloak.it.cimd;

import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds;
import dev.workloadid.keycloak.it.harness.BenchmarkServer;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds.Method;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds.Result;
import dev.workloadid.keycloak.it.harness.BenchmarkSummary;
import dev.workloadid.keycloak.it.harness.BenchmarkSummary.Target;
import dev.workloadid.keycloak.it.harness.HarnessConfig;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.PostgresDatabase;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Benchmark, not a test of speed: URL client_ids in a realm that already holds many document clients
 * ({@code -Dwi.bench.cimd.scale.clients}, 1 000 by default), on a dedicated Keycloak with the
 * production refresh interval (15 s) and, where PostgreSQL answers on 127.0.0.1:5432, a PostgreSQL
 * database so the refresh task's database work can be read from PostgreSQL's own statistics.
 * <ol>
 *   <li>First use of every URL (4 threads): p50/p99 latency, one document fetch each.</li>
 *   <li>The refresh task's cost: every document was served with {@code max-age=1}, so once the
 *   documents say {@code max-age=3600} all clients are due; the run that revalidates them (one
 *   conditional request each, answered 304) is timed at the document host, and PostgreSQL's
 *   transaction and scan counters are read before and after. Then a window of two quiet intervals
 *   (nothing due) shows what a run costs when it has nothing to do.</li>
 *   <li>The warm authorization request of one of those URL clients vs a pre-registered client in the
 *   same realm (as {@link CimdAuthorizationBenchmarkIT}), target ≤ 1.03× latency.</li>
 * </ol>
 * Reports to {@code target/benchmark/cimd-scale.md} and {@link BenchmarkSummary}. Only correctness
 * is asserted (every request answered as expected, one fetch per first use, every due client revalidated).
 */
@Tag("benchmark")
class CimdScaleBenchmarkIT {

    private static final int CLIENTS = Integer.getInteger("wi.bench.cimd.scale.clients", 1000);
    private static final int REFRESH_SECONDS = 15;
    private static final String BENCH = "cimd-scale";
    private static final String URL_CLIENT = "URL client (CIMD, warm)";
    private static final String ORDINARY = "pre-registered client";

    @Test
    void manyDocumentClients() throws Exception {
        HarnessConfig config = HarnessConfig.fromSystemProperties();
        Assumptions.assumeTrue(config.dedicatedDistAllowed(), "needs the dist backend (a dedicated Keycloak)");
        try (BenchmarkServer bench = BenchmarkServer.start(config, "cimd-scale", List.of(
                "--spi-client-storage--wi-cimd--refresh-interval-seconds=" + REFRESH_SECONDS,
                // The refresh task's per-client DEBUG lines would be 1 000 log lines per run.
                "--log-level=INFO"));
             DocumentHost host = new DocumentHost(TestCa.shared(config.workDir()))) {
            Optional<PostgresDatabase> database = bench.database();
            AdminClient admin = new AdminClient(bench.server());
            String realm = admin.createRealm("scale-cimd");
            AdminClient.expect(admin.put("/realms/" + realm, Http.JSON.createObjectNode()
                    .put("accessCodeLifespanLogin", 120).put("accessCodeLifespanUserAction", 120)), 204);
            CimdRealms.configure(admin, realm, Map.of("allowedHosts", List.of(DocumentHost.HOST)));
            URI auth = admin.realmUrl(realm).resolve("/realms/" + realm + "/protocol/openid-connect/auth");

            List<DocumentHost.Versioned> docs = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                String path = path(i);
                DocumentHost.Versioned doc = new DocumentHost.Versioned(
                        CimdIT.publicDoc(host.url(path), "Scale client " + i), "\"s" + i + "\"", "max-age=1");
                host.versioned(path, doc);
                docs.add(doc);
            }

            // 1. First use of every URL.
            List<Long> firstUse = firstUses(auth, host);
            IntStream.range(0, CLIENTS).forEach(i -> assertThat(host.hits(path(i))).as(path(i)).isGreaterThanOrEqualTo(1));

            // 2. The refresh task. Every document says max-age=1, so each run finds every client due:
            // the next whole run after the first uses is timed (runs are separated by the interval).
            RunStart run = awaitRunStart(host);
            long[] dbBefore = counters(database);
            awaitEachRevalidated(host, run.before());
            long runEnd = System.nanoTime();
            Thread.sleep(2000); // PostgreSQL publishes its counters at most once a second
            long[] dbAfterRun = counters(database);
            // Then nothing due: the documents now say max-age=3600, the next run renews every client,
            // and two quiet runs after it show what a run costs when it has nothing to fetch.
            docs.forEach(d -> d.cacheControl = "max-age=3600");
            awaitNoFetchFor(host, Duration.ofSeconds(REFRESH_SECONDS + 10));
            long[] dbQuietStart = counters(database);
            int quietFetches = notModified(host);
            Thread.sleep(2L * REFRESH_SECONDS * 1000);
            long[] dbAfterQuiet = counters(database);
            assertThat(notModified(host)).as("no fetch while every document is fresh").isEqualTo(quietFetches);

            // 3. Warm authorization request, URL client vs pre-registered client, same realm.
            CimdAuthorizationBenchmarkIT.createOrdinaryClient(admin, realm);
            List<Method> methods = List.of(CimdAuthorizationBenchmarkIT.method(URL_CLIENT, auth, host.url(path(0))),
                    CimdAuthorizationBenchmarkIT.method(ORDINARY, auth, "ordinary-client"));
            double loadBefore = BenchmarkRounds.load();
            Map<String, Result> results = BenchmarkRounds.run(methods);
            results.forEach((name, r) -> assertThat(r.failures.get()).as(name + ": " + r.lastFailure).isZero());
            Result url = results.get(URL_CLIENT);
            Result pre = results.get(ORDINARY);

            Collections.sort(firstUse);
            double p50 = firstUse.get(firstUse.size() / 2) / 1e6;
            double p99 = firstUse.get(Math.min(firstUse.size() - 1, (int) Math.ceil(firstUse.size() * 0.99) - 1)) / 1e6;
            double runSeconds = (runEnd - run.nanos()) / 1e9;
            String clients = CLIENTS + " document clients";
            BenchmarkSummary.ratio(BENCH, "warm authorization latency, URL client vs pre-registered (" + clients + ")",
                    url.meanMillis(), pre.meanMillis(), "ms", Target.AT_MOST, 1.03, "per-round " + BenchmarkRounds.roundRange(url, pre, true));
            BenchmarkSummary.value(BENCH, "first use p50 (" + clients + ", 4 threads)", p50, "ms", "");
            BenchmarkSummary.value(BENCH, "first use p99 (" + clients + ", 4 threads)", p99, "ms", "");
            BenchmarkSummary.value(BENCH, "refresh run with " + CLIENTS + " due clients: first to last 304", runSeconds, "s",
                    String.format("%.1f ms per client, one conditional request (304) each", runSeconds * 1000 / CLIENTS));
            if (database.isPresent()) {
                BenchmarkSummary.value(BENCH, "refresh run with " + CLIENTS + " due clients: database transactions",
                        dbAfterRun[0] - dbBefore[0], "commits", "PostgreSQL pg_stat_database, whole Keycloak, idle otherwise");
                BenchmarkSummary.value(BENCH, "refresh run with " + CLIENTS + " due clients: table scans",
                        dbAfterRun[1] - dbBefore[1], "index + sequential scans", "pg_stat_user_tables");
                BenchmarkSummary.value(BENCH, "quiet refresh run (nothing due): database transactions",
                        (dbAfterQuiet[0] - dbQuietStart[0]) / 2.0, "commits per run", "mean of two runs");
                BenchmarkSummary.value(BENCH, "quiet refresh run (nothing due): table scans",
                        (dbAfterQuiet[1] - dbQuietStart[1]) / 2.0, "scans per run", "mean of two runs");
            }
            BenchmarkRounds.publish("cimd-scale.md", report(results, p50, p99, runSeconds, dbBefore, dbAfterRun,
                    dbQuietStart, dbAfterQuiet, database.isPresent(), loadBefore));
        }
    }

    /** When a refresh run started, and each document's 304 count just before it. */
    private record RunStart(long nanos, int[] before) {
    }

    /**
     * Waits for the start of a refresh run: the first 304 at the host after at least 8 s without one
     * (runs are an interval, 15 s, apart; a run itself never pauses that long).
     */
    private static RunStart awaitRunStart(DocumentHost host) throws InterruptedException {
        int[] last = counts(host);
        long lastChange = System.nanoTime();
        long deadline = lastChange + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(50);
            int[] now = counts(host);
            if (!Arrays.equals(now, last)) {
                if (System.nanoTime() - lastChange >= Duration.ofSeconds(8).toNanos()) {
                    return new RunStart(System.nanoTime(), last);
                }
                last = now;
                lastChange = System.nanoTime();
            }
        }
        throw new AssertionError("no refresh run started within 5 minutes");
    }

    /** Waits until every document has had at least one more conditional request than {@code before}. */
    private static void awaitEachRevalidated(DocumentHost host, int[] before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (true) {
            int[] now = counts(host);
            if (IntStream.range(0, CLIENTS).allMatch(i -> now[i] > before[i])) {
                return;
            }
            assertThat(System.nanoTime()).as("every due client revalidated (304 at the host) within 10 minutes")
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Waits until the host has seen no conditional request for {@code quiet}: every client is fresh. */
    private static void awaitNoFetchFor(DocumentHost host, Duration quiet) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        int last = notModified(host);
        long lastChange = System.nanoTime();
        while (System.nanoTime() - lastChange < quiet.toNanos()) {
            assertThat(System.nanoTime()).as("every client renewed for an hour within 10 minutes").isLessThan(deadline);
            Thread.sleep(100);
            int now = notModified(host);
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            }
        }
    }

    private static int[] counts(DocumentHost host) {
        return IntStream.range(0, CLIENTS).map(i -> host.notModified(path(i))).toArray();
    }

    private static String path(int i) {
        return "/scale/" + i + ".json";
    }

    private static int notModified(DocumentHost host) {
        return IntStream.range(0, CLIENTS).map(i -> host.notModified(path(i))).sum();
    }

    /** First use of every URL by 4 threads; each request's latency in nanoseconds. */
    private static List<Long> firstUses(URI auth, DocumentHost host) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(BenchmarkRounds.THREADS);
        try {
            List<Future<Long>> futures = new ArrayList<>();
            HttpClient[] clients = IntStream.range(0, BenchmarkRounds.THREADS)
                    .mapToObj(t -> CimdAuthorizationBenchmarkIT.newClient()).toArray(HttpClient[]::new);
            for (int i = 0; i < CLIENTS; i++) {
                String url = host.url(path(i));
                HttpClient client = clients[i % clients.length];
                futures.add(pool.submit(() -> {
                    long start = System.nanoTime();
                    HttpResponse<String> r = client.send(CimdAuthorizationBenchmarkIT.request(auth, url),
                            HttpResponse.BodyHandlers.ofString());
                    long nanos = System.nanoTime() - start;
                    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
                    assertThat(r.body()).as(url).contains(CimdAuthorizationBenchmarkIT.LOGIN_FORM);
                    return nanos;
                }));
            }
            List<Long> out = new ArrayList<>();
            for (Future<Long> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** {committed transactions, index + sequential scans} of the benchmark's database; zeros without PostgreSQL. */
    private static long[] counters(Optional<PostgresDatabase> database) throws SQLException {
        if (database.isEmpty()) {
            return new long[] {0, 0};
        }
        try (Connection c = database.get().connect(); Statement s = c.createStatement()) {
            long commits;
            try (ResultSet r = s.executeQuery("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
                r.next();
                commits = r.getLong(1);
            }
            try (ResultSet r = s.executeQuery(
                    "SELECT COALESCE(SUM(COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0)), 0) FROM pg_stat_user_tables")) {
                r.next();
                return new long[] {commits, r.getLong(1)};
            }
        }
    }

    private static String report(Map<String, Result> results, double p50, double p99, double runSeconds,
                                 long[] before, long[] afterRun, long[] quietStart, long[] afterQuiet, boolean postgres,
                                 double loadBefore) {
        Result url = results.get(URL_CLIENT);
        Result pre = results.get(ORDINARY);
        StringBuilder out = new StringBuilder(String.format("%n## URL client_ids in a realm with %d document clients%n%n", CLIENTS))
                .append(String.format("Dedicated Keycloak, refresh interval %d s, database %s.%n%n", REFRESH_SECONDS,
                        postgres ? "PostgreSQL (127.0.0.1:5432)" : "H2 (PostgreSQL not reachable: no database figures)"))
                .append("| client | requests/s | mean latency ms | latency vs pre-registered |\n|---|---|---|---|\n");
        results.forEach((name, r) -> out.append(String.format("| %s | %.1f | %.2f | %.2f× |%n", name, r.perSecond(),
                r.meanMillis(), r.meanMillis() / pre.meanMillis())));
        out.append(String.format("%nPer-round latency ratios: %s. Target ≤ 1.03×: %.2f×%n",
                BenchmarkRounds.roundRange(url, pre, true), url.meanMillis() / pre.meanMillis()));
        out.append(String.format("%nFirst use of %d URLs (4 threads): p50 %.1f ms, p99 %.1f ms.%n", CLIENTS, p50, p99));
        out.append(String.format("%nRefresh run with %d due clients: %.1f s from the first to the last conditional request "
                + "(%.1f ms per client).%n", CLIENTS, runSeconds, runSeconds * 1000 / CLIENTS));
        if (postgres) {
            out.append(String.format("Database during that run: %d commits, %d table scans. A quiet run (nothing due): "
                    + "%.0f commits, %.0f table scans (mean of two).%n", afterRun[0] - before[0], afterRun[1] - before[1],
                    (afterQuiet[0] - quietStart[0]) / 2.0, (afterQuiet[1] - quietStart[1]) / 2.0));
        }
        out.append(BenchmarkRounds.machine(loadBefore));
        return out.toString();
    }
}
