package dev.workloadid.keycloak.cimd.resolve;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class BackgroundFlightTest {

    @Test
    void concurrentStartsOfOneKeyRunOnceAndNeverWaitForTheRun() throws Exception {
        try (BackgroundFlight flight = new BackgroundFlight("test", 2, 8)) {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService callers = Executors.newFixedThreadPool(20);
            List<Future<Boolean>> started = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                started.add(callers.submit(() -> flight.start("realm url", () -> {
                    runs.incrementAndGet();
                    await(release);
                })));
            }
            int starts = 0;
            for (Future<Boolean> s : started) {
                // Every caller returns while the one run is still held.
                if (s.get(5, TimeUnit.SECONDS)) {
                    starts++;
                }
            }
            assertThat(starts).isEqualTo(1);
            assertThat(flight.running("realm url")).isTrue();
            release.countDown();
            waitUntil(() -> !flight.running("realm url"));
            assertThat(runs.get()).isEqualTo(1);
            callers.shutdownNow();
        }
    }

    @Test
    void aKeyRunsAgainOnceItsRunHasEndedAndOtherKeysRunAlongside() throws Exception {
        try (BackgroundFlight flight = new BackgroundFlight("test", 2, 8)) {
            AtomicInteger runs = new AtomicInteger();
            assertThat(flight.start("a", runs::incrementAndGet)).isTrue();
            waitUntil(() -> !flight.running("a"));
            assertThat(flight.start("a", runs::incrementAndGet)).isTrue();
            assertThat(flight.start("b", runs::incrementAndGet)).isTrue();
            waitUntil(() -> !flight.running("a") && !flight.running("b"));
            assertThat(runs.get()).isEqualTo(3);
        }
    }

    @Test
    void aFullPoolDropsTheStartAndFreesTheKey() throws Exception {
        try (BackgroundFlight flight = new BackgroundFlight("test", 1, 1)) {
            CountDownLatch release = new CountDownLatch(1);
            assertThat(flight.start("busy", () -> await(release))).isTrue();
            assertThat(flight.start("queued", () -> await(release))).isTrue();
            // One thread busy, the one queue place taken: refused, and the key is not left behind.
            assertThat(flight.start("refused", () -> { })).isFalse();
            assertThat(flight.running("refused")).isFalse();
            release.countDown();
            waitUntil(() -> !flight.running("busy") && !flight.running("queued"));
            assertThat(flight.start("refused", () -> { })).isTrue();
        }
    }

    @Test
    void aFailingRunFreesItsKey() throws Exception {
        try (BackgroundFlight flight = new BackgroundFlight("test", 1, 1)) {
            assertThat(flight.start("k", () -> {
                throw new IllegalStateException("boom");
            })).isTrue();
            waitUntil(() -> !flight.running("k"));
            assertThat(flight.start("k", () -> { })).isTrue();
        }
    }

    @Test
    void closedFlightStartsNothing() {
        BackgroundFlight flight = new BackgroundFlight("test", 1, 1);
        flight.close();
        assertThat(flight.start("k", () -> { })).isFalse();
        assertThat(flight.running("k")).isFalse();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }
}
