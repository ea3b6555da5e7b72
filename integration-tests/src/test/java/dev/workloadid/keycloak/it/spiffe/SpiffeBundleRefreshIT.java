package dev.workloadid.keycloak.it.spiffe;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.workloadid.keycloak.it.fixtures.LoopbackHttpsServer;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority.EndpointMode;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertInvalidClient;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertTokenFor;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The https_web bundle endpoint (SCA-61/62, BND-02/03, FED-01/02): no fetch per token request while
 * the bundle is fresh, a bounded number during a burst, key rotation picked up after the refresh
 * hint, a rollback (lower spiffe_sequence) ignored, and an endpoint outage ridden out on the last
 * good bundle until maxStalenessSeconds, then failing closed, then recovering.
 *
 * <p>One trust domain per scenario, so scenarios do not disturb each other's caches and counters.
 */
@ExtendWith(KeycloakExtension.class)
class SpiffeBundleRefreshIT {

    private static final long HINT = 2;
    private static final long MAX_STALENESS = 6;

    private static String realm;
    private static String issuer;
    private static LoopbackHttpsServer server;
    private static SpiffeTestAuthority fresh;
    private static SpiffeTestAuthority burst;
    private static SpiffeTestAuthority rotating;
    private static SpiffeTestAuthority overlap;
    private static SpiffeTestAuthority rollback;
    private static SpiffeTestAuthority outage500;
    private static SpiffeTestAuthority outageDrop;

