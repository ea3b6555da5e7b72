package dev.workloadid.keycloak.cimd.resolve;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class SingleFlightTest {

    @Test
    void concurrentCallersShareOneExecution() throws Exception {
        SingleFlight<Integer> flight = new SingleFlight<>();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            results.add(pool.submit(() -> flight.run("k", Duration.ofSeconds(10), () -> {
                runs.incrementAndGet();
                release.await();
                return 42;
            })));
        }
        Thread.sleep(200);
        release.countDown();
        for (Future<Integer> r : results) {
            assertThat(r.get()).isEqualTo(42);
        }
        pool.shutdownNow();
        assertThat(runs.get()).isEqualTo(1);
        assertThat(flight.inFlight()).isZero();
    }

    @Test
    void failureIsSharedThenForgotten() throws Exception {
        SingleFlight<Integer> flight = new SingleFlight<>();
        try {
            flight.run("k", Duration.ofSeconds(1), () -> {
                throw new IllegalStateException("boom");
            });
        } catch (IllegalStateException expected) {
            // next call runs again
        }
        assertThat(flight.run("k", Duration.ofSeconds(1), () -> 7)).isEqualTo(7);
    }

    @Test
    void cimd34_failureThrottleRefusesRefetchUntilRetryTime() {
        Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
        Clock clock = new Clock() {
            public ZoneOffset getZone() { return ZoneOffset.UTC; }
            public Clock withZone(java.time.ZoneId zone) { return this; }
            public Instant instant() { return now[0]; }
        };
        FailureThrottle throttle = new FailureThrottle(clock);
        throttle.failed("u", Duration.ofSeconds(30), "invalid_client", "HTTP 500");
        assertThat(throttle.recent("u").description()).isEqualTo("HTTP 500");
        now[0] = now[0].plusSeconds(29);
        assertThat(throttle.recent("u")).isNotNull();
        now[0] = now[0].plusSeconds(1);
        assertThat(throttle.recent("u")).isNull();
        throttle.failed("u", Duration.ofSeconds(30), "invalid_client", "x");
        throttle.succeeded("u");
        assertThat(throttle.recent("u")).isNull();
    }
}
