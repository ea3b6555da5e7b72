package dev.workloadid.keycloak.cimd.resolve;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Work started in the background, at most one run per key at a time on this node: a start while
 * the key runs (or waits) is dropped, since that run does what the later one would. The pool is
 * bounded in threads and queue, so a flood of keys never makes threads or memory grow; a start
 * the full queue refuses is dropped too (the caller's periodic work catches up later).
 */
public final class BackgroundFlight implements AutoCloseable {

    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor pool;

    /**
     * @param name    thread name prefix
     * @param threads at most this many runs at once
     * @param queue   at most this many runs waiting
     */
    public BackgroundFlight(String name, int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), factory,
                new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
    }

    /** @return true when this call started {@code work}; false when the key already runs or the pool is full or closed */
    public boolean start(String key, Runnable work) {
        if (!running.add(key)) {
            return false;
        }
        try {
            pool.execute(() -> {
                try {
                    work.run();
                } finally {
                    running.remove(key);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            running.remove(key);
            return false;
        }
    }

    /** Whether a run of this key is under way or waiting. */
    public boolean running(String key) {
        return running.contains(key);
    }

    /** Stops taking work and waits briefly for the runs under way (each is one short transaction). */
    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
