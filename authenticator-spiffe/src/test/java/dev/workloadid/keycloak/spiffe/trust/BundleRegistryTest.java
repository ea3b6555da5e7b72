package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import dev.workloadid.keycloak.spiffe.testing.MutableClock;
import io.spiffe.spiffeid.TrustDomain;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BundleRegistryTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");

    /** A polled source whose answers the test scripts; counts loads. */
    private static final class ScriptedSource implements BundleSource {
        final AtomicInteger loads = new AtomicInteger();
        volatile boolean failing;
        volatile String json = bundleJson(1, 60);

        @Override
        public SpiffeBundle load() throws BundleUnavailableException {
            loads.incrementAndGet();
            if (failing) {
                throw new BundleUnavailableException("endpoint down");
            }
            try {
                return SpiffeBundle.parse(TD, json);
            } catch (Exception e) {
                throw new BundleUnavailableException(e.getMessage(), e);
            }
        }

        @Override
        public boolean polled() {
            return true;
        }
    }

    static String bundleJson(long sequence, long hint) {
        try {
            var key = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).keyID("k" + sequence)
                    .generate().toPublicJWK().toJSONObject();
            key.put("use", "jwt-svid");
            Map<String, Object> bundle = new HashMap<>();
            bundle.put("keys", List.of(key));
            bundle.put("spiffe_sequence", sequence);
            bundle.put("spiffe_refresh_hint", hint);
            return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(bundle);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static TrustDomainSettings settings(String maxStaleness) {
        Map<String, List<String>> config = new HashMap<>();
        config.put("trustDomain", List.of("example.org"));
        config.put("bundleEndpointUrl", List.of("https://bundle.example.org/"));
        config.put("refreshHintFloorSeconds", List.of("10"));
        config.put("refreshHintCeilingSeconds", List.of("300"));
        config.put("maxStalenessSeconds", List.of(maxStaleness));
        return TrustDomainSettings.from("td1", config);
    }

    @Test
    void sca62_noFetchWhileFreshThenRefreshAtTheHint() throws Exception {
        MutableClock clock = new MutableClock();
        ScriptedSource source = new ScriptedSource();
        BundleRegistry registry = new BundleRegistry(s -> source, clock);
        TrustDomainSettings settings = settings("86400");

        for (int i = 0; i < 100; i++) {
            assertThat(registry.bundle("r1", settings).supportsJwtSvid()).isTrue();
        }
        assertThat(source.loads).as("one cold fetch, none per request after").hasValue(1);

        clock.now = clock.now.plusSeconds(59);
        registry.refreshDue();
        assertThat(source.loads).as("not due before the 60 s hint").hasValue(1);
        clock.now = clock.now.plusSeconds(2);
        registry.refreshDue();
        assertThat(source.loads).as("background refresh at the hint").hasValue(2);
    }

    @Test
    void fed02_keepsLastGoodBundleThroughAnOutageThenFailsClosed() throws Exception {
        MutableClock clock = new MutableClock();
        ScriptedSource source = new ScriptedSource();
        BundleRegistry registry = new BundleRegistry(s -> source, clock);
        TrustDomainSettings settings = settings("600");
        SpiffeBundle first = registry.bundle("r1", settings);

        source.failing = true;
        clock.now = clock.now.plusSeconds(120);
        registry.refreshDue();
        assertThat(registry.bundle("r1", settings)).as("last good bundle during the outage").isSameAs(first);

        clock.now = clock.now.plusSeconds(600);
        assertThatThrownBy(() -> registry.bundle("r1", settings))
                .isInstanceOf(BundleUnavailableException.class).hasMessageContaining("stale");
    }

    @Test
    void bnd02_rollbackToLowerSequenceIsIgnored() throws Exception {
        MutableClock clock = new MutableClock();
        ScriptedSource source = new ScriptedSource();
        source.json = bundleJson(5, 60);
        BundleRegistry registry = new BundleRegistry(s -> source, clock);
        TrustDomainSettings settings = settings("86400");
        SpiffeBundle current = registry.bundle("r1", settings);

        source.json = bundleJson(4, 60);
        clock.now = clock.now.plusSeconds(61);
        registry.refreshDue();
        assertThat(registry.bundle("r1", settings)).isSameAs(current);
    }

    @Test
    void coldStartUnderConcurrencyFetchesOnce() throws Exception {
        MutableClock clock = new MutableClock();
        ScriptedSource source = new ScriptedSource();
        BundleRegistry registry = new BundleRegistry(s -> source, clock);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            allAtOnceGetABundle(pool, 64, registry, settings("86400"));
        } finally {
            pool.shutdown();
        }
        assertThat(source.loads).hasValue(1);
    }

    @Test
    void aPublishedStateNeverHasABundleWithoutItsFetchTime() throws Exception {
        SpiffeBundle bundle = SpiffeBundle.parse(TD, bundleJson(1, 60));
        assertThatThrownBy(() -> new BundleRegistry.State(bundle, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BundleRegistry.State(null, Instant.EPOCH, null)).isInstanceOf(IllegalArgumentException.class);
        BundleRegistry.State fetched = new BundleRegistry.State(bundle, Instant.EPOCH, null);
        assertThat(fetched.failed("endpoint down")).isEqualTo(new BundleRegistry.State(bundle, Instant.EPOCH, "endpoint down"));
    }

    @Test
    void readersRacingTheFirstFetchGetTheBundleNeverAnError() throws Exception {
        // Readers that find the entry without taking its lock must never see half a refresh (a bundle
        // whose fetch time is not yet set: once a NullPointerException, reported as a server error).
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 50; round++) {
                ScriptedSource source = new ScriptedSource();
                allAtOnceGetABundle(pool, 8, new BundleRegistry(s -> source, new MutableClock()), settings("86400"));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fed01_aFetchSlowerThanTheFloorIsNotRepeatedByEachWaitingRequest() throws Exception {
        MutableClock clock = new MutableClock();
        ScriptedSource healthy = new ScriptedSource();
        AtomicInteger slowLoads = new AtomicInteger();
        // Past the first load, every load fails after 20 s (a hanging endpoint), twice the 10 s floor.
        BundleSource source = new BundleSource() {
            @Override
            public SpiffeBundle load() throws BundleUnavailableException {
                if (healthy.loads.get() == 0) {
                    return healthy.load();
                }
                slowLoads.incrementAndGet();
                clock.now = clock.now.plusSeconds(20);
                throw new BundleUnavailableException("timed out");
            }

            @Override
            public boolean polled() {
                return true;
            }
        };
        BundleRegistry registry = new BundleRegistry(s -> source, clock);
        TrustDomainSettings settings = settings("600");
        registry.bundle("r1", settings);

        clock.now = clock.now.plusSeconds(601);
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> registry.bundle("r1", settings)).isInstanceOf(BundleUnavailableException.class);
        }
        assertThat(slowLoads).as("requests right after a slow failed fetch wait for the floor from its end").hasValue(1);
        clock.now = clock.now.plusSeconds(10);
        assertThatThrownBy(() -> registry.bundle("r1", settings)).isInstanceOf(BundleUnavailableException.class);
        assertThat(slowLoads).as("one retry once the floor has passed").hasValue(2);
    }

    @Test
    void failedColdFetchIsNotRetriedOnEveryRequest() {
        MutableClock clock = new MutableClock();
        ScriptedSource source = new ScriptedSource();
        source.failing = true;
        BundleRegistry registry = new BundleRegistry(s -> source, clock);
        TrustDomainSettings settings = settings("86400");
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> registry.bundle("r1", settings)).hasMessageContaining("endpoint down");
        }
        assertThat(source.loads).as("retries wait for the floor").hasValue(1);
        clock.now = clock.now.plus(Duration.ofSeconds(31));
        source.failing = false;
        assertThat(catchBundle(registry, settings)).isNotNull();
    }

    @Test
    void configurationChangeReplacesTheCachedBundle() throws Exception {
        MutableClock clock = new MutableClock();
        ScriptedSource source = new ScriptedSource();
        BundleRegistry registry = new BundleRegistry(s -> source, clock);
        registry.bundle("r1", settings("86400"));
        registry.bundle("r1", settings("3600"));
        assertThat(source.loads).hasValue(2);
    }

    @Test
    void earlyRefreshForUnknownKidIsRateLimitedByTheFloor() throws Exception {
        MutableClock clock = new MutableClock();
        ScriptedSource source = new ScriptedSource();
        BundleRegistry registry = new BundleRegistry(s -> source, clock);
        TrustDomainSettings settings = settings("86400");
        SpiffeBundle first = registry.bundle("r1", settings);

        source.json = bundleJson(2, 60);
        assertThat(registry.refreshEarly("r1", settings)).as("within the floor of the last fetch").isFalse();
        clock.now = clock.now.plusSeconds(11);
        assertThat(registry.refreshEarly("r1", settings)).as("rotation picked up early").isTrue();
        assertThat(registry.bundle("r1", settings)).isNotSameAs(first);
        for (int i = 0; i < 50; i++) {
            registry.refreshEarly("r1", settings);
        }
        assertThat(source.loads).hasValue(2);
    }

    /** {@code requests} calls of bundle() released together; each must return a bundle. */
    private static void allAtOnceGetABundle(ExecutorService pool, int requests, BundleRegistry registry,
                                            TrustDomainSettings settings) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<SpiffeBundle>> results = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return registry.bundle("r1", settings);
            }));
        }
        start.countDown();
        for (Future<SpiffeBundle> result : results) {
            assertThat(result.get(10, TimeUnit.SECONDS)).isNotNull();
        }
    }

    private static SpiffeBundle catchBundle(BundleRegistry registry, TrustDomainSettings settings) {
        try {
            return registry.bundle("r1", settings);
        } catch (BundleUnavailableException e) {
            throw new AssertionError(e);
        }
    }
}
