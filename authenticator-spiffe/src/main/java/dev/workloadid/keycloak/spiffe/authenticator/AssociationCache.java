package dev.workloadid.keycloak.spiffe.authenticator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's memory of "SPIFFE ID → the client it was associated with", so that a workload's
 * requests do not each run the attribute query (Keycloak does not cache attribute searches).
 *
 * <p>It is a hint, never an authority: the caller re-reads the remembered client through Keycloak's
 * client cache and re-checks its binding, authenticator and state on every use, so a client that was
 * deleted, disabled, re-bound or switched to another authenticator stops matching at once on every
 * node. What the hint can hide for up to its lifetime is a <em>better</em> match created later (a more
 * specific registration, or an equally specific one that makes the ID ambiguous) on another node; on
 * this node any client change clears it. Node-local by design: it holds derived data only, and the
 * database stays the truth.
 */
final class AssociationCache {

    /** Beyond this many entries the cache starts over rather than grow (a flood of distinct IDs). */
    static final int MAX_ENTRIES = 10_000;

    private record Entry(String clientId, Instant expires) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile Duration lifetime;

    AssociationCache(Duration lifetime, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        lifetime(lifetime);
    }

    /** Zero (or negative) turns the cache off. */
    void lifetime(Duration lifetime) {
        this.lifetime = lifetime == null || lifetime.isNegative() ? Duration.ZERO : lifetime;
        entries.clear();
    }

    Duration lifetime() {
        return lifetime;
    }

    /** The internal id of the client remembered for this SPIFFE ID in this realm, or null. */
    String get(String realmId, String spiffeId) {
        String key = key(realmId, spiffeId);
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (!clock.instant().isBefore(entry.expires())) {
            entries.remove(key, entry);
            return null;
        }
        return entry.clientId();
    }

    void put(String realmId, String spiffeId, String clientInternalId) {
        Duration ttl = lifetime;
        if (ttl.isZero()) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(key(realmId, spiffeId), new Entry(clientInternalId, clock.instant().plus(ttl)));
    }

    void forget(String realmId, String spiffeId) {
        entries.remove(key(realmId, spiffeId));
    }

    /** After any client change on this node: the better match may be new. */
    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }

    private static String key(String realmId, String spiffeId) {
        // A realm id never contains a space, and a SPIFFE ID never does either.
        return realmId + ' ' + spiffeId;
    }
}
