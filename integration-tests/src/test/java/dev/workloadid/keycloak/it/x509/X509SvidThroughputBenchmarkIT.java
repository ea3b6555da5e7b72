package dev.workloadid.keycloak.it.x509;

import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds;
import dev.workloadid.keycloak.it.harness.BenchmarkSummary;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds.Method;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds.Result;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import dev.workloadid.keycloak.it.harness.ProcessCpu;
import dev.workloadid.keycloak.spiffe.authenticator.SpiffeClients;
import dev.workloadid.keycloak.spiffe.x509.X509SvidIssuer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Benchmark, not a test of speed: client_credentials throughput of {@code spiffe-x509-svid}
 * (the X.509-SVID as TLS client certificate on Keycloak's own HTTPS listener, {@code
 * --https-client-auth=request}) against {@code client-secret} over the same listener, same Keycloak,
 * same run, rounds interleaved. The baseline sends no client certificate (what a secret client does on
 * a {@code request} listener); a second, informational baseline sends the secret on a connection that
 * carries the SVID, so the TLS client authentication is the same as the SVID method's and only the
 * client authenticator differs.
 *
 * <p>Four client threads, each with its own {@link HttpClient} (HTTP/1.1 keep-alive, an
 * {@link SSLContext} carrying the SVID key or none) made once per method and kept for the whole run:
 * the handshakes happen in the warm-up round, so the rounds measure Keycloak's request handling, not
 * TLS handshakes. A counting key manager proves it: Keycloak asks for a client certificate in every
 * full handshake, and the report prints how many happened during the measured rounds. Request bodies
 * are built before each round. The summary's ratio is the median of the rounds' paired ratios (one
 * slow round on a shared machine moves the ratio of totals by more than the 3 % the target leaves);
 * where Keycloak is a local process, its CPU time per request is reported per method too.
 * Writes {@code target/benchmark/x509-svid.md}. Only correctness is
 * asserted.
 */
@Tag("benchmark")
@ExtendWith(KeycloakExtension.class)
class X509SvidThroughputBenchmarkIT {

    private static final String SVID = "spiffe-x509-svid (pack)";
    private static final String SECRET = "client-secret, no client certificate";
    private static final String SECRET_WITH_SVID = "client-secret, SVID on the connection";
    private static final String PATH = "/bench/x509/payments";

