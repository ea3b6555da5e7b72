package dev.workloadid.keycloak.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The CPU time (user + system) Keycloak's JVM has used so far, read from Linux's
 * {@code /proc/<pid>/stat}: what a request costs the server, whoever else shares the machine. Only
 * where the server is a local process ({@link KeycloakServer#pid}) on Linux; empty otherwise.
 */
public final class ProcessCpu {

    /** Linux reports these fields in USER_HZ ticks, which is 100 per second on every architecture it runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcessCpu() {
    }

    /** A reader of the server's CPU nanoseconds so far, or empty when it cannot be read. */
    public static Optional<LongSupplier> of(KeycloakServer server) {
        if (server.pid().isEmpty()) {
            return Optional.empty();
        }
        Path stat = Path.of("/proc", Long.toString(server.pid().getAsLong()), "stat");
        if (read(stat) < 0) {
            return Optional.empty();
        }
        return Optional.of(() -> read(stat));
    }

    private static long read(Path stat) {
        try {
            // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
            String text = Files.readString(stat);
            String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK; // utime, stime
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
