package dev.workloadid.keycloak.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The figures of the fault tests, one Markdown table row per fault tried, appended to
 * {@code target/faults/figures.md} in the columns of the table in docs/reliability.md, so the page
 * can be brought up to date from a run. Also printed, for the build log.
 */
public final class FaultFigures {

    public static final Path FILE = Path.of("target/faults/figures.md");
    private static final String HEADER = """
            | Fault | Tried under | Requests served during it | 5xx seen | Clients lost / duplicated | Recovery |
            |---|---|---|---|---|---|
            """;

    private FaultFigures() {
    }

    public static synchronized void row(String fault, String triedUnder, String served, long fiveXx, String lostOrDuplicated,
                                        String recovery) {
        String row = "| " + String.join(" | ", fault, triedUnder, served, Long.toString(fiveXx), lostOrDuplicated, recovery)
                + " |\n";
        System.out.print("[faults] " + row);
        try {
            Files.createDirectories(FILE.getParent());
            if (!Files.exists(FILE)) {
                Files.writeString(FILE, HEADER, StandardCharsets.UTF_8);
            }
            Files.writeString(FILE, row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Milliseconds with one decimal, or "n/a". */
    public static String millis(double ms) {
        return Double.isNaN(ms) ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f ms", ms);
    }
}
