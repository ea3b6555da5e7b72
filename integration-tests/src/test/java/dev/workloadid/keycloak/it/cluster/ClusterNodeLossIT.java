package dev.workloadid.keycloak.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.cimd.DocumentHost;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.ClassSetup;
import dev.workloadid.keycloak.it.harness.HarnessConfig;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakCluster;
import dev.workloadid.keycloak.it.harness.PostgresDatabase;
import dev.workloadid.keycloak.it.spiffe.Spiffe;
import dev.workloadid.keycloak.it.spiffe.Spiffe.TrustDomainConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Losing a node of the two-node cluster ({@link KeycloakCluster}, one PostgreSQL database) in the
 * middle of the pack's first-use writes: node B is killed with SIGKILL (process and descendants)
 * while a burst of (a) registration-free first token requests of distinct SPIFFE IDs, (b)
 * SPIFFE-attested registrations at the pack's rfc7591 endpoint and (c) first uses of distinct URL
 * client_ids runs, spread over both nodes. A request that fails because its node died (connection
 * refused, reset or cut) is sent again to node A, as a load balancer or the workload's retry would;
 * node A must answer every one of them. Afterwards the database holds exactly one client per SPIFFE
 * ID and per URL, each shaped like a client the same path made before the fault (attributes,
 * authenticator, protocol mappers, scopes, service account), and each works.
 *
 * <p>An attested registration cut off by the kill leaves the pack's cluster-wide "registration in
 * progress" mark (30 s, Keycloak's single-use store) behind: a retry inside that time is told so with
 * 400 and tries again; the test waits that out and counts the time.
 *
 * <p>Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication) and the dist backend,
 * like {@link TwoNodeClusterIT}; skipped otherwise.
 */
class ClusterNodeLossIT {

    private static final List<String> NODES = List.of("node-a", "node-b");
    private static final String SURVIVOR = "node-a";
    private static final String VICTIM = "node-b";
    private static final String REDIRECT = ClusterRequests.REDIRECT;
    private static final String TD = "loss.cluster.test";
    /** Distinct first uses per kind; the kill comes when a third of all of them are answered. */
    private static final int PER_KIND = 30;
    /** The pack's attested-registration mark lives 30 s; retries wait that out and a little more. */
    private static final Duration IN_PROGRESS_WAIT = Duration.ofSeconds(45);
    /** How long a request of the burst may take before it counts as unanswered. */
    private static final Duration SLOW_ANSWER = Duration.ofSeconds(120);

    private static PostgresDatabase database;
    private static KeycloakCluster cluster;
    private static AdminClient nodeA;
    private static AdminClient nodeB;
    private static DocumentHost documents;
    private static SpiffeTestAuthority authority;
    private static String realm;
    private static String issuer;
    private static String realmId;

    @RegisterExtension
    static final TestWatcher LOGS = ClassSetup.logsOnFailure(() -> cluster == null ? null : cluster.logTails(80));

    @BeforeAll
    static void setUp() {
        HarnessConfig config = HarnessConfig.fromSystemProperties();
        ClassSetup.assumeCluster(ClusterNodeLossIT.class, config);

        documents = new DocumentHost(TestCa.shared(config.workDir()));
        database = PostgresDatabase.create("wi_it_loss");
        cluster = KeycloakCluster.start(config, database, NODES.toArray(String[]::new));
        cluster.awaitOneView(Duration.ofSeconds(60));
        nodeA = new AdminClient(cluster.node(SURVIVOR));
        nodeB = new AdminClient(cluster.node(VICTIM));

        realm = nodeA.createRealm("loss");
        issuer = cluster.issuer(realm);
        realmId = Spiffe.realmId(nodeA, realm);
        authority = new SpiffeTestAuthority(TD);
        Spiffe.createTrustDomain(nodeA, realm, TrustDomainConfig.staticBundle(authority)
                .registrationFree(null, authority.spiffeId("/rf/*"))
                .set("attestedRegistration", "true")
                .set("attestedRegistrationAllowList", authority.spiffeId("/att/*")));
        ObjectNode settings = Http.JSON.createObjectNode().put("name", "URL client IDs")
                .put("providerId", "wi-cimd-settings").put("providerType", Spiffe.TRUST_DOMAIN_PROVIDER_TYPE)
                .put("parentId", realmId);
        settings.putObject("config").putArray("allowedHosts").add(DocumentHost.HOST);
        AdminClient.expect(nodeA.post("/realms/" + realm + "/components", settings), 201);
    }


