package dev.workloadid.keycloak.it.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.workloadid.keycloak.it.fixtures.LoopbackHttpsServer;
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

import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertInvalidClient;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertTokenFor;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.clientsWithClientId;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.poll;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pack's state is cluster-safe: two Keycloak nodes ({@link KeycloakCluster}: embedded Infinispan,
 * jdbc-ping discovery) on one fresh PostgreSQL database, each request sent to a chosen node. Replay
 * protection holds across nodes (Keycloak's SingleUseObjectProvider), concurrent registration-free
 * first requests on both nodes make one client (the database's unique constraint), configuration
 * changed through one node is used by the other (database and cache invalidation, not JVM state; a
 * node's remembered SPIFFE associations through the realm's generation in Keycloak's store),
 * and a CIMD client created on one node is found by the other without fetching its document again.
 *
 * <p>Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication); without it the class
 * is skipped. Starts its own two nodes, so it runs with the dist backend only.
 */
class TwoNodeClusterIT {

    private static final Duration PROPAGATION = Duration.ofSeconds(30);
    private static final Duration STEP = Duration.ofMillis(250);
    private static final String DOC_HOST = "mcp-client.docs.test";
    private static final String DOC_PATH = "/cluster-client.json";
    private static final String REDIRECT = ClusterRequests.REDIRECT;
    private static final List<String> NODES = List.of("node-a", "node-b");

    private static PostgresDatabase database;
    private static KeycloakCluster cluster;
    private static AdminClient nodeA;
    private static AdminClient nodeB;
    private static LoopbackHttpsServer documents;
    private static String realm;
    private static String issuer;
    /** replayProtection on; client svc-replay for /svc. */
    private static SpiffeTestAuthority replay;
    /** Registration-free for /burst/*. */
    private static SpiffeTestAuthority workloads;

    @RegisterExtension
    static final TestWatcher LOGS = ClassSetup.logsOnFailure(() -> cluster == null ? null : cluster.logTails(60));

    @BeforeAll
    static void setUp() {
        HarnessConfig config = HarnessConfig.fromSystemProperties();
        ClassSetup.assumeCluster(TwoNodeClusterIT.class, config);

        documents = new LoopbackHttpsServer(TestCa.shared(config.workDir()));
        database = PostgresDatabase.create("wi_it_cluster");
        cluster = KeycloakCluster.start(config, database, NODES.toArray(String[]::new));
        cluster.awaitOneView(Duration.ofSeconds(60));
        nodeA = new AdminClient(cluster.node(NODES.get(0)));
        nodeB = new AdminClient(cluster.node(NODES.get(1)));

        realm = nodeA.createRealm("cluster");
        issuer = cluster.issuer(realm);
        replay = new SpiffeTestAuthority("replay.cluster.test");
        Spiffe.createTrustDomain(nodeA, realm, TrustDomainConfig.staticBundle(replay).replayProtection(true));
        Spiffe.createSpiffeClient(nodeA, realm, "svc-replay", replay.spiffeId("/svc"));
        workloads = new SpiffeTestAuthority("workloads.cluster.test");
        Spiffe.createTrustDomain(nodeA, realm, TrustDomainConfig.staticBundle(workloads)
                .registrationFree(null, workloads.spiffeId("/burst/*")));

        String documentUrl = documents.url(DOC_HOST, DOC_PATH).toString();
        ObjectNode document = Http.JSON.createObjectNode().put("client_id", documentUrl).put("client_name", "Cluster client");
        document.putArray("redirect_uris").add(REDIRECT);
        document.putArray("grant_types").add("authorization_code");
        documents.handle(DOC_PATH, exchange -> {
            exchange.getResponseHeaders().set("Cache-Control", "max-age=3600");
            LoopbackHttpsServer.respond(exchange, 200, "application/json", document.toString());
        });
        ObjectNode settings = Http.JSON.createObjectNode().put("name", "URL client IDs")
                .put("providerId", "wi-cimd-settings").put("providerType", "org.keycloak.services.ui.extend.UiPageProvider")
                .put("parentId", Spiffe.realmId(nodeA, realm));
        settings.putObject("config").putArray("allowedHosts").add(DOC_HOST);
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

    @Test
    void bothNodesServeTheRealmCreatedAtNodeAUnderOneIssuer() {
        for (AdminClient node : List.of(nodeA, nodeB)) {
            Http.Response discovery = Http.get(URI.create(node.realmUrl(realm) + "/.well-known/openid-configuration"));
            assertThat(discovery.status()).as("discovery at %s: %s", node.base(), discovery).isEqualTo(200);
            assertThat(discovery.json().path("issuer").asText()).isEqualTo(issuer);
        }
    }

    @Test
    void sca10_jtiUsedAtOneNodeIsRefusedAtTheOther() {
        assertTokenFor(token(nodeB, realm, replay.svid("/svc").audience(issuer).randomJti().sign()), "svc-replay");

        String svid = replay.svid("/svc").audience(issuer).randomJti().sign();
        assertTokenFor(token(nodeA, realm, svid), "svc-replay");
        assertInvalidClient(token(nodeB, realm, svid), "replay", "jti", "already", "used");

        // The other way round, and with the jti in a newly signed token.
        String jti = UUID.randomUUID().toString();
        assertTokenFor(token(nodeB, realm, replay.svid("/svc").audience(issuer).jti(jti).sign()), "svc-replay");
        assertInvalidClient(token(nodeA, realm, replay.svid("/svc").audience(issuer).jti(jti)
                .alg(JWSAlgorithm.ES256).sign()), "replay", "jti", "already", "used");
    }

    /**
     * While the test holds Keycloak's client table in SHARE mode, every first request finds no client
     * and blocks at its insert; the lock is released once requests of both nodes wait there. So the
     * nodes really race on the database's unique constraint (rather than one finding the other's
     * committed client), and the losers on either node must read the winner's client.
     */
    @Test
    void regfree_concurrentFirstRequestsAtBothNodesCreateExactlyOneClient() throws Exception {
        String id = workloads.spiffeId("/burst/" + UUID.randomUUID().toString().substring(0, 8));
        int n = 12;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Http.Response> responses = new ArrayList<>();
        try {
            List<Future<Http.Response>> futures = new ArrayList<>();
            try (Connection lock = database.connect()) {
                lock.setAutoCommit(false);
                try (Statement statement = lock.createStatement()) {
                    statement.execute("LOCK TABLE client IN SHARE MODE");
                }
                for (int i = 0; i < n; i++) {
                    AdminClient node = i % 2 == 0 ? nodeA : nodeB;
                    String svid = workloads.svid(id).audience(issuer).randomJti().sign();
                    futures.add(pool.submit(() -> token(node, realm, svid)));
                }
                poll(Duration.ofSeconds(20), STEP, () -> database.waitingOn("client"), waiting -> waiting.containsAll(NODES),
                        "first requests of both nodes to wait at the client insert");
                lock.commit();
            }
            for (Future<Http.Response> f : futures) {
                responses.add(f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(responses).as("every first request at either node gets a token")
                .allSatisfy(r -> assertTokenFor(r, id));
        assertThat(clientsWithClientId(nodeA, realm, id)).as("clients created for %s", id).hasSize(1);
        assertThat(clientsWithClientId(nodeB, realm, id)).as("clients node B lists for %s", id).hasSize(1);
    }

    @Test
    void trustDomainCreatedAndRotatedAtNodeAIsUsedAtNodeB() {
        SpiffeTestAuthority late = new SpiffeTestAuthority("late.cluster.test");
        String id = late.spiffeId("/svc");
        // Node B has the realm in its cache, without this trust domain.
        assertInvalidClient(token(nodeB, realm, late.svid(id).audience(issuer).sign()));

        String componentId = Spiffe.createTrustDomain(nodeA, realm, TrustDomainConfig.staticBundle(late));
        Spiffe.createSpiffeClient(nodeA, realm, "svc-late", id);
        assertTokenFor(poll(PROPAGATION, STEP, () -> token(nodeB, realm, late.svid(id).audience(issuer).sign()),
                r -> r.status() == 200, "node B to trust " + late.trustDomain()), "svc-late");

        JWK oldKey = late.signingKey(JWSAlgorithm.RS256);
        late.rotate();
        Spiffe.updateTrustDomain(nodeA, realm, componentId, TrustDomainConfig.staticBundle(late));
        assertInvalidClient(poll(PROPAGATION, STEP,
                () -> token(nodeB, realm, late.svid(id).audience(issuer).signingKey(oldKey).sign()),
                r -> r.status() != 200, "node B to drop the key the update at node A removed"));
        assertTokenFor(token(nodeB, realm, late.svid(id).audience(issuer).sign()), "svc-late");
    }

    /**
     * Node B remembers that /team/api authenticated as the pattern client (for association-cache-seconds,
     * 300 s by default); the exact registration made at node A replaces the realm's association
     * generation in Keycloak's cluster-wide store, so node B's memory stops counting well before that.
     */
    @Test
    void sca51_moreSpecificRegistrationAtNodeATakesOverAtNodeBBeforeItsMemoryExpires() {
        Spiffe.createSpiffeClient(nodeA, realm, "svc-team", workloads.spiffeId("/team/*"));
        Supplier<Http.Response> atNodeB = () -> token(nodeB, realm, workloads.svid("/team/api").audience(issuer).randomJti().sign());
        assertTokenFor(atNodeB.get(), "svc-team");
        assertTokenFor(atNodeB.get(), "svc-team"); // now from node B's memory

        Spiffe.createSpiffeClient(nodeA, realm, "svc-team-api", workloads.spiffeId("/team/api"));
        assertTokenFor(poll(PROPAGATION, STEP, atNodeB,
                r -> r.status() == 200 && Spiffe.claims(r.json().path("access_token").asText()).path("azp").asText()
                        .equals("svc-team-api"),
                "node B to use the exact registration made at node A"), "svc-team-api");
    }

    @Test
    void clientDisabledAtNodeAIsRefusedAtNodeBUntilEnabledAgain() {
        String clientId = "svc-toggle";
        String internalId = Spiffe.createSpiffeClient(nodeA, realm, clientId, workloads.spiffeId("/toggle"));
        Supplier<Http.Response> atNodeB = () -> token(nodeB, realm, workloads.svid("/toggle").audience(issuer).sign());
        assertTokenFor(atNodeB.get(), clientId);

        setEnabled(internalId, false);
        assertInvalidClient(poll(PROPAGATION, STEP, atNodeB, r -> r.status() != 200,
                "node B to refuse the client disabled at node A"));
        setEnabled(internalId, true);
        assertTokenFor(poll(PROPAGATION, STEP, atNodeB, r -> r.status() == 200,
                "node B to accept the client enabled again at node A"), clientId);
    }

    private static void setEnabled(String internalId, boolean enabled) {
        AdminClient.expect(nodeA.put("/realms/" + realm + "/clients/" + internalId,
                Http.JSON.createObjectNode().put("enabled", enabled)), 204);
    }

    @Test
    void cimd33_documentClientCreatedAtNodeAIsFoundAtNodeBWithoutASecondFetch() {
        String clientId = documents.url(DOC_HOST, DOC_PATH).toString();
        Http.Response atA = Http.get(authorize(nodeA, clientId));
        assertThat(atA.status()).as("login page at node A: %s", atA).isEqualTo(200);
        assertThat(documents.hits(DOC_PATH)).as("document fetches after the first use at node A").isEqualTo(1);

        Http.Response atB = Http.get(authorize(nodeB, clientId));
        assertThat(atB.status()).as("login page at node B: %s", atB).isEqualTo(200);
        assertThat(documents.hits(DOC_PATH)).as("document fetches after the use at node B").isEqualTo(1);
        assertThat(clientsWithClientId(nodeB, realm, clientId)).hasSize(1);
    }

    private static URI authorize(AdminClient node, String clientId) {
        return ClusterRequests.authorize(node, realm, clientId);
    }
}
