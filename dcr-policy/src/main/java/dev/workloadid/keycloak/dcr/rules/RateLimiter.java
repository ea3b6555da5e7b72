package dev.workloadid.keycloak.dcr.rules;

import java.time.Instant;

/**
 * A fixed-window counter over a store of single-use slots: request n of a window takes slot n,
 * so a request is allowed exactly when one of the window's {@code limit} slots was still free.
 * With a store whose {@code putIfAbsent} is atomic across the cluster (Keycloak's
 * SingleUseObjectProvider) the limit holds across nodes and under concurrent bursts.
 */
public final class RateLimiter {

    /** Cluster-wide "first one wins" slots that expire on their own. */
    @FunctionalInterface
    public interface SlotStore {
        boolean putIfAbsent(String key, long lifespanSeconds);
    }

    public static final int MAX_LIMIT = 1000;

    private final SlotStore store;

    public RateLimiter(SlotStore store) {
        this.store = store;
    }

    /**
     * @return true if the request fits within {@code limit} requests per {@code windowSeconds} for this key
     */
    public boolean tryAcquire(String key, int limit, long windowSeconds, Instant now) {
        if (limit <= 0) {
            return false;
        }
        int bounded = Math.min(limit, MAX_LIMIT);
        long window = now.getEpochSecond() / windowSeconds;
        // Slots live a little longer than the window so a slow node cannot reuse a stale window.
        long lifespan = windowSeconds + 5;
        for (int slot = 0; slot < bounded; slot++) {
            if (store.putIfAbsent(key + ":" + window + ":" + slot, lifespan)) {
                return true;
            }
        }
        return false;
    }
}