    @AfterAll
    static void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        if (database != null) {
            database.close();
        }
        if (documents != null) {
            documents.close();
        }
    }

    /** One kind of first use: what a request does and which client it must leave. */
    private enum Kind {
        REGISTRATION_FREE, ATTESTED, URL_CLIENT
    }

    /** What became of one first use: where it went first, whether node A answered it again, and when. */
    private record Outcome(Kind kind, String key, AdminClient firstNode, int firstStatus, int finalStatus,
                           boolean retried, int inProgressAnswers, Instant answeredAt, String lastBody) {
    }

    @Test
    void firstUsesInFlightWhenANodeIsKilledLeaveExactlyOneCompleteClientEach() throws Exception {
        // Reference clients, made by the same paths with both nodes up.
        Map<Kind, String> references = Map.of(
                Kind.REGISTRATION_FREE, key(Kind.REGISTRATION_FREE, "reference"),
                Kind.ATTESTED, key(Kind.ATTESTED, "reference"),
                Kind.URL_CLIENT, key(Kind.URL_CLIENT, "reference"));
        Map<Kind, Map<String, Object>> referenceShapes = new TreeMap<>();
        for (Map.Entry<Kind, String> reference : references.entrySet()) {
            Http.Response r = firstUse(reference.getKey(), reference.getValue(), nodeB);
            assertThat(succeeded(reference.getKey(), r)).as("reference %s: %s", reference.getKey(), r).isTrue();
            referenceShapes.put(reference.getKey(), shape(onlyClient(reference.getKey(), reference.getValue())));
        }

        List<Callable<Outcome>> work = new ArrayList<>();
        for (int i = 0; i < PER_KIND; i++) {
            for (Kind kind : Kind.values()) {
                String key = key(kind, "b" + i);
                AdminClient first = work.size() % 2 == 0 ? nodeA : nodeB;
                work.add(() -> attempt(kind, key, first));
            }
        }
        AtomicInteger answered = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(work.size() / 3);
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<Outcome> outcomes = new ArrayList<>();
        Instant killedAt;
        java.util.concurrent.CompletableFuture<Duration> newView;
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Callable<Outcome> call : work) {
                futures.add(pool.submit(() -> {
                    try {
                        return call.call();
                    } finally {
                        answered.incrementAndGet();
                        third.countDown();
                    }
                }));
            }
            assertThat(third.await(120, TimeUnit.SECONDS)).as("a third of the burst answered").isTrue();
            killedAt = Instant.now();
            cluster.kill(VICTIM);
            Instant from = killedAt;
            newView = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                cluster.awaitView(List.of(SURVIVOR), Duration.ofSeconds(90));
                return Duration.between(from, Instant.now());
            });
            System.out.printf("[node-loss] %s killed (SIGKILL) after %d of %d first uses were answered%n",
                    VICTIM, answered.get(), work.size());
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get(180, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        report(outcomes, killedAt, newView.get(120, TimeUnit.SECONDS));

        assertThat(outcomes).as("every first use, after a retry at %s where its node died, is answered", SURVIVOR)
                .allSatisfy(o -> {
                    if (o.kind() == Kind.ATTESTED && o.retried() && o.finalStatus() == 400) {
                        // The registration cut off by the kill had committed: the retry is told so.
                        assertThat(o.lastBody()).as("%s %s", o.kind(), o.key()).contains("already registered");
                    } else {
                        assertThat(o.finalStatus()).as("%s %s: %s", o.kind(), o.key(), o.lastBody())
                                .isEqualTo(o.kind() == Kind.ATTESTED ? 201 : 200);
                    }
                });
        assertThat(outcomes).as("no answer of %s is a 5xx", SURVIVOR)
                .noneMatch(o -> o.firstNode() == nodeA && o.firstStatus() >= 500);
        assertThat(outcomes).as("some first uses were cut off by the kill and retried")
                .anyMatch(Outcome::retried);

        // The database: one client per SPIFFE ID and per URL, no client without its binding.
        Map<String, Integer> perKey = clientsPerKey();
        for (Outcome o : outcomes) {
            assertThat(perKey.getOrDefault(o.key(), 0)).as("clients in the database for %s (%s)", o.key(), o.kind())
                    .isEqualTo(1);
        }
        assertThat(perKey).as("no key with two clients").allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(1));
        assertThat(unboundSpiffeClients()).as("SPIFFE-authenticated clients without a SPIFFE ID").isZero();

        // Every client: shaped as the reference client of its path, and it works.
        for (Outcome o : outcomes) {
            JsonNode client = onlyClient(o.kind(), o.key());
            assertThat(shape(client)).as("%s %s made under the fault, compared with one made without", o.kind(), o.key())
                    .isEqualTo(referenceShapes.get(o.kind()));
            Http.Response again = use(o.kind(), o.key(), client);
            assertThat(again.status()).as("%s %s used again at %s: %s", o.kind(), o.key(), SURVIVOR, again).isEqualTo(200);
        }
        assertThat(nodeA.getJson("/realms/" + realm).path("clientAuthenticationFlow").asText())
                .as("the realm's client authentication flow").isEqualTo("clients with SPIFFE");
    }

    /** Sends the first use to {@code first}; when that node is gone, again to node A. */
    private static Outcome attempt(Kind kind, String key, AdminClient first) {
        Http.Response response = null;
        int firstStatus;
        try {
            response = firstUse(kind, key, first);
            firstStatus = response.status();
        } catch (UncheckedIOException e) {
            if (first == nodeA) {
                return new Outcome(kind, key, first, -1, -1, false, 0, Instant.now(), "node A failed: " + e.getMessage());
            }
            firstStatus = -1;
        }
        if (response != null) {
            return new Outcome(kind, key, first, firstStatus, firstStatus, false, 0, Instant.now(), response.body());
        }
        // Node B died under this request (or before it): node A gets it, as a retry would reach it.
        int inProgress = 0;
        Instant until = Instant.now().plus(IN_PROGRESS_WAIT);
        while (true) {
            try {
                response = firstUse(kind, key, nodeA);
            } catch (UncheckedIOException e) {
                return new Outcome(kind, key, first, firstStatus, -1, true, inProgress, Instant.now(),
                        "retry at node A failed: " + e.getMessage());
            }
            if (kind == Kind.ATTESTED && response.status() == 400 && response.body().contains("in progress")
                    && Instant.now().isBefore(until)) {
                inProgress++;
                Spiffe.sleep(Duration.ofSeconds(2));
                continue;
            }
            return new Outcome(kind, key, first, firstStatus, response.status(), true, inProgress, Instant.now(),
                    response.body());
        }
    }

    private static String key(Kind kind, String name) {
        return switch (kind) {
            case REGISTRATION_FREE -> authority.spiffeId("/rf/" + name);
            case ATTESTED -> authority.spiffeId("/att/" + name);
            case URL_CLIENT -> {
                String path = "/loss/" + name + ".json";
                ObjectNode document = Http.JSON.createObjectNode().put("client_id", documents.url(path))
                        .put("client_name", "Node loss " + name);
                document.putArray("redirect_uris").add(REDIRECT);
                document.putArray("grant_types").add("authorization_code");
                // A short delay, so some first uses are inside their fetch when the node dies.
                documents.slowJson(path, document.toString(), 150);
                yield documents.url(path);
            }
        };
    }

    private static Http.Response firstUse(Kind kind, String key, AdminClient node) {
        java.net.http.HttpRequest.Builder request = switch (kind) {
            case REGISTRATION_FREE -> java.net.http.HttpRequest.newBuilder(node.tokenEndpoint(realm))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"
                            + "&client_assertion_type=" + URLEncoder.encode(Spiffe.JWT_SPIFFE, StandardCharsets.UTF_8)
                            + "&client_assertion=" + authority.svid(key).audience(issuer).randomJti().sign()));
            case ATTESTED -> java.net.http.HttpRequest.newBuilder(
                            node.base().resolve("/realms/" + realm + "/clients-registrations/rfc7591"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + authority.svid(key)
                            .audience(issuer + "/clients-registrations/rfc7591").randomJti().sign())
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            Http.JSON.createObjectNode().put("client_name", "attested").toString()));
            case URL_CLIENT -> java.net.http.HttpRequest.newBuilder(authorize(node, key)).GET();
        };
        // A busy build machine may take long over a first use: only a refused or cut connection
        // (the node is gone) counts as a failure of the node, not a slow answer.
        return Http.send(request.timeout(SLOW_ANSWER).build());
    }

    private static boolean succeeded(Kind kind, Http.Response r) {
        return r.status() == (kind == Kind.ATTESTED ? 201 : 200);
    }

    /** The client works: a token for the SPIFFE ones, the login page for a URL client. */
    private static Http.Response use(Kind kind, String key, JsonNode client) {
        return switch (kind) {
            case REGISTRATION_FREE -> Spiffe.token(nodeA, realm, authority.svid(key).audience(issuer).randomJti().sign());
            case ATTESTED -> Spiffe.token(nodeA, realm, authority.svid(key).audience(issuer).randomJti().sign(),
                    client.path("clientId").asText());
            case URL_CLIENT -> Http.get(authorize(nodeA, key));
        };
    }

    private static URI authorize(AdminClient node, String clientId) {
        return ClusterRequests.authorize(node, realm, clientId);
    }

    /** The one client of a key, read at node A (attested clients are found by their bound SPIFFE ID). */
    private static JsonNode onlyClient(Kind kind, String key) {
        if (kind == Kind.ATTESTED) {
            JsonNode found = nodeA.getJson("/realms/" + realm + "/clients?q="
                    + URLEncoder.encode("jwt.credential.sub:" + key, StandardCharsets.UTF_8));
            assertThat(found).as("clients bound to %s", key).hasSize(1);
            return found.get(0);
        }
        List<JsonNode> found = Spiffe.clientsWithClientId(nodeA, realm, key);
        assertThat(found).as("clients named %s", key).hasSize(1);
        return found.get(0);
    }

    /**
     * What the normal path gives every client of a kind alike: switches, authenticator, attribute
     * names, protocol mappers, scopes, redirect URIs and the service account with its realm roles.
     */
    private static Map<String, Object> shape(JsonNode client) {
        Map<String, Object> shape = new TreeMap<>();
        for (String field : List.of("enabled", "publicClient", "bearerOnly", "clientAuthenticatorType",
                "serviceAccountsEnabled", "standardFlowEnabled", "implicitFlowEnabled", "directAccessGrantsEnabled",
                "fullScopeAllowed", "consentRequired", "protocol", "authenticationFlowBindingOverrides")) {
            shape.put(field, client.path(field).toString());
        }
        // Lists whose order Keycloak does not keep (scopes come back in any order).
        for (String field : List.of("redirectUris", "defaultClientScopes", "optionalClientScopes")) {
            List<String> values = new ArrayList<>();
            client.path(field).forEach(v -> values.add(v.asText()));
            shape.put(field, values.stream().sorted().toList());
        }
        List<String> attributes = new ArrayList<>();
        client.path("attributes").fieldNames().forEachRemaining(attributes::add);
        shape.put("attribute names", attributes.stream().sorted().toList());
        List<String> mappers = new ArrayList<>();
        client.path("protocolMappers").forEach(m -> mappers.add(m.path("name").asText() + "/" + m.path("protocolMapper").asText()));
        shape.put("protocol mappers", mappers.stream().sorted().toList());
        String id = client.path("id").asText();
        Http.Response account = nodeA.get("/realms/" + realm + "/clients/" + id + "/service-account-user");
        if (account.status() == 200) {
            List<String> roles = new ArrayList<>();
            nodeA.getJson("/realms/" + realm + "/users/" + account.json().path("id").asText() + "/role-mappings/realm/composite")
                    .forEach(r -> roles.add(r.path("name").asText()));
            shape.put("service account realm roles", roles.stream().sorted().toList());
        } else {
            shape.put("service account", account.status());
        }
        return shape;
    }

    /** Clients per SPIFFE ID (bound attribute) or URL client_id, straight from the database. */
    private static Map<String, Integer> clientsPerKey() throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT coalesce(a.value, c.client_id), count(*) FROM client c LEFT JOIN client_attributes a"
                        + " ON a.client_id = c.id AND a.name = 'jwt.credential.sub'"
                        + " WHERE c.realm_id = ? AND (a.value IS NOT NULL OR c.client_id LIKE 'https://%')"
                        + " GROUP BY coalesce(a.value, c.client_id)")) {
            s.setString(1, realmId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return counts;
    }

    /** Clients with the JWT-SVID authenticator but no bound SPIFFE ID: a half-made registration. */
    private static int unboundSpiffeClients() throws Exception {
        try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM client c WHERE c.realm_id = ? AND c.client_authenticator_type = ?"
                        + " AND NOT EXISTS (SELECT 1 FROM client_attributes a WHERE a.client_id = c.id"
                        + " AND a.name = 'jwt.credential.sub' AND a.value <> '')")) {
            s.setString(1, realmId);
            s.setString(2, Spiffe.AUTHENTICATOR);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The figures for docs/reliability.md, printed to the build output. */
    private static void report(List<Outcome> outcomes, Instant killedAt, Duration toNewView) {
        for (Kind kind : Kind.values()) {
            List<Outcome> of = outcomes.stream().filter(o -> o.kind() == kind).toList();
            long afterKill = of.stream().filter(o -> o.answeredAt().isAfter(killedAt)).count();
            long retried = of.stream().filter(Outcome::retried).count();
            long fiveXx = of.stream().filter(o -> o.firstStatus() >= 500 || o.finalStatus() >= 500).count();
            int inProgress = of.stream().mapToInt(Outcome::inProgressAnswers).sum();
            Duration lastRetry = of.stream().filter(Outcome::retried).map(o -> Duration.between(killedAt, o.answeredAt()))
                    .max(Duration::compareTo).orElse(Duration.ZERO);
            Map<Integer, Long> statuses = new TreeMap<>();
            of.forEach(o -> statuses.merge(o.finalStatus(), 1L, Long::sum));
            System.out.printf("[node-loss] %s: %d first uses, %d answered after the kill, %d retried at %s,"
                            + " 5xx %d, 'in progress' answers %d, last retry answered %d ms after the kill, final statuses %s%n",
                    kind, of.size(), afterKill, retried, SURVIVOR, fiveXx, inProgress, lastRetry.toMillis(), statuses);
        }
        System.out.printf("[node-loss] %s's view without %s logged within %d ms of the kill%n", SURVIVOR, VICTIM,
                toNewView.toMillis());
    }
}
