package dev.workloadid.keycloak.cimd.resolve;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Concurrent calls for one key on this node share one execution: the first caller runs the work,
 * the others wait for its result (or its exception). Node-local by design: across nodes the
 * database's unique client_id decides.
 */
public final class SingleFlight<V> {

    @FunctionalInterface
    public interface Work<V> {
        V run() throws Exception;
    }

    private final ConcurrentMap<String, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

    public V run(String key, Duration maxWait, Work<V> work) throws Exception {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> existing = inFlight.putIfAbsent(key, mine);
        if (existing != null) {
            try {
                return existing.get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            } catch (TimeoutException e) {
                throw new TimeoutException("another request for the same client_id is still being resolved");
            }
        }
        try {
            V value = work.run();
            mine.complete(value);
            return value;
        } catch (Exception | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    int inFlight() {
        return inFlight.size();
    }
}
