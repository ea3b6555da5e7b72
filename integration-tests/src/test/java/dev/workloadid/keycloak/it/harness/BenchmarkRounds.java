package dev.workloadid.keycloak.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Interleaved benchmark rounds over HTTP for the benchmarks that need their own connections
 * ({@code X509SvidThroughputBenchmarkIT}, {@code CimdAuthorizationBenchmarkIT}): a fixed number of
 * client threads, each with its own {@link HttpClient} per method, made once and kept for the whole
 * run, so keep-alive connections (and their TLS sessions) are reused and handshakes are not what is
 * measured. Requests are built before each round's clock starts. Round 0 is a warm-up whose numbers
 * are dropped. Speed is reported, never asserted; callers assert {@link Result#failures} only.
 */
public final class BenchmarkRounds {

    public static final int THREADS = 4;
    public static final Duration WARMUP = Duration.ofSeconds(Long.getLong("wi.bench.warmup.seconds", 3));
    public static final Duration ROUND = Duration.ofSeconds(Long.getLong("wi.bench.round.seconds", 6));
    public static final int ROUNDS = Integer.getInteger("wi.bench.rounds", 3);
    /** Requests built per second of round; a round whose queue runs dry ends early (its rate stays right). */
    private static final int REQUESTS_PER_SECOND_BUILT = 3000;

    private BenchmarkRounds() {
    }

    /**
     * One method under test: {@code clientForThread} makes thread i's client (called once per thread,
     * before round 0), {@code request} builds one request (called before timing), {@code ok} decides
     * whether a response is a success.
     */
    public record Method(String name, IntFunction<HttpClient> clientForThread, Supplier<HttpRequest> request,
                         Predicate<HttpResponse<String>> ok) {
    }

    /** Per-round columns that {@link #roundRange} and {@link #medianRatio} compare. */
    public static final int THROUGHPUT = 0;
    public static final int LATENCY = 1;
    public static final int SERVER_CPU = 2;

    /**
     * Requests done and failed in measured rounds, the time spent, the summed request latency, and the
     * server's CPU time while they ran (-1 when not measured).
     */
    public static final class Result {
        public final AtomicLong ok = new AtomicLong();
        public final AtomicLong failures = new AtomicLong();
        public final AtomicLong latencyNanos = new AtomicLong();
        public volatile String lastFailure;
        public long nanos;
        public long serverCpuNanos = -1;
        /** Per measured round: {requests/s, mean latency ms, server CPU ms per request or NaN}. */
        public final List<double[]> rounds = new ArrayList<>();

        void add(Result other) {
            rounds.add(new double[] {other.perSecond(), other.meanMillis(), other.serverCpuMillisPerRequest()});
            if (other.serverCpuNanos >= 0) {
                serverCpuNanos = Math.max(serverCpuNanos, 0) + other.serverCpuNanos;
            }
            ok.addAndGet(other.ok.get());
            failures.addAndGet(other.failures.get());
            latencyNanos.addAndGet(other.latencyNanos.get());
            if (other.lastFailure != null) {
                lastFailure = other.lastFailure;
            }
            nanos += other.nanos;
        }

        /** The server's CPU milliseconds per successful request, NaN when not measured. */
        public double serverCpuMillisPerRequest() {
            return serverCpuNanos < 0 || ok.get() == 0 ? Double.NaN : serverCpuNanos / 1e6 / ok.get();
        }

        public double perSecond() {
            return nanos == 0 ? 0 : ok.get() / (nanos / 1e9);
        }

        /** Mean latency of successful and failed requests, in milliseconds. */
        public double meanMillis() {
            long n = ok.get() + failures.get();
            return n == 0 ? 0 : latencyNanos.get() / 1e6 / n;
        }
    }

    /** Warm-up round, then {@link #ROUNDS} rounds, every method once per round, the order alternating. */
    public static Map<String, Result> run(List<Method> methods) throws Exception {
        return run(methods, () -> { });
    }

    /** As {@link #run(List)}, calling {@code afterWarmup} between the warm-up and the first measured round. */
    public static Map<String, Result> run(List<Method> methods, Runnable afterWarmup) throws Exception {
        return run(methods, afterWarmup, null);
    }

    /**
     * As {@link #run(List, Runnable)}, also reading {@code serverCpuNanos} (e.g. {@link ProcessCpu}) around
     * each round, so each method's server CPU per request is known; null measures no CPU.
     */
    public static Map<String, Result> run(List<Method> methods, Runnable afterWarmup, LongSupplier serverCpuNanos)
            throws Exception {
        Map<String, HttpClient[]> clients = new LinkedHashMap<>();
        Map<String, Result> results = new LinkedHashMap<>();
        for (Method method : methods) {
            HttpClient[] perThread = new HttpClient[THREADS];
            for (int t = 0; t < THREADS; t++) {
                perThread[t] = method.clientForThread().apply(t);
            }
            clients.put(method.name(), perThread);
            results.put(method.name(), new Result());
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int round = 0; round <= ROUNDS; round++) {
                if (round == 1) {
                    afterWarmup.run();
                }
                // Alternating order (A B, B A, ...): neither method always runs right after the other.
                List<Method> order = new ArrayList<>(methods);
                if (round % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (Method method : order) {
                    Result r = round(pool, clients.get(method.name()), method, round == 0 ? WARMUP : ROUND, serverCpuNanos);
                    if (round > 0) {
                        results.get(method.name()).add(r);
                    } else if (r.failures.get() > 0) {
                        throw new AssertionError(method.name() + " warm-up failures: " + r.failures + ", last: " + r.lastFailure);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return results;
    }

    private static Result round(ExecutorService pool, HttpClient[] clients, Method method, Duration length,
                                LongSupplier serverCpuNanos) throws Exception {
        ConcurrentLinkedQueue<HttpRequest> requests = new ConcurrentLinkedQueue<>();
        long built = Math.max(500, length.toSeconds() * REQUESTS_PER_SECOND_BUILT);
        for (long i = 0; i < built; i++) {
            requests.add(method.request().get());
        }
        Result result = new Result();
        long cpuBefore = serverCpuNanos == null ? -1 : serverCpuNanos.getAsLong();
        long start = System.nanoTime();
        long deadline = start + length.toNanos();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            HttpClient client = clients[t];
            workers.add(pool.submit(() -> {
                HttpRequest request;
                while (System.nanoTime() < deadline && (request = requests.poll()) != null) {
                    long sent = System.nanoTime();
                    String failure;
                    try {
                        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                        failure = method.ok().test(response) ? null : response.statusCode() + " " + response.body();
                    } catch (IOException e) {
                        failure = "I/O: " + e;
                    }
                    result.latencyNanos.addAndGet(System.nanoTime() - sent);
                    if (failure == null) {
                        result.ok.incrementAndGet();
                    } else {
                        result.failures.incrementAndGet();
                        result.lastFailure = failure.length() > 500 ? failure.substring(0, 500) : failure;
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        result.nanos = System.nanoTime() - start;
        long cpuAfter = serverCpuNanos == null ? -1 : serverCpuNanos.getAsLong();
        if (cpuBefore >= 0 && cpuAfter >= 0) {
            result.serverCpuNanos = cpuAfter - cpuBefore;
        }
        return result;
    }

    /**
     * The median, lowest and highest per-round ratio of {@code a} to {@code b} (same round, so close
     * machine conditions), for requests/s ({@code latency} false) or mean latency: a reader sees the noise.
     */
    public static String roundRange(Result a, Result b, boolean latency) {
        return roundRange(a, b, latency ? LATENCY : THROUGHPUT);
    }

    /** As {@link #roundRange(Result, Result, boolean)} for any per-round column ({@link #SERVER_CPU} too). */
    public static String roundRange(Result a, Result b, int column) {
        double[] ratios = ratios(a, b, column);
        if (ratios.length == 0) {
            return "n/a";
        }
        return String.format("median %.2f× (%.2f×–%.2f×)", median(ratios), ratios[0], ratios[ratios.length - 1]);
    }

    /**
     * The median of the per-round ratios of {@code a} to {@code b} in {@code column}: each ratio compares
     * two runs seconds apart, so one slow round (machine noise) moves it less than it moves the
     * ratio of the totals. NaN when no round has both.
     */
    public static double medianRatio(Result a, Result b, int column) {
        return median(ratios(a, b, column));
    }

    /** The median of {@code values} (the mean of the middle two for an even count); NaN when there are none. */
    public static double median(double... values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Sorted per-round ratios, rounds without a value left out. */
    private static double[] ratios(Result a, Result b, int column) {
        return java.util.stream.IntStream.range(0, Math.min(a.rounds.size(), b.rounds.size()))
                .mapToDouble(i -> a.rounds.get(i)[column] / b.rounds.get(i)[column])
                .filter(ratio -> !Double.isNaN(ratio) && !Double.isInfinite(ratio))
                .sorted().toArray();
    }

    /** Prints {@code report} and writes it to {@code target/benchmark/<file>}. */
    public static void publish(String file, String report) {
        System.out.println(report);
        try {
            Path out = Path.of("target/benchmark", file);
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line naming the machine, so a report read later says what it ran on. */
    public static String machine(double loadBefore) {
        return String.format("Machine: %d cores, 1-min load average %.2f before the rounds and %.2f after (other Keycloaks "
                + "may share the machine: expect noise); %d client threads, %d interleaved rounds of %d s after a %d s warm-up.%n",
                Runtime.getRuntime().availableProcessors(), loadBefore, load(), THREADS, ROUNDS, ROUND.toSeconds(),
                WARMUP.toSeconds());
    }

    /** The machine's 1-minute load average (negative where unknown). */
    public static double load() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
