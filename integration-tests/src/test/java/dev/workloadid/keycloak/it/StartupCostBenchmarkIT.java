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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Benchmark, not a test of speed: what the pack's three JARs add to {@code kc.sh build} and to the
 * time until {@code /health/ready} of {@code kc.sh start --optimized}, against the stock distribution
 * on the same machine in the same run. Two private copies of the distribution (one with the JARs in
 * providers/), {@code -Dwi.bench.startup.rounds} (2) rounds, each building and starting both, the
 * order alternating; each start on an empty dev-file database. Same build options for both: health
 * on, and the features the integration tests use. Writes {@code target/benchmark/startup.md} and
 * summary rows. Needs the dist backend (it runs the distribution itself); does not use the shared
 * test Keycloak.
 */
@Tag("benchmark")
class StartupCostBenchmarkIT {

    private static final int ROUNDS = Integer.getInteger("wi.bench.startup.rounds", 2);

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
        StringBuilder rows = new StringBuilder();
        for (int round = 0; round < ROUNDS; round++) {
            DistStartup[] order = round % 2 == 0 ? new DistStartup[] {stock, pack} : new DistStartup[] {pack, stock};
            for (DistStartup d : order) {
                int i = d == pack ? 1 : 0;
                Duration b = d.build(buildOptions);
                Duration r = d.startUntilReady();
                build[i] += b.toMillis();
                ready[i] += r.toMillis();
                rows.append(String.format("| %d | %s | %.1f | %.1f |%n", round + 1, i == 1 ? "with the pack" : "stock",
                        b.toMillis() / 1000.0, r.toMillis() / 1000.0));
            }
        }
        double stockBuild = build[0] / 1000.0 / ROUNDS;
        double packBuild = build[1] / 1000.0 / ROUNDS;
        double stockReady = ready[0] / 1000.0 / ROUNDS;
        double packReady = ready[1] / 1000.0 / ROUNDS;
        String report = "\n## Startup cost of the pack (stock distribution vs the same with the three JARs)\n\n"
                + "`kc.sh build " + String.join(" ", buildOptions) + "`, then `kc.sh start --optimized` on an empty "
                + "dev-file database until `/health/ready` answers UP; rounds alternate the order.\n\n"
                + "| round | distribution | build s | start to ready s |\n|---|---|---|---|\n" + rows
                + String.format("%nMeans: build %.1f s vs %.1f s (%.2f×), start to ready %.1f s vs %.1f s (%.2f×)%n",
                packBuild, stockBuild, packBuild / stockBuild, packReady, stockReady, packReady / stockReady)
                + BenchmarkRounds.machine(loadBefore).replaceFirst("; \\d+ client threads.*", ".") + "\n";
        BenchmarkRounds.publish("startup.md", report);
        BenchmarkSummary.ratio("startup", "kc.sh build time", packBuild, stockBuild, "s", BenchmarkSummary.Target.AT_MOST,
                1.05, "with the pack vs stock; mean of " + ROUNDS + " alternating rounds");
        BenchmarkSummary.ratio("startup", "start --optimized to ready", packReady, stockReady, "s",
                BenchmarkSummary.Target.AT_MOST, 1.05, "with the pack vs stock, empty dev-file database; mean of "
                        + ROUNDS + " alternating rounds");
    }
}
