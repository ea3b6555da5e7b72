package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.spiffe.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

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

    @Test
    void anEntryMadeUnderAnotherGenerationIsNotUsed() {
        AssociationCache cache = new AssociationCache(Duration.ofMinutes(5), clock);
        cache.put("realm-1", ID, "client-a", "g1");
        assertThat(cache.get("realm-1", ID, "g1")).isEqualTo("client-a");
        assertThat(cache.get("realm-1", ID, "g2")).as("a client changed somewhere since").isNull();
        assertThat(cache.get("realm-1", ID, "g1")).as("and the stale entry is dropped").isNull();
    }

    @Test
    void anUnreadableGenerationRemembersNothing() {
        AssociationCache cache = new AssociationCache(Duration.ofMinutes(5), clock);
        cache.put("realm-1", ID, "client-a", null);
        assertThat(cache.size()).isZero();
        cache.put("realm-1", ID, "client-a", "g1");
        assertThat(cache.get("realm-1", ID, null)).isNull();
    }

    @Test
    void theGenerationIsReadAgainAfterTheRecheckIntervalOrALocalChange() {
        AssociationCache cache = new AssociationCache(Duration.ofMinutes(5), clock);
        AtomicInteger reads = new AtomicInteger();
        String[] store = {"g1"};
        Supplier<String> read = () -> {
            reads.incrementAndGet();
            return store[0];
        };
        assertThat(cache.generation("realm-1", read)).isEqualTo("g1");
        store[0] = "g2";
        assertThat(cache.generation("realm-1", read)).as("within the recheck interval").isEqualTo("g1");
        assertThat(cache.generation("realm-2", read)).as("each realm has its own").isEqualTo("g2");
        assertThat(reads).hasValue(2);

        clock.advance(AssociationCache.GENERATION_RECHECK);
        assertThat(cache.generation("realm-1", read)).isEqualTo("g2");
        store[0] = "g3";
        cache.clear();
        assertThat(cache.generation("realm-1", read)).as("a change on this node reads it again at once").isEqualTo("g3");
    }

    @Test
    void theLifetimeIsCappedBelowTheGenerationsLifespan() {
        AssociationCache cache = new AssociationCache(Duration.ofDays(30), clock);
        assertThat(cache.lifetime()).isEqualTo(AssociationCache.MAX_LIFETIME);
        assertThat(AssociationGenerations.LIFESPAN).isGreaterThan(AssociationCache.MAX_LIFETIME.multipliedBy(24));
    }
}
