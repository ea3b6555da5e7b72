package dev.workloadid.keycloak.dcr.rules;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RateLimiter}: DCR-03 (open registration may be rate-limited), counted in a shared slot store. */
class RateLimiterTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** An in-memory stand-in for Keycloak's single-use object store, recording each lifespan asked for. */
    private static final class Slots implements RateLimiter.SlotStore {
        final Map<String, Long> taken = new HashMap<>();
        final List<String> asked = new ArrayList<>();

        @Override
        public boolean putIfAbsent(String key, long lifespanSeconds) {
            asked.add(key);
            return taken.putIfAbsent(key, lifespanSeconds) == null;
        }
    }

    private static int allowed(RateLimiter limiter, String key, int limit, int attempts, Instant now) {
        int ok = 0;
        for (int i = 0; i < attempts; i++) {
            ok += limiter.tryAcquire(key, limit, 60, now) ? 1 : 0;
        }
        return ok;
    }

    @Test
    void dcr03_allowsExactlyTheLimitInAWindowThenRefuses() {
        RateLimiter limiter = new RateLimiter(new Slots());
        assertThat(allowed(limiter, "src:192.0.2.1", 3, 3, T0)).isEqualTo(3);
        assertThat(limiter.tryAcquire("src:192.0.2.1", 3, 60, T0.plusSeconds(59))).as("same window").isFalse();
    }

    @Test
    void dcr03_windowsAreAlignedAndANewOneCountsAfresh() {
        RateLimiter limiter = new RateLimiter(new Slots());
        Instant late = T0.plusSeconds(59);
        assertThat(allowed(limiter, "k", 2, 2, late)).isEqualTo(2);
        assertThat(limiter.tryAcquire("k", 2, 60, late)).isFalse();
        assertThat(limiter.tryAcquire("k", 2, 60, T0.plusSeconds(60))).as("next window, one second later").isTrue();
    }

    @Test
    void dcr03_keysAreCountedApart() {
        RateLimiter limiter = new RateLimiter(new Slots());
        assertThat(allowed(limiter, "src:192.0.2.1", 1, 2, T0)).isEqualTo(1);
        assertThat(limiter.tryAcquire("src:192.0.2.2", 1, 60, T0)).isTrue();
        assertThat(limiter.tryAcquire("sw:app", 1, 60, T0)).isTrue();
    }

    @Test
    void dcr03_zeroOrNegativeLimitRefusesWithoutTouchingTheStore() {
        Slots slots = new Slots();
        RateLimiter limiter = new RateLimiter(slots);
        assertThat(limiter.tryAcquire("k", 0, 60, T0)).isFalse();
        assertThat(limiter.tryAcquire("k", -5, 60, T0)).isFalse();
        assertThat(slots.asked).isEmpty();
    }

    @Test
    void dcr03_limitIsCappedAtMaxLimit() {
        RateLimiter limiter = new RateLimiter(new Slots());
        assertThat(allowed(limiter, "k", 5000, RateLimiter.MAX_LIMIT + 10, T0)).isEqualTo(RateLimiter.MAX_LIMIT);
    }

    @Test
    void dcr03_slotsOutliveTheirWindowAndAreKeyedByWindow() {
        Slots slots = new Slots();
        new RateLimiter(slots).tryAcquire("k", 1, 30, T0.plusSeconds(95));
        String key = "k:" + (T0.getEpochSecond() + 95) / 30 + ":0";
        assertThat(slots.taken).containsOnlyKeys(key).containsEntry(key, 35L);
    }

    @Test
    void dcr03_slotsTakenElsewhereInTheClusterCount() {
        RateLimiter limiter = new RateLimiter((key, lifespan) -> false);
        assertThat(limiter.tryAcquire("k", 10, 60, T0)).isFalse();
    }
}
