package dev.workloadid.keycloak.it.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.cimd.CimdRealms;
import dev.workloadid.keycloak.it.dcr.Dcr;
import dev.workloadid.keycloak.it.fixtures.FaultyHttpsServer;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import dev.workloadid.keycloak.it.spiffe.Spiffe;
import dev.workloadid.keycloak.it.x509.X509Realm;
import dev.workloadid.keycloak.spiffe.authenticator.SpiffeClients;
import dev.workloadid.keycloak.spiffe.x509.X509SvidIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long run of mixed traffic against one Keycloak (only with {@code -Psoak}; {@code
 * -Dwi.soak.minutes}, default 10): JWT-SVID and X.509-SVID token requests across many SPIFFE IDs,
 * authorization requests of many URL client_ids, registrations (and their deletion) at the pack's
 * registration endpoint, and requests that must be refused. Every answer that is neither the
 * expected success nor the expected refusal counts as an error, and there must be none. Heap after a
 * full GC, live threads and open file descriptors of the Keycloak process are measured after the
 * warm-up and at the end; the report ({@code target/soak/report.md}) says whether they stayed within
 * 10 %. Only gross leaks are asserted.
 */
@Tag("soak")
@ExtendWith(KeycloakExtension.class)
class SoakIT {

    private static final double MINUTES = Double.parseDouble(System.getProperty("wi.soak.minutes", "10"));
    private static final int THREADS = 4;
    private static final int SPIFFE_IDS = 500;
    private static final int URLS = 200;
    private static final int X509_SVIDS = 16;
    private static final String DOCS_HOST = "mcp-client.docs.test";
    private static final String REDIRECT = "http://127.0.0.1:48123/cb";
    private static final Path REPORT = Path.of("target/soak/report.md");

    /** What the mixed traffic does, in turn. */
    enum Kind {
        JWT_SVID, X509_SVID, URL_CLIENT_LOGIN, REGISTRATION, REFUSED_JWT_SVID, REFUSED_URL_CLIENT, REFUSED_X509
    }

    private static KeycloakServer server;
    private static String realm;
    private static String issuer;
    private static FaultyHttpsServer peers;
    private static SpiffeTestAuthority authority;
    private static SpiffeTestAuthority stranger;
    private static List<HttpClient> x509Clients;
    private static HttpClient noCertificate;
    private static URI tls;
    private static String initialAccessToken;

    @BeforeAll
    static void setUp(KeycloakServer keycloak, AdminClient admin) {
        server = keycloak;
        realm = X509Realm.create(admin, "soak");
        issuer = admin.realmUrl(realm).toString();
        // Every URL client login starts an authentication session that Keycloak keeps for the login
        // timeout (30 min by default): a one-minute timeout lets heap reach a steady state within the run.
        AdminClient.expect(admin.put("/realms/" + realm, Http.JSON.createObjectNode().put("accessCodeLifespan", 60)
                .put("accessCodeLifespanLogin", 60).put("accessCodeLifespanUserAction", 60)), 204);
        peers = new FaultyHttpsServer(TestCa.shared());

        authority = new SpiffeTestAuthority("soak.test").refreshHint(30L)
                .serveOn(peers, "bundles.td-one.test", "/soak/bundle");
        Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.httpsWeb(authority));
        Spiffe.createSpiffeClient(admin, realm, "soak-workloads", authority.spiffeId("/w/*"));
        // Same trust domain name, keys nobody trusts.
        stranger = new SpiffeTestAuthority("soak.test");

        for (int i = 0; i < URLS; i++) {
            String path = "/soak/client-" + i + ".json";
            String clientId = peers.url(DOCS_HOST, path).toString();
            ObjectNode doc = Http.JSON.createObjectNode().put("client_id", clientId).put("client_name", "Soak client " + i);
            doc.putArray("redirect_uris").add(REDIRECT);
            peers.serve(path, () -> new FaultyHttpsServer.Document("application/json", doc.toString(), "max-age=120"));
        }
        CimdRealms.configure(admin, realm, Map.of("allowedHosts", List.of(DOCS_HOST)));

