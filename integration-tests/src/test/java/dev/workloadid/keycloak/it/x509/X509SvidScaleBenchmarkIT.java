package dev.workloadid.keycloak.it.x509;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds.Method;
import dev.workloadid.keycloak.it.harness.BenchmarkRounds.Result;
import dev.workloadid.keycloak.it.harness.BenchmarkSummary;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import dev.workloadid.keycloak.it.spiffe.Spiffe;
import dev.workloadid.keycloak.spiffe.authenticator.SpiffeClients;
import dev.workloadid.keycloak.spiffe.x509.X509SvidIssuer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Benchmark, not a test of speed: {@code spiffe-x509-svid} client_credentials throughput over
 * Keycloak's own HTTPS listener in a realm of 1 and of {@code -Dwi.bench.scale.clients} (10 000 by
 * default) registered X.509-SVID clients, as a ratio to the 1-client realm, same Keycloak, same run,
 * rounds interleaved. No client_id is sent: the client is found by the SVID's SPIFFE ID. Each client
 * thread presents its own SVID on its own keep-alive connection (in the large realm, four different
 * workloads). Writes {@code target/benchmark/x509-scale.md} and a summary row. Only correctness is
 * asserted.
 */
@Tag("benchmark")
@ExtendWith(KeycloakExtension.class)
class X509SvidScaleBenchmarkIT {

    private static final int CLIENTS = Integer.getInteger("wi.bench.scale.clients", 10_000);

    @Test
    void throughputByRealmSize(KeycloakServer server, AdminClient admin) throws Exception {
        Assumptions.assumeTrue(server.httpsUrl().isPresent(), "backend " + server.backendName() + " has no mTLS listener");
        SpiffeX509Authorities x509 = SpiffeX509Authorities.shared();
        Map<Integer, String> realms = new LinkedHashMap<>();
        try {
            AtomicInteger handshakes = new AtomicInteger();
            List<Method> methods = new ArrayList<>();
            for (int size : new int[] {1, Math.max(2, CLIENTS)}) {
                String realm = X509Realm.create(admin, "x509-scale-" + size);
                realms.put(size, realm);
                List<ObjectNode> clients = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    ObjectNode client = Http.JSON.createObjectNode().put("clientId", "x-" + i).put("publicClient", false)
                            .put("clientAuthenticatorType", "spiffe-x509-svid")
                            .put("serviceAccountsEnabled", true).put("standardFlowEnabled", false);
                    client.putObject("attributes").put(SpiffeClients.SPIFFE_ID_ATTRIBUTE, idOf(i));
                    clients.add(client);
                }
                Spiffe.importClients(admin, realm, clients, Spiffe.IMPORT_BATCH);
                // One SVID per client thread, spread over the realm's clients.
                List<X509SvidIssuer.Svid> svids = new ArrayList<>();
                for (int t = 0; t < BenchmarkRounds.THREADS; t++) {
                    svids.add(x509.one().svid("/x/" + (int) ((long) t * size / BenchmarkRounds.THREADS)).issue());
                }
                URI token = server.httpsUrl().get().resolve("/realms/" + realm + "/protocol/openid-connect/token");
                methods.add(new Method("registered X.509-SVID clients: " + size,
                        thread -> X509SvidThroughputBenchmarkIT.client(x509, svids.get(thread).keyStore(), handshakes),
                        () -> HttpRequest.newBuilder(token).timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                        r -> r.statusCode() == 200 && r.body().contains("\"access_token\"")));
                // Correctness first: thread 0's SVID gets its own client.
                HttpResponse<String> r = methods.get(methods.size() - 1).clientForThread().apply(0)
                        .send(methods.get(methods.size() - 1).request().get(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(X509Realm.claims(Http.JSON.readTree(r.body()).get("access_token").asText()).get("azp").asText())
                        .isEqualTo("x-0");
            }

            double loadBefore = BenchmarkRounds.load();
            Map<String, Result> results = BenchmarkRounds.run(methods);
            Result base = results.get(methods.get(0).name());
            Result large = results.get(methods.get(1).name());
            StringBuilder out = new StringBuilder("\n## X.509-SVID throughput by realm size (Keycloak's own HTTPS listener)\n\n")
                    .append("| realm | requests/s | mean latency ms | vs 1-client realm | per-round ratio |\n|---|---|---|---|---|\n");
            results.forEach((name, r) -> out.append(String.format("| %s | %.1f | %.2f | %.2f× | %s |%n", name, r.perSecond(),
                    r.meanMillis(), r.perSecond() / base.perSecond(), BenchmarkRounds.roundRange(r, base, false))));
            out.append(BenchmarkRounds.machine(loadBefore));
            BenchmarkRounds.publish("x509-scale.md", out.toString());
            BenchmarkSummary.ratio("x509-scale", "spiffe-x509-svid requests/s, " + realms.keySet().toArray()[1]
                    + " registered clients", large.perSecond(), base.perSecond(), "requests/s",
                    BenchmarkSummary.Target.AT_LEAST, 0.95, "vs the 1-client realm; per round "
                            + BenchmarkRounds.roundRange(large, base, false));

            results.forEach((name, r) -> assertThat(r.failures.get()).as(name + ": " + r.lastFailure).isZero());
            results.forEach((name, r) -> assertThat(r.ok.get()).as(name).isPositive());
        } finally {
            realms.values().forEach(admin::deleteRealm);
        }
    }

    private static String idOf(int i) {
        return "spiffe://" + SpiffeX509Authorities.TD_ONE + "/x/" + i;
    }
}
