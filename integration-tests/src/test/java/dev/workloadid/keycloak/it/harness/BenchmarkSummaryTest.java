package dev.workloadid.keycloak.it.harness;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BenchmarkSummaryTest {

    @Test
    void csvCellsWithCommasAndQuotesSurviveTheRoundTrip() {
        assertThat(BenchmarkSummary.parse("a,\"b, c\",\"say \"\"hi\"\"\",,e"))
                .containsExactly("a", "b, c", "say \"hi\"", "", "e");
    }

    @Test
    void summaryHasOneTableRowPerCsvRow() {
        String md = BenchmarkSummary.render(List.of("benchmark,metric,value,unit,baseline,ratio,target,met,note",
                "x509,throughput,900,req/s,1000,0.900,≥ 0.97×,no,\"one, two\""));
        assertThat(md).contains("| x509 | throughput | 900 | req/s | 1000 | 0.900 | ≥ 0.97× | no | one, two |");
    }

    @Test
    void numbersAreShortAndNaNIsNamed() {
        assertThat(BenchmarkSummary.format(12)).isEqualTo("12");
        assertThat(BenchmarkSummary.format(0.98765)).isEqualTo("0.988");
        assertThat(BenchmarkSummary.format(1234.56)).isEqualTo("1234.6");
        assertThat(BenchmarkSummary.format(Double.NaN)).isEqualTo("n/a");
    }
}
