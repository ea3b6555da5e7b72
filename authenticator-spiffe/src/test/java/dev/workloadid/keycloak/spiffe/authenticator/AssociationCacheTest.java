package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.spiffe.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class AssociationCacheTest {

    private static final String ID = "spiffe://example.org/ns/prod/api";

    private final MutableClock clock = new MutableClock();

    @Test
    void remembersTheClientForItsLifetimeOnly() {
        AssociationCache cache = new AssociationCache(Duration.ofSeconds(10), clock);
        cache.put("realm-1", ID, "client-a");
        assertThat(cache.get("realm-1", ID)).isEqualTo("client-a");

        clock.advance(Duration.ofSeconds(9));
        assertThat(cache.get("realm-1", ID)).isEqualTo("client-a");
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get("realm-1", ID)).as("expired at its lifetime").isNull();
        assertThat(cache.size()).as("the expired entry is dropped").isZero();
    }

    @Test
    void entriesAreKeptApartByRealmAndSpiffeId() {
        AssociationCache cache = new AssociationCache(Duration.ofSeconds(10), clock);
        cache.put("realm-1", ID, "client-a");
        assertThat(cache.get("realm-2", ID)).isNull();
        assertThat(cache.get("realm-1", ID + "/child")).isNull();
        assertThat(cache.get("realm-1", "spiffe://example.org/ns/prod/ap")).isNull();
    }

    @Test
    void forgetAndClearDropEntries() {
        AssociationCache cache = new AssociationCache(Duration.ofSeconds(10), clock);
        cache.put("realm-1", ID, "client-a");
        cache.put("realm-1", ID + "2", "client-b");
        cache.forget("realm-1", ID);
        assertThat(cache.get("realm-1", ID)).isNull();
        assertThat(cache.get("realm-1", ID + "2")).isEqualTo("client-b");
        cache.clear();
        assertThat(cache.get("realm-1", ID + "2")).isNull();
    }

    @Test
    void zeroLifetimeTurnsTheCacheOff() {
        AssociationCache cache = new AssociationCache(Duration.ZERO, clock);
        cache.put("realm-1", ID, "client-a");
        assertThat(cache.get("realm-1", ID)).isNull();

        AssociationCache changed = new AssociationCache(Duration.ofSeconds(10), clock);
        changed.put("realm-1", ID, "client-a");
        changed.lifetime(Duration.ofSeconds(-1));
        assertThat(changed.lifetime()).isZero();
        assertThat(changed.get("realm-1", ID)).as("changing the lifetime starts over").isNull();
    }

    @Test
    void aFloodOfDistinctIdsCannotGrowItWithoutBound() {
        AssociationCache cache = new AssociationCache(Duration.ofMinutes(1), clock);
        for (int i = 0; i < AssociationCache.MAX_ENTRIES + 5; i++) {
            cache.put("realm-1", ID + i, "client-" + i);
        }
        assertThat(cache.size()).isLessThanOrEqualTo(AssociationCache.MAX_ENTRIES);
    }
}
