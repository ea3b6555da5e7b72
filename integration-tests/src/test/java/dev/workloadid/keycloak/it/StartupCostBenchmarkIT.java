package dev.workloadid.keycloak.it;

import dev.workloadid.keycloak.it.harness.BenchmarkRounds;
import dev.workloadid.keycloak.it.harness.BenchmarkSummary;
import dev.workloadid.keycloak.it.harness.DistStartup;
import dev.workloadid.keycloak.it.harness.HarnessConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Benchmark, not a test of speed: what the pack's three JARs add to {@code kc.sh build} and to the
 * time until {@code /health/ready} of {@code kc.sh start --optimized}, against the stock distribution
 * on the same machine in the same run. Two private copies of the distribution (one with the JARs in
 * providers/), {@code -Dwi.bench.startup.rounds} (4) rounds, each building and starting both, the
 * order alternating; each round starts each distribution on an empty dev-file database (a first
 * start: schema, master realm and its keys created, where RSA key generation alone varies by
 * seconds) and then again on the database that start left (a restart, what a running installation
 * does). Same build options for both: health
 * on, and the features the integration tests use. The summary's ratio is the median of the rounds'
 * paired ratios (each round compares two runs seconds apart, and one slow run of a few seconds,
 * common on a small machine, moves a mean of a few rounds by more than the target allows); the
 * means are reported too. Writes {@code target/benchmark/startup.md} and summary rows. Needs the dist backend (it runs the distribution itself); does not use the shared
 * test Keycloak.
 */
@Tag("benchmark")
class StartupCostBenchmarkIT {

    private static final int ROUNDS = Integer.getInteger("wi.bench.startup.rounds", 4);

    @Test
    void buildAndStartWithAndWithoutThePack() {
        HarnessConfig config = HarnessConfig.fromSystemProperties();
        Assumptions.assumeTrue(config.dedicatedDistAllowed(), "needs the distribution on this machine (dist backend)");
        DistStartup stock = DistStartup.prepare(config, "stock", false);
        DistStartup pack = DistStartup.prepare(config, "pack", true);
        assertThat(stock.packJars()).isZero();
        assertThat(pack.packJars()).isPositive();
        List<String> buildOptions = new ArrayList<>(List.of("--health-enabled=true"));
        String features = System.getProperty("wi.keycloak.features", "").trim();
        if (!features.isEmpty()) {
            buildOptions.add("--features=" + features);
        }

        double loadBefore = BenchmarkRounds.load();
        long[] build = new long[2];
        long[] ready = new long[2];
        double[] buildRatios = new double[ROUNDS];
        double[] readyRatios = new double[ROUNDS];
        long[] restart = new long[2];
        double[] restartRatios = new double[ROUNDS];
        StringBuilder rows = new StringBuilder();
        for (int round = 0; round < ROUNDS; round++) {
            DistStartup[] order = round % 2 == 0 ? new DistStartup[] {stock, pack} : new DistStartup[] {pack, stock};
            long[] roundBuild = new long[2];
            long[] roundReady = new long[2];
            long[] roundRestart = new long[2];
            for (DistStartup d : order) {
                int i = d == pack ? 1 : 0;
                Duration b = d.build(buildOptions);
                Duration r = d.startUntilReady(true);
                Duration again = d.startUntilReady(false);
                build[i] += b.toMillis();
                ready[i] += r.toMillis();
                restart[i] += again.toMillis();
                roundRestart[i] = again.toMillis();
                roundBuild[i] = b.toMillis();
                roundReady[i] = r.toMillis();
                rows.append(String.format("| %d | %s | %.1f | %.1f | %.1f |%n", round + 1, i == 1 ? "with the pack" : "stock",
                        b.toMillis() / 1000.0, r.toMillis() / 1000.0, again.toMillis() / 1000.0));
            }
            buildRatios[round] = (double) roundBuild[1] / roundBuild[0];
            readyRatios[round] = (double) roundReady[1] / roundReady[0];
            restartRatios[round] = (double) roundRestart[1] / roundRestart[0];
        }
        double restartMedian = BenchmarkRounds.median(restartRatios);
        double packRestart = restart[1] / 1000.0 / ROUNDS;
        double stockRestart = restart[0] / 1000.0 / ROUNDS;
        double buildMedian = BenchmarkRounds.median(buildRatios);
        double readyMedian = BenchmarkRounds.median(readyRatios);
        double stockBuild = build[0] / 1000.0 / ROUNDS;
        double packBuild = build[1] / 1000.0 / ROUNDS;
        double stockReady = ready[0] / 1000.0 / ROUNDS;
        double packReady = ready[1] / 1000.0 / ROUNDS;
        String report = "\n## Startup cost of the pack (stock distribution vs the same with the three JARs)\n\n"
                + "`kc.sh build " + String.join(" ", buildOptions) + "`, then `kc.sh start --optimized` until `/health/ready` "
                + "answers UP, on an empty dev-file database (first start) and again on the database it left (restart); "
                + "rounds alternate the order.\n\n"
                + "| round | distribution | build s | first start to ready s | restart to ready s |\n|---|---|---|---|---|\n"
                + rows
                + String.format("%nMeans: build %.1f s vs %.1f s (%.2f×), start to ready %.1f s vs %.1f s (%.2f×)%n",
                packBuild, stockBuild, packBuild / stockBuild, packReady, stockReady, packReady / stockReady)
                + String.format("Restart to ready: %.1f s vs %.1f s (%.2f×)%n", packRestart, stockRestart,
                packRestart / stockRestart)
                + String.format("Medians of the rounds' ratios (pack / stock): build %.2f× (rounds %s), first start to "
                        + "ready %.2f× (rounds %s), restart to ready %.2f× (rounds %s)%n", buildMedian, ratios(buildRatios),
                readyMedian, ratios(readyRatios), restartMedian, ratios(restartRatios))
                + BenchmarkRounds.machine(loadBefore).replaceFirst("; \\d+ client threads.*", ".") + "\n";
        BenchmarkRounds.publish("startup.md", report);
        BenchmarkSummary.ratio("startup", "kc.sh build time, median of the rounds' pack/stock ratios", buildMedian, 1, "ratio",
                BenchmarkSummary.Target.AT_MOST, 1.05, String.format("%d alternating rounds (%s); means %.1f s with "
                        + "the pack vs %.1f s stock", ROUNDS, ratios(buildRatios), packBuild, stockBuild));
        BenchmarkSummary.ratio("startup", "first start --optimized to ready, median of the rounds' pack/stock ratios", readyMedian, 1,
                "ratio", BenchmarkSummary.Target.AT_MOST, 1.05, String.format("empty dev-file database; %d alternating rounds "
                        + "(%s); means %.1f s with the pack vs %.1f s stock", ROUNDS,
                        ratios(readyRatios), packReady, stockReady));
        BenchmarkSummary.ratio("startup", "restart (start --optimized on the existing database) to ready, median of the "
                + "rounds' pack/stock ratios", restartMedian, 1, "ratio", BenchmarkSummary.Target.AT_MOST, 1.05,
                String.format("%d alternating rounds (%s); means %.1f s with the pack vs %.1f s stock", ROUNDS,
                        ratios(restartRatios), packRestart, stockRestart));
    }

    private static String ratios(double[] values) {
        return Arrays.stream(values).mapToObj(v -> String.format("%.2f×", v))
                .collect(Collectors.joining(", "));
    }
}
