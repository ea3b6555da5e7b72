package dev.workloadid.keycloak.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One place where every benchmark files its figures: each {@link #record} appends a row to
 * {@code target/benchmark/results.csv} and rewrites {@code target/benchmark/summary.md} from the
 * whole CSV, so the summary is complete after any subset of benchmarks ran, in any order.
 * <p>
 * A row is a measured value, optionally with the baseline it was compared to in the same run, the
 * ratio and the target it is read against. Nothing here fails a build: a missed target is reported.
 */
public final class BenchmarkSummary {

    public static final Path DIR = Path.of("target/benchmark");
    public static final Path CSV = DIR.resolve("results.csv");
    public static final Path SUMMARY = DIR.resolve("summary.md");
    private static final String HEADER = "benchmark,metric,value,unit,baseline,ratio,target,met,note";

    private BenchmarkSummary() {
    }

    /** How a ratio is read against its target. */
    public enum Target {
        NONE(""), AT_LEAST("≥"), AT_MOST("≤");

        final String sign;

        Target(String sign) {
            this.sign = sign;
        }
    }

    /**
     * A value compared with a baseline measured in the same run.
     *
     * @param target how {@code value / baseline} is judged against {@code bound}
     */
    public static synchronized void ratio(String benchmark, String metric, double value, double baseline, String unit,
                                          Target target, double bound, String note) {
        double ratio = baseline == 0 ? Double.NaN : value / baseline;
        String met = switch (target) {
            case NONE -> "";
            case AT_LEAST -> ratio >= bound ? "yes" : "no";
            case AT_MOST -> ratio <= bound ? "yes" : "no";
        };
        String targetText = target == Target.NONE ? "" : target.sign + " " + format(bound) + "×";
        append(benchmark, metric, format(value), unit, format(baseline), format(ratio), targetText, met, note);
    }

    /** A value reported on its own (a count, a latency percentile, a heap figure). */
    public static synchronized void value(String benchmark, String metric, double value, String unit, String note) {
        append(benchmark, metric, format(value), unit, "", "", "", "", note);
    }

    private static void append(String... cells) {
        try {
            Files.createDirectories(DIR);
            if (!Files.exists(CSV)) {
                Files.writeString(CSV, HEADER + "\n", StandardCharsets.UTF_8);
            }
            List<String> quoted = new ArrayList<>();
            for (String cell : cells) {
                quoted.add(csv(cell == null ? "" : cell));
            }
            Files.writeString(CSV, String.join(",", quoted) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            Files.writeString(SUMMARY, render(Files.readAllLines(CSV, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String render(List<String> csvLines) {
        StringBuilder md = new StringBuilder("# Benchmark summary\n\n")
                .append(BenchmarkRounds.machine(BenchmarkRounds.load())).append("\n\n")
                .append("Raw rows: `results.csv` next to this file. Ratios are measured side by side in one run; ")
                .append("targets are read, never asserted.\n\n")
                .append("| Benchmark | Metric | Value | Unit | Baseline | Ratio | Target | Met | Note |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        for (String line : csvLines.subList(1, csvLines.size())) {
            List<String> cells = parse(line);
            md.append("| ").append(String.join(" | ", cells.stream().map(c -> c.replace("|", "\\|")).toList())).append(" |\n");
        }
        return md.toString();
    }

    static String format(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.3f", v);
    }

    private static String csv(String cell) {
        return cell.contains(",") || cell.contains("\"") || cell.contains("\n")
                ? '"' + cell.replace("\"", "\"\"").replace("\n", " ") + '"' : cell;
    }

    static List<String> parse(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