    @BeforeAll
    static void setUp(AdminClient admin) {
        server = new LoopbackHttpsServer(TestCa.shared());
        fresh = authority("fresh.test", 300);
        burst = authority("burst.test", HINT);
        rotating = authority("rotate.test", HINT);
        overlap = authority("overlap.test", HINT);
        rollback = authority("rollback.test", HINT);
        outage500 = authority("outage-500.test", HINT);
        outageDrop = authority("outage-drop.test", HINT);

        realm = admin.createRealm("spiffe-refresh");
        issuer = admin.realmUrl(realm).toString();
        for (SpiffeTestAuthority a : List.of(fresh, burst, rotating, overlap, rollback)) {
            Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.httpsWeb(a));
            Spiffe.createSpiffeClient(admin, realm, "svc-" + a.trustDomain(), a.spiffeId("/*"));
        }
        for (SpiffeTestAuthority a : List.of(outage500, outageDrop)) {
            Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.httpsWeb(a)
                    .set("refreshHintCeilingSeconds", Long.toString(HINT))
                    .set("maxStalenessSeconds", Long.toString(MAX_STALENESS)));
            Spiffe.createSpiffeClient(admin, realm, "svc-" + a.trustDomain(), a.spiffeId("/*"));
        }
    }

    private static SpiffeTestAuthority authority(String trustDomain, long hint) {
        String path = "/" + trustDomain.replace('.', '-') + "/bundle";
        return new SpiffeTestAuthority(trustDomain).refreshHint(hint)
                .serveOn(server, hint == 300 ? "bundles.td-one.test" : "bundles.td-two.test", path);
    }

    @AfterAll
    static void tearDown(AdminClient admin) {
        Spiffe.cleanUp(admin, realm, server);
    }

    private static Http.Response request(AdminClient admin, SpiffeTestAuthority a) {
        return token(admin, realm, a.svid("/w").audience(issuer).sign());
    }

    private static Http.Response request(AdminClient admin, SpiffeTestAuthority a, JWK key) {
        return token(admin, realm, a.svid("/w").audience(issuer).signingKey(key).sign());
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void sca62_noBundleFetchPerTokenRequestWhileTheBundleIsFresh(AdminClient admin) {
        assertTokenFor(request(admin, fresh), "svc-fresh.test");
        int before = fresh.fetches();
        assertThat(before).as("the first SVID needs the bundle").isGreaterThanOrEqualTo(1);
        for (int i = 0; i < 30; i++) {
            assertTokenFor(request(admin, fresh), "svc-fresh.test");
        }
        assertThat(fresh.fetches()).as("bundle fetches during 30 token requests with a fresh bundle")
                .isEqualTo(before);
    }

    @Test
    void sca62_burstOfRequestsFetchesAtMostOncePerRefreshHint(AdminClient admin) throws Exception {
        assertTokenFor(request(admin, burst), "svc-burst.test");
        int before = burst.fetches();
        List<String> svids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            svids.add(burst.svid("/w" + i).audience(issuer).sign());
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        Instant start = Instant.now();
        List<Http.Response> responses = new ArrayList<>();
        try {
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (String svid : svids) {
                futures.add(pool.submit(() -> token(admin, realm, svid)));
            }
            for (Future<Http.Response> f : futures) {
                responses.add(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        Duration took = Duration.between(start, Instant.now());
        int during = burst.fetches() - before;
        assertThat(responses).allSatisfy(r -> assertTokenFor(r, "svc-burst.test"));
        long bound = 1 + (took.toMillis() + HINT * 1000 - 1) / (HINT * 1000);
        assertThat(during).as("bundle fetches during a burst of 30 requests over %s ms (hint %s s)",
                took.toMillis(), HINT).isLessThanOrEqualTo((int) bound);
    }

    @Test
    void bnd02_keyRotationIsPickedUpAfterTheRefreshHint(AdminClient admin) {
        assertTokenFor(request(admin, rotating), "svc-rotate.test");
        JWK oldRsa = rotating.signingKey(JWSAlgorithm.RS256);
        long sequence = rotating.sequence();

        rotating.rotate();
        assertThat(rotating.sequence()).isEqualTo(sequence + 1);
        // Picked up by the next scheduled refresh, or earlier through the unknown-kid refresh; the
        // poll bound is only a liveness guard (speed is never asserted in tests).
        Http.Response accepted = Spiffe.poll(Duration.ofSeconds(HINT + 30), Duration.ofMillis(250),
                () -> request(admin, rotating), r -> r.status() == 200, "an SVID signed with the rotated key");
        assertTokenFor(accepted, "svc-rotate.test");

        // The old key left the bundle with the rotation: SVIDs it signs are no longer accepted.
        assertInvalidClient(request(admin, rotating, oldRsa));
        assertTokenFor(request(admin, rotating), "svc-rotate.test");
    }

    @Test
    void bnd02_overlappingRotationAcceptsOldAndNewKeys(AdminClient admin) {
        SpiffeTestAuthority a = overlap;
        assertTokenFor(request(admin, a), "svc-overlap.test");
        JWK oldRsa = a.signingKey(JWSAlgorithm.RS256);
        a.rotateKeepingPrevious();
        Spiffe.poll(Duration.ofSeconds(HINT + 8), Duration.ofMillis(250),
                () -> request(admin, a), r -> r.status() == 200, "an SVID signed with the new key");
        assertTokenFor(request(admin, a, oldRsa), "svc-overlap.test");
        assertTokenFor(request(admin, a), "svc-overlap.test");
    }

    @Test
    void fed02_aBundleWithALowerSequenceIsIgnoredAsARollback(AdminClient admin) {
        SpiffeTestAuthority a = rollback;
        assertTokenFor(request(admin, a), "svc-rollback.test");
        String oldBundle = a.bundleJson();
        JWK oldRsa = a.signingKey(JWSAlgorithm.RS256);

        a.rotate();
        Spiffe.poll(Duration.ofSeconds(HINT + 8), Duration.ofMillis(250),
                () -> request(admin, a), r -> r.status() == 200, "an SVID signed with the rotated key");
        JWK newRsa = a.signingKey(JWSAlgorithm.RS256);

        // A lagging replica serves the previous bundle (lower spiffe_sequence) from now on.
        a.overrideDocument(oldBundle);
        int fetches = a.fetches();
        Spiffe.poll(Duration.ofSeconds(HINT * 3 + 8), Duration.ofMillis(250),
                () -> {
                    request(admin, a, newRsa);
                    return a.fetches();
                }, n -> n >= fetches + 2, "two refreshes serving the rolled-back bundle");
        assertTokenFor(request(admin, a, newRsa), "svc-rollback.test");
        assertInvalidClient(request(admin, a, oldRsa));
        a.overrideDocument(null);
    }

    @Test
    void fed01_outageWithHttp500KeepsTheLastGoodBundleThenFailsClosed(AdminClient admin) {
        outage(admin, outage500, EndpointMode.HTTP_500);
    }

    @Test
    void fed01_outageWithDroppedConnectionsKeepsTheLastGoodBundleThenFailsClosed(AdminClient admin) {
        outage(admin, outageDrop, EndpointMode.DROP_CONNECTION);
    }

    private static void outage(AdminClient admin, SpiffeTestAuthority a, EndpointMode failure) {
        String client = "svc-" + a.trustDomain();
        assertTokenFor(request(admin, a), client);

        a.failWith(failure);
        Instant lastGood = a.lastBundleServedAt();
        assertThat(lastGood).isNotNull();
        int fetchesAtOutage = a.fetches();
        Instant failClosedDeadline = lastGood.plusSeconds(MAX_STALENESS + 4);
        Instant firstRejection = null;
        Http.Response rejection = null;
        while (Instant.now().isBefore(failClosedDeadline)) {
            Instant sentAt = Instant.now();
            Http.Response r = request(admin, a);
            assertThat(r.status()).as("never a 5xx during the outage: %s", r).isLessThan(500);
            if (sentAt.isBefore(lastGood.plusSeconds(MAX_STALENESS).minusMillis(750))) {
                assertThat(r.status()).as("%s s after the last good fetch the last good bundle still serves: %s",
                        Duration.between(lastGood, sentAt).toMillis() / 1000.0, r).isEqualTo(200);
            }
            if (r.status() != 200) {
                firstRejection = sentAt;
                rejection = r;
                break;
            }
            Spiffe.sleep(Duration.ofMillis(250));
        }
        int failedFetches = a.fetches() - fetchesAtOutage;
        assertThat(failedFetches).as("the endpoint was retried during the outage").isGreaterThanOrEqualTo(1);
        if (failure == EndpointMode.HTTP_500) {
            long outageSeconds = Duration.between(lastGood, Instant.now()).toSeconds() + 1;
            assertThat(failedFetches).as("retries at the refresh pace, not per request (%s s outage)", outageSeconds)
                    .isLessThanOrEqualTo((int) (2 + outageSeconds));
        }
        assertThat(rejection).as("SVIDs fail closed once the bundle is older than maxStalenessSeconds=%s",
                MAX_STALENESS).isNotNull();
        assertThat(firstRejection).isAfterOrEqualTo(lastGood.plusSeconds(MAX_STALENESS).minusMillis(750));
        assertInvalidClient(rejection);

        a.healthy();
        Http.Response recovered = Spiffe.poll(Duration.ofSeconds(HINT + 8), Duration.ofMillis(250),
                () -> request(admin, a), r -> r.status() == 200, "recovery after the endpoint is healthy again");
        assertTokenFor(recovered, client);
    }
}
