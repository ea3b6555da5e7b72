package dev.workloadid.keycloak.it.harness;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Client threads that keep sending requests in the background while a test changes the world (a
 * peer failing, a long soak), recording every answer with when it was sent and how long it took.
 * Latencies are reported, never asserted (docs/benchmarks.md); tests assert on statuses and counts.
 */
public final class ClientLoad implements AutoCloseable {

    /** One request: sent at {@code sentAt}, answered after {@code nanos} with {@code response} (null: no answer). */
    public record Sample(Instant sentAt, long nanos, Http.Response response, String error) {
        public int status() {
            return response == null ? -1 : response.status();
        }

        public boolean sentIn(Instant from, Instant to) {
            return !sentAt.isBefore(from) && sentAt.isBefore(to);
        }

        @Override
        public String toString() {
            return sentAt + " +" + nanos / 1_000_000 + " ms: " + (response == null ? error : response);
        }
    }

    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final ExecutorService threads;
    private volatile boolean running = true;

    /** Starts {@code threads} threads, each sending {@code request} back to back until {@link #close()}. */
    public ClientLoad(int threadCount, Supplier<Http.Response> request) {
        threads = Executors.newFixedThreadPool(threadCount, r -> {
            Thread t = new Thread(r, "client-load");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < threadCount; i++) {
            threads.execute(() -> {
                while (running) {
                    samples.add(send(request));
                }
            });
        }
    }

    /** Sends one request, timing it; an exception (no HTTP answer) becomes a sample with status -1. */
    public static Sample send(Supplier<Http.Response> request) {
        Instant sentAt = Instant.now();
        long start = System.nanoTime();
        try {
            Http.Response r = request.get();
            return new Sample(sentAt, System.nanoTime() - start, r, null);
        } catch (RuntimeException e) {
            return new Sample(sentAt, System.nanoTime() - start, null, e.toString());
        }
    }

    /** Samples of requests sent in [from, to). */
    public List<Sample> sentBetween(Instant from, Instant to) {
        return samples.stream().filter(s -> s.sentIn(from, to)).toList();
    }

    public List<Sample> all() {
        return new ArrayList<>(samples);
    }

    public static List<Sample> matching(Collection<Sample> samples, Predicate<Sample> p) {
        return samples.stream().filter(p).toList();
    }

    /** The {@code percentile} (0..100) latency in milliseconds, or NaN without samples. */
    public static double percentileMillis(Collection<Sample> samples, double percentile) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        long[] nanos = samples.stream().mapToLong(Sample::nanos).sorted().toArray();
        int index = (int) Math.ceil(percentile / 100.0 * nanos.length) - 1;
        return nanos[Math.max(0, Math.min(nanos.length - 1, index))] / 1e6;
    }

    /** Stops the threads after their current request. */
    @Override
    public void close() {
        running = false;
        threads.shutdown();
        try {
            if (!threads.awaitTermination(60, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            threads.shutdownNow();
        }
    }
}