        if (keycloak.httpsUrl().isPresent()) {
            tls = keycloak.httpsUrl().get();
            SpiffeX509Authorities x509 = SpiffeX509Authorities.shared();
            X509Realm.client(admin, realm, "soak-x509", "spiffe-x509-svid",
                    Map.of(SpiffeClients.SPIFFE_ID_ATTRIBUTE, "spiffe://" + SpiffeX509Authorities.TD_ONE + "/soak/*"));
            x509Clients = new ArrayList<>();
            for (int i = 0; i < X509_SVIDS; i++) {
                X509SvidIssuer.Svid svid = x509.one().svid("/soak/w" + i).issue();
                x509Clients.add(x509.client(svid.keyStore()));
            }
            noCertificate = x509.client(null);
        }
        initialAccessToken = admin.post("/realms/" + realm + "/clients-initial-access",
                Map.of("expiration", 0, "count", 1_000_000)).json().get("token").asText();
        // The first document and bundle fetches of a fresh Keycloak load the fetcher's classes and
        // make its first TLS handshakes; on a busy machine that has taken longer than the 5 s fetch
        // deadline. Not what a soak measures: one success of each kind before the clock starts.
        AtomicLong attempt = new AtomicLong();
        for (Kind kind : Kind.values()) {
            if (tls != null || kind != Kind.X509_SVID && kind != Kind.REFUSED_X509) {
                // A new URL per attempt: a failed one is not fetched again for failureRetrySeconds.
                Spiffe.poll(Duration.ofSeconds(90), Duration.ofSeconds(3), () -> run(admin, kind, attempt.getAndIncrement()),
                        problem -> problem == null, "a first " + kind + " request as expected");
            }
        }
    }

    @AfterAll
    static void tearDown(AdminClient admin) {
        if (realm != null) {
            admin.deleteRealm(realm);
        }
        if (peers != null) {
            peers.close();
        }
    }

    @Test
    void mixedTrafficWithoutErrorsOrLeaks(AdminClient admin) throws Exception {
        Duration total = Duration.ofMillis((long) (MINUTES * 60_000));
        Duration warmUp = Duration.ofMillis(Math.min(60_000, total.toMillis() / 4));
        Map<Kind, AtomicLong> done = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            done.put(k, new AtomicLong());
        }
        AtomicLong errors = new AtomicLong();
        ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();
        AtomicLong turn = new AtomicLong();
        Instant start = Instant.now();
        Instant end = start.plus(total);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        for (int t = 0; t < THREADS; t++) {
            pool.execute(() -> {
                while (Instant.now().isBefore(end)) {
                    long n = turn.getAndIncrement();
                    Kind kind = Kind.values()[(int) (n % Kind.values().length)];
                    if (tls == null && (kind == Kind.X509_SVID || kind == Kind.REFUSED_X509)) {
                        continue;
                    }
                    String problem;
                    try {
                        problem = run(admin, kind, n);
                    } catch (RuntimeException e) {
                        problem = e.toString();
                    }
                    if (problem == null) {
                        done.get(kind).incrementAndGet();
                    } else {
                        errors.incrementAndGet();
                        if (firstErrors.size() < 20) {
                            firstErrors.add(kind + " #" + n + ": " + problem);
                        }
                    }
                }
            });
        }
        Thread.sleep(warmUp.toMillis());
        Resources afterWarmUp = Resources.measure(server);
        pool.shutdown();
        assertThat(pool.awaitTermination(total.toMillis() + 120_000, TimeUnit.MILLISECONDS)).isTrue();
        Instant stopped = Instant.now();
        Resources atEnd = Resources.measure(server);
        Duration ran = Duration.between(start, stopped);

        String report = report(ran, warmUp, done, errors.get(), firstErrors, afterWarmUp, atEnd);
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, report);
        System.out.println("[soak] " + REPORT.toAbsolutePath() + "\n" + report);

        assertThat(errors.get()).as("answers other than the expected successes and refusals: %s", firstErrors).isZero();
        for (Kind k : Kind.values()) {
            if (tls != null || k != Kind.X509_SVID && k != Kind.REFUSED_X509) {
                assertThat(done.get(k).get()).as("%s requests done", k).isPositive();
            }
        }
        // Gross leaks only: the figures themselves are reported, since a JVM's heap and thread pools
        // legitimately move by more than a few per cent.
        assertThat(atEnd.liveThreads).as("live threads at the end vs after warm-up (%s)", afterWarmUp.liveThreads)
                .isLessThan(afterWarmUp.liveThreads * 2 + 50);
        if (afterWarmUp.openFds > 0) {
            assertThat(atEnd.openFds).as("open file descriptors at the end vs after warm-up (%s)", afterWarmUp.openFds)
                    .isLessThan(afterWarmUp.openFds * 2 + 100);
        }
        assertThat(atEnd.heapBytes).as("heap after GC at the end vs after warm-up (%s)", afterWarmUp.heapBytes)
                .isLessThan(afterWarmUp.heapBytes * 3 + 256L * 1024 * 1024);
    }

    /** One request of {@code kind}; null when it got what it should, else what went wrong. */
    private static String run(AdminClient admin, Kind kind, long n) {
        return switch (kind) {
            case JWT_SVID -> expect(Spiffe.token(admin, realm,
                    authority.svid("/w/" + n % SPIFFE_IDS).audience(issuer).sign()), 200, null);
            case REFUSED_JWT_SVID -> expect(Spiffe.token(admin, realm, n % 2 == 0
                    ? stranger.svid("/w/" + n % SPIFFE_IDS).audience(issuer).sign()
                    // Outside the client's pattern.
                    : authority.svid("/other/" + n % SPIFFE_IDS).audience(issuer).sign()), 401, "invalid_client");
            case X509_SVID -> expect(X509Realm.post(x509Clients.get((int) (n % X509_SVIDS)),
                    tls.resolve("/realms/" + realm + "/protocol/openid-connect/token"),
                    Map.of("grant_type", "client_credentials"), null), 200, null);
            case REFUSED_X509 -> expect(X509Realm.post(noCertificate,
                    tls.resolve("/realms/" + realm + "/protocol/openid-connect/token"),
                    Map.of("grant_type", "client_credentials", "client_id", "soak-x509"), null), 401, "invalid_client");
            case URL_CLIENT_LOGIN -> expect(authorize(admin, peers.url(DOCS_HOST, "/soak/client-" + n % URLS + ".json")
                    .toString()), 200, null);
            case REFUSED_URL_CLIENT -> expect(authorize(admin, peers.url("unlisted.docs.test",
                    "/soak/client-" + n % URLS + ".json").toString()), 400, null);
            case REGISTRATION -> register(admin, n);
        };
    }

    private static String register(AdminClient admin, long n) {
        Http.Response created = Dcr.post(Dcr.endpoint(admin, realm),
                Dcr.metadata("https://app-" + n % 1000 + ".example.com/cb").put("client_name", "soak registration " + n),
                initialAccessToken);
        String problem = expect(created, 201, null);
        if (problem != null) {
            return problem;
        }
        JsonNode body = created.json();
        // Deleted again, so the run measures the pack, not a growing client table.
        return expect(Dcr.delete(URI.create(body.get("registration_client_uri").asText()),
                body.get("registration_access_token").asText()), 204, null);
    }

    private static Http.Response authorize(AdminClient admin, String clientId) {
        return CimdRealms.authorize(admin, realm, clientId, REDIRECT);
    }

    private static String expect(Http.Response r, int status, String error) {
        if (r.status() != status) {
            return "expected " + status + ", got " + r.status() + " " + abbreviate(r.body());
        }
        if (error != null && !error.equals(r.json().path("error").asText())) {
            return "expected error " + error + ", got " + abbreviate(r.body());
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s == null || s.length() < 300 ? s : s.substring(0, 300) + "…";
    }

    /**
     * Heap after a full GC (when the pid is known), live threads and open file descriptors of Keycloak,
     * and its threads counted by name with the numbers taken out ("executor-thread-#"), so a change in
     * the thread count says which pool grew.
     */
    record Resources(long heapBytes, long liveThreads, long openFds, boolean fullGc, Map<String, Integer> threadGroups) {

        static Resources measure(KeycloakServer server) throws IOException, InterruptedException {
            OptionalLong pid = server.pid();
            boolean gc = false;
            Map<String, Integer> groups = new java.util.TreeMap<>();
            if (pid.isPresent()) {
                Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid.getAsLong()), "GC.run")
                        .redirectErrorStream(true).start();
                gc = jcmd.waitFor(60, TimeUnit.SECONDS) && jcmd.exitValue() == 0;
                Thread.sleep(1000);
                Process dump = new ProcessBuilder("jcmd", Long.toString(pid.getAsLong()), "Thread.print")
                        .redirectErrorStream(true).start();
                String threads = new String(dump.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                dump.waitFor(60, TimeUnit.SECONDS);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\"([^\"]*)\"").matcher(threads);
                while (m.find()) {
                    groups.merge(m.group(1).replaceAll("\\d+", "#"), 1, Integer::sum);
                }
            }
            URI metrics = server.managementUrl().orElseThrow(() -> new AssertionError("no management interface"))
                    .resolve("/metrics");
            String text = Http.get(metrics).body();
            long heap = (long) sum(text, "jvm_memory_used_bytes{", "area=\"heap\"");
            long threads = (long) sum(text, "jvm_threads_live_threads", "");
            long fds = pid.isPresent() && Files.isDirectory(Path.of("/proc/" + pid.getAsLong() + "/fd"))
                    ? countFds(pid.getAsLong()) : (long) sum(text, "process_files_open_files", "");
            return new Resources(heap, threads, fds, gc, groups);
        }

        private static long countFds(long pid) throws IOException {
            try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                return s.count();
            }
        }

        private static double sum(String metrics, String prefix, String mustContain) {
            double total = 0;
            for (String line : metrics.split("\n")) {
                if (line.startsWith(prefix) && line.contains(mustContain)) {
                    total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return total;
        }
    }

    private static String report(Duration ran, Duration warmUp, Map<Kind, AtomicLong> done, long errors,
                                 Iterable<String> firstErrors, Resources warm, Resources end) {
        StringBuilder r = new StringBuilder("# Soak report\n\n");
        long all = done.values().stream().mapToLong(AtomicLong::get).sum();
        r.append("Ran ").append(ran.toSeconds()).append(" s (warm-up ").append(warmUp.toSeconds()).append(" s) with ")
                .append(THREADS).append(" client threads against the ").append(server.backendName())
                .append(" backend: ").append(all).append(" requests as expected, ").append(errors)
                .append(" errors (answers other than the expected successes and refusals). ").append(SPIFFE_IDS)
                .append(" distinct JWT-SVID SPIFFE IDs, ").append(tls == null ? 0 : X509_SVIDS)
                .append(" X.509-SVIDs, ").append(URLS).append(" URL client_ids.\n\n");
        r.append("| Traffic | Done as expected |\n|---|---|\n");
        done.forEach((k, v) -> r.append("| ").append(k.name().toLowerCase().replace('_', ' ')).append(" | ")
                .append(v.get()).append(" |\n"));
        r.append("\n| Keycloak process | After warm-up | At the end | Change | Within 10 % |\n|---|---|---|---|---|\n");
        row(r, "Heap used after " + (warm.fullGc() && end.fullGc() ? "a full GC (jcmd GC.run)" : "the last GC (no pid: no forced GC)"),
                warm.heapBytes() / 1048576.0, end.heapBytes() / 1048576.0, " MiB");
        row(r, "Live threads", warm.liveThreads(), end.liveThreads(), "");
        row(r, "Open file descriptors", warm.openFds(), end.openFds(), "");
        java.util.Set<String> names = new java.util.TreeSet<>(warm.threadGroups().keySet());
        names.addAll(end.threadGroups().keySet());
        StringBuilder changed = new StringBuilder();
        for (String name : names) {
            int before = warm.threadGroups().getOrDefault(name, 0);
            int after = end.threadGroups().getOrDefault(name, 0);
            if (before != after) {
                changed.append("| `").append(name).append("` | ").append(before).append(" | ").append(after).append(" |\n");
            }
        }
        if (!changed.isEmpty()) {
            r.append("\nThreads whose number changed (jcmd Thread.print, digits as #):\n\n| Thread name | After warm-up | At the end |\n|---|---|---|\n")
                    .append(changed);
        }
        if (errors > 0) {
            r.append("\nFirst errors:\n\n");
            firstErrors.forEach(e -> r.append("- ").append(e).append('\n'));
        }
        return r.toString();
    }

    private static void row(StringBuilder r, String what, double before, double after, String unit) {
        double change = before == 0 ? Double.NaN : (after - before) / before * 100;
        r.append("| ").append(what).append(" | ").append(String.format(java.util.Locale.ROOT, "%.1f%s", before, unit))
                .append(" | ").append(String.format(java.util.Locale.ROOT, "%.1f%s", after, unit)).append(" | ")
                .append(String.format(java.util.Locale.ROOT, "%+.1f %%", change)).append(" | ")
                .append(Math.abs(change) <= 10 ? "yes" : "no").append(" |\n");
    }
}