    @Test
    void clientCredentialsThroughputOverMutualTls(KeycloakServer server, AdminClient admin) throws Exception {
        Assumptions.assumeTrue(server.httpsUrl().isPresent(), "backend " + server.backendName() + " has no mTLS listener");
        SpiffeX509Authorities x509 = SpiffeX509Authorities.shared();
        String realm = X509Realm.create(admin, "bench-x509");
        try {
            String spiffeId = "spiffe://" + SpiffeX509Authorities.TD_ONE + PATH;
            X509Realm.client(admin, realm, "payments", "spiffe-x509-svid", Map.of(SpiffeClients.SPIFFE_ID_ATTRIBUTE, spiffeId));
            X509Realm.client(admin, realm, "secret-client", "client-secret", Map.of()); // secret "s3cret"
            X509SvidIssuer.Svid svid = x509.one().svid(PATH).issue();
            URI token = server.httpsUrl().get().resolve("/realms/" + realm + "/protocol/openid-connect/token");

            AtomicInteger handshakes = new AtomicInteger();
            List<Method> methods = List.of(
                    method(SVID, x509, svid.keyStore(), handshakes, token, "grant_type=client_credentials&client_id=payments"),
                    method(SECRET, x509, null, handshakes, token,
                            "grant_type=client_credentials&client_id=secret-client&client_secret=s3cret"),
                    method(SECRET_WITH_SVID, x509, svid.keyStore(), handshakes, token,
                            "grant_type=client_credentials&client_id=secret-client&client_secret=s3cret"));

            // Correctness first: each method authenticates the client it names.
            for (Method m : methods) {
                HttpResponse<String> r = m.clientForThread().apply(0).send(m.request().get(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(m.name() + ": " + r.body()).isEqualTo(200);
                String azp = X509Realm.claims(Http.JSON.readTree(r.body()).get("access_token").asText()).get("azp").asText();
                assertThat(azp).as(m.name()).isEqualTo(m.name().equals(SVID) ? "payments" : "secret-client");
            }

            double loadBefore = BenchmarkRounds.load();
            int[] handshakesAfterWarmup = new int[1];
            Map<String, Result> results = BenchmarkRounds.run(methods, () -> handshakesAfterWarmup[0] = handshakes.get(),
                    ProcessCpu.of(server).orElse(null));
            int measuredHandshakes = handshakes.get() - handshakesAfterWarmup[0];

            BenchmarkRounds.publish("x509-svid.md", report(results, measuredHandshakes, loadBefore));
            Result svidResult = results.get(SVID);
            Result secretResult = results.get(SECRET);
            BenchmarkSummary.ratio("x509-svid", "spiffe-x509-svid vs client-secret requests/s, median of the rounds' ratios",
                    BenchmarkRounds.medianRatio(svidResult, secretResult, BenchmarkRounds.THROUGHPUT), 1, "ratio",
                    BenchmarkSummary.Target.AT_LEAST, 0.97, String.format("same TLS listener; totals %.1f vs %.1f requests/s (%.2f×); per round %s",
                            svidResult.perSecond(), secretResult.perSecond(), svidResult.perSecond() / secretResult.perSecond(),
                            BenchmarkRounds.roundRange(svidResult, secretResult, BenchmarkRounds.THROUGHPUT)));
            if (!Double.isNaN(svidResult.serverCpuMillisPerRequest())) {
                BenchmarkSummary.ratio("x509-svid", "Keycloak CPU ms per request, spiffe-x509-svid vs client-secret",
                        svidResult.serverCpuMillisPerRequest(), secretResult.serverCpuMillisPerRequest(), "ms",
                        BenchmarkSummary.Target.NONE, 0, "per round "
                                + BenchmarkRounds.roundRange(svidResult, secretResult, BenchmarkRounds.SERVER_CPU));
            }
            BenchmarkSummary.ratio("x509-svid", "client-secret with the SVID on the connection requests/s",
                    results.get(SECRET_WITH_SVID).perSecond(), results.get(SECRET).perSecond(), "requests/s",
                    BenchmarkSummary.Target.NONE, 0, "the TLS side alone");
            BenchmarkSummary.value("x509-svid", "full TLS handshakes in measured rounds", measuredHandshakes, "count", "");
            results.forEach((name, r) -> assertThat(r.failures.get()).as(name + ": " + r.lastFailure).isZero());
            results.forEach((name, r) -> assertThat(r.ok.get()).as(name).isPositive());
        } finally {
            admin.deleteRealm(realm);
        }
    }

    /** A method whose threads each hold one HTTP/1.1 client with their own SSLContext (SVID key or none). */
    static Method method(String name, SpiffeX509Authorities x509, KeyStore keys, AtomicInteger handshakes,
                                 URI token, String body) {
        return new Method(name, thread -> client(x509, keys, handshakes),
                () -> HttpRequest.newBuilder(token).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                r -> r.statusCode() == 200 && r.body().contains("\"access_token\""));
    }

    static HttpClient client(SpiffeX509Authorities x509, KeyStore keys, AtomicInteger handshakes) {
        try {
            KeyStore source = keys;
            if (source == null) {
                source = KeyStore.getInstance("PKCS12");
                source.load(null, null);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(source, new char[0]);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", x509.testCa().caCertificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new CountingKeyManager((X509ExtendedKeyManager) kmf.getKeyManagers()[0], handshakes)},
                    tmf.getTrustManagers(), null);
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context)
                    .connectTimeout(Duration.ofSeconds(10)).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Counts the server's certificate requests: Keycloak ({@code --https-client-auth=request}) sends one
     * in every full handshake, so this counts handshakes, with or without keys to offer.
     */
    private static final class CountingKeyManager extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager delegate;
        private final AtomicInteger requests;

        CountingKeyManager(X509ExtendedKeyManager delegate, AtomicInteger requests) {
            this.delegate = delegate;
            this.requests = requests;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            requests.incrementAndGet();
            return delegate.chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            requests.incrementAndGet();
            return delegate.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return delegate.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }

    private static String report(Map<String, Result> results, int measuredHandshakes, double loadBefore) {
        double secret = results.get(SECRET).perSecond();
        StringBuilder out = new StringBuilder("\n## X.509-SVID client_credentials throughput over Keycloak's own HTTPS listener\n\n")
                .append("One Keycloak, one HTTPS listener (`--https-client-auth=request`), interleaved rounds. ")
                .append("Each client thread keeps one HTTP/1.1 keep-alive connection per method (its own `HttpClient`/`SSLContext`), ")
                .append("so TLS handshakes happen in the warm-up and the rounds measure Keycloak's request handling.\n\n")
                .append("| method | requests/s | mean latency ms | vs client-secret (no cert) | per-round ratio | Keycloak CPU ms/request | per-round CPU ratio |\n")
                .append("|---|---|---|---|---|---|---|\n");
        results.forEach((name, r) -> out.append(String.format("| %s | %.1f | %.2f | %.2f× | %s | %.2f | %s |%n", name, r.perSecond(),
                r.meanMillis(), r.perSecond() / secret, BenchmarkRounds.roundRange(r, results.get(SECRET), BenchmarkRounds.THROUGHPUT),
                r.serverCpuMillisPerRequest(), BenchmarkRounds.roundRange(r, results.get(SECRET), BenchmarkRounds.SERVER_CPU))));
        out.append(String.format("%nFull TLS handshakes (server certificate requests) during the measured rounds: %d%n",
                measuredHandshakes));
        out.append("Target: spiffe-x509-svid ≥ 0.97× client-secret over the same TLS path (median of the rounds' ratios): ")
                .append(String.format("%.2f× (ratio of the totals %.2f×)%n",
                        BenchmarkRounds.medianRatio(results.get(SVID), results.get(SECRET), BenchmarkRounds.THROUGHPUT),
                        results.get(SVID).perSecond() / secret));
        out.append("Keycloak CPU ms/request: the server process's user + system CPU time during the method's rounds over its requests "
                + "(what a request costs the server, whatever else the machine's cores run).\n");
        out.append(BenchmarkRounds.machine(loadBefore));
        return out.toString();
    }
}
