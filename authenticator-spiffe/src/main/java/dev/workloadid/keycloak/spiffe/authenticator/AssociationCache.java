package dev.workloadid.keycloak.spiffe.authenticator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * This node's memory of "SPIFFE ID → the client it was associated with", so that a workload's
 * requests do not each run the attribute query (Keycloak does not cache attribute searches).
 *
 * <p>It is a hint, never an authority: the caller re-reads the remembered client through Keycloak's
 * client cache and re-checks its binding, authenticator and state on every use, so a client that was
 * deleted, disabled, re-bound or switched to another authenticator stops matching at once on every
 * node. What a hint could hide is a <em>better</em> match created later (a more specific
 * registration, or an equally specific one that makes the ID ambiguous). So every entry carries the
 * realm's <em>generation</em>, a value that a client created or updated on any node replaces
 * ({@link AssociationGenerations}, kept in Keycloak's cluster-wide store): an entry made under
 * another generation is not used. This node reads the generation at most once per
 * {@link #GENERATION_RECHECK}, so a change on another node is seen within about that long; on this
 * node a client change clears the memory at once. Node-local by design: it holds derived data only,
 * and the database stays the truth.
 */
final class AssociationCache {

    /** Beyond this many entries the cache starts over rather than grow (a flood of distinct IDs). */
    static final int MAX_ENTRIES = 10_000;

    /** How long this node trusts its last reading of a realm's generation. */
    static final Duration GENERATION_RECHECK = Duration.ofSeconds(1);

    /** The longest lifetime: far below the generation's own lifespan, so no expired generation can revive an entry. */
    static final Duration MAX_LIFETIME = Duration.ofHours(1);

    /** The generation of callers that do not use one (an entry is then bound by its lifetime only). */
    static final String NO_GENERATION = "";

    private record Entry(String clientId, String generation, Instant expires) {
    }

    private record Reading(String generation, Instant until) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, Reading> generations = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile Duration lifetime;

    AssociationCache(Duration lifetime, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        lifetime(lifetime);
    }

    /** Zero (or negative) turns the cache off; more than {@link #MAX_LIFETIME} is that. */
    void lifetime(Duration lifetime) {
        Duration value = lifetime == null || lifetime.isNegative() ? Duration.ZERO : lifetime;
        this.lifetime = value.compareTo(MAX_LIFETIME) > 0 ? MAX_LIFETIME : value;
        clear();
    }

    Duration lifetime() {
        return lifetime;
    }

    /**
     * The realm's current generation: the last reading if it is younger than {@link #GENERATION_RECHECK},
     * else {@code read}'s answer. Null (the store could not be read) means no entry is used or kept.
     */
    String generation(String realmId, Supplier<String> read) {
        Instant now = clock.instant();
        Reading last = generations.get(realmId);
        if (last != null && now.isBefore(last.until())) {
            return last.generation();
        }
        String current = read.get();
        generations.put(realmId, new Reading(current, now.plus(GENERATION_RECHECK)));
        return current;
    }

    /** The internal id of the client remembered for this SPIFFE ID in this realm, or null. */
    String get(String realmId, String spiffeId) {
        return get(realmId, spiffeId, NO_GENERATION);
    }

    /** As {@link #get(String, String)}, for an entry made under {@code generation} only. */
    String get(String realmId, String spiffeId, String generation) {
        if (generation == null) {
            return null;
        }
        String key = key(realmId, spiffeId);
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (!clock.instant().isBefore(entry.expires()) || !generation.equals(entry.generation())) {
            entries.remove(key, entry);
            return null;
        }
        return entry.clientId();
    }

    void put(String realmId, String spiffeId, String clientInternalId) {
        put(realmId, spiffeId, clientInternalId, NO_GENERATION);
    }

    /**
     * Remembers the association found under {@code generation}, which the caller read <em>before</em>
     * the query: a change committed in between then makes the entry stale rather than hiding it.
     */
    void put(String realmId, String spiffeId, String clientInternalId, String generation) {
        Duration ttl = lifetime;
        if (ttl.isZero() || generation == null) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(key(realmId, spiffeId), new Entry(clientInternalId, generation, clock.instant().plus(ttl)));
    }

    void forget(String realmId, String spiffeId) {
        entries.remove(key(realmId, spiffeId));
    }

    /** After any client change on this node: the better match may be new, and the generation too. */
    void clear() {
        entries.clear();
        generations.clear();
    }

    int size() {
        return entries.size();
    }

    private static String key(String realmId, String spiffeId) {
        // A realm id never contains a space, and a SPIFFE ID never does either.
        return realmId + ' ' + spiffeId;
    }
}
