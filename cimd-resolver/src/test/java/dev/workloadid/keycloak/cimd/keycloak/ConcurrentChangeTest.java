package dev.workloadid.keycloak.cimd.keycloak;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConcurrentChangeTest {

    /** Stand-ins named like Hibernate's and JPA's exceptions (the pack references neither). */
    static final class OptimisticLockException extends RuntimeException {
        OptimisticLockException(String m) {
            super(m);
        }
    }

    static final class StaleObjectStateException extends RuntimeException {
        StaleObjectStateException(String m) {
            super(m);
        }
    }

    @Test
    void aConcurrentDeleteOrUpdateAnywhereInTheCauseChainIsRecognised() {
        assertThat(ConcurrentChange.causedBy(new RuntimeException("commit failed",
                new IllegalStateException("flush", new OptimisticLockException("Row was updated or deleted"))))).isTrue();
        assertThat(ConcurrentChange.causedBy(new StaleObjectStateException("stale"))).isTrue();
    }

    @Test
    void otherFailuresAreNot() {
        assertThat(ConcurrentChange.causedBy(new RuntimeException("disk full", new java.io.UncheckedIOException(
                new java.io.IOException("no space"))))).isFalse();
        assertThat(ConcurrentChange.causedBy(null)).isFalse();
    }
}
