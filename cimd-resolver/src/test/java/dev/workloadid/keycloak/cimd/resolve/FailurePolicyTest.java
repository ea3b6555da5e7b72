package dev.workloadid.keycloak.cimd.resolve;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static dev.workloadid.keycloak.cimd.resolve.FailurePolicy.Decision.DISABLE;
import static dev.workloadid.keycloak.cimd.resolve.FailurePolicy.Decision.KEEP;
import static org.assertj.core.api.Assertions.assertThat;

class FailurePolicyTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Duration CEILING = Duration.ofHours(24);

    @Test
    void aDefiniteAnswerDisablesAtOnceHoweverRecentTheLastSuccess() {
        assertThat(FailurePolicy.decide(false, NOW.minusSeconds(1), CEILING, NOW)).isEqualTo(DISABLE);
    }

    @Test
    void aTransientFailureKeepsTheClientWithinTheCeiling() {
        assertThat(FailurePolicy.decide(true, NOW.minusSeconds(60), CEILING, NOW)).isEqualTo(KEEP);
        assertThat(FailurePolicy.decide(true, NOW.minus(CEILING), CEILING, NOW)).isEqualTo(KEEP);
    }

    @Test
    void aTransientFailureDisablesOnceTheLastSuccessIsOlderThanTheCeiling() {
        assertThat(FailurePolicy.decide(true, NOW.minus(CEILING).minusSeconds(1), CEILING, NOW)).isEqualTo(DISABLE);
        // No recorded success (a client from before the stamp existed): nothing vouches for it.
        assertThat(FailurePolicy.decide(true, Instant.EPOCH, CEILING, NOW)).isEqualTo(DISABLE);
    }

    @Test
    void aZeroCeilingLeavesNoGrace() {
        assertThat(FailurePolicy.decide(true, NOW.minusSeconds(1), Duration.ZERO, NOW)).isEqualTo(DISABLE);
    }
}
