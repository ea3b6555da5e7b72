package dev.workloadid.keycloak.it.harness;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BenchmarkRoundsTest {

    @Test
    void medianOfTheRoundsRatiosIsNotMovedByOneSlowRound() {
        BenchmarkRounds.Result a = result(new double[][] {{90, 5, 2.0}, {100, 5, 2.0}, {50, 9, 2.2}});
        BenchmarkRounds.Result b = result(new double[][] {{100, 5, 2.0}, {100, 5, 1.0}, {100, 5, 2.0}});

        assertThat(BenchmarkRounds.medianRatio(a, b, BenchmarkRounds.THROUGHPUT)).isEqualTo(0.9);
        assertThat(BenchmarkRounds.medianRatio(a, b, BenchmarkRounds.SERVER_CPU)).isEqualTo(1.1);
        assertThat(BenchmarkRounds.roundRange(a, b, BenchmarkRounds.THROUGHPUT)).isEqualTo("median 0.90× (0.50×–1.00×)");
    }

    @Test
    void roundsWithoutAValueAreLeftOutAndNoneGivesNaN() {
        BenchmarkRounds.Result a = result(new double[][] {{100, 5, Double.NaN}, {100, 5, 3.0}});
        BenchmarkRounds.Result b = result(new double[][] {{100, 5, 2.0}, {100, 5, 2.0}});

        assertThat(BenchmarkRounds.medianRatio(a, b, BenchmarkRounds.SERVER_CPU)).isEqualTo(1.5);
        assertThat(BenchmarkRounds.medianRatio(result(new double[0][]), b, BenchmarkRounds.SERVER_CPU)).isNaN();
        assertThat(BenchmarkRounds.roundRange(result(new double[0][]), b, BenchmarkRounds.LATENCY)).isEqualTo("n/a");
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(BenchmarkRounds.median(4, 1, 3, 2)).isEqualTo(2.5);
        assertThat(BenchmarkRounds.median()).isNaN();
    }

    private static BenchmarkRounds.Result result(double[][] rounds) {
        BenchmarkRounds.Result r = new BenchmarkRounds.Result();
        for (double[] round : rounds) {
            r.rounds.add(round);
        }
        return r;
    }
}
