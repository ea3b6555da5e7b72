package dev.workloadid.keycloak.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of this test alone, made with the machine's PostgreSQL binaries ({@code initdb},
 * {@code pg_ctl} under {@code /usr/lib/postgresql/<version>/bin}): its own data directory in a temporary
 * directory, trust authentication, listening on 127.0.0.1 at a free port and on a socket in that
 * directory. A test may stop it as a crash would ({@code pg_ctl stop -m immediate}) and start it again
 * without touching any other PostgreSQL of the machine. PostgreSQL refuses to run as root: as root,
 * the commands run as the {@code postgres} user ({@code runuser}), which owns the directory.
 */
public final class PrivatePostgres implements AutoCloseable {

    public static final String USER = "postgres";
    private static final Path VERSIONS = Path.of("/usr/lib/postgresql");

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;

    private PrivatePostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The newest installed version's bin directory with initdb and pg_ctl, or why there is none. */
    public static Optional<Path> binaries() {
        if (!Files.isDirectory(VERSIONS)) {
            return Optional.empty();
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(VERSIONS)) {
            for (Path version : versions) {
                Path bin = version.resolve("bin");
                if (Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"))) {
                    found.add(bin);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return found.stream().max(Comparator.comparing(p -> versionOf(p.getParent())));
    }

    private static int versionOf(Path versionDir) {
        try {
            return Integer.parseInt(versionDir.getFileName().toString().replaceAll("\\D.*$", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** initdb into a new temporary directory and start the server; throws with the command output when it cannot. */
    public static PrivatePostgres start() {
        Path bin = binaries().orElseThrow(() -> new IllegalStateException("no initdb/pg_ctl under " + VERSIONS));
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dir = Files.createTempDirectory("wi-it-postgres-");
            if (root) {
                UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
                PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
                view.setOwner(users.lookupPrincipalByName(USER));
                view.setGroup(users.lookupPrincipalByGroupName(USER));
            }
            PrivatePostgres server = new PrivatePostgres(bin, dir, DistKeycloakServer.freePort(), root);
            try {
                server.run("initdb", "-D", server.data().toString(), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync");
                server.startAgain();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    public int port() {
        return port;
    }

    /** JDBC URL of the server's {@code postgres} database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "30");
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    /** Starts the server (again) on its data directory and waits until it accepts connections. */
    public void startAgain() {
        run("pg_ctl", "-D", data().toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir, "start");
    }

    /** Stops the server as a crash would: no checkpoint, every connection cut ({@code -m immediate}). */
    public void crash() {
        run("pg_ctl", "-D", data().toString(), "-m", "immediate", "-w", "stop");
    }

    /** The server's log, for failure messages. */
    public String logTail(int lines) {
        return KeycloakLaunch.tail(dir.resolve("server.log"), lines);
    }

    private void run(String program, String... arguments) {
        List<String> command = new ArrayList<>();
        if (asPostgresUser) {
            command.addAll(List.of("runuser", "-u", USER, "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(output));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server if it runs and deletes its directory. */
    @Override
    public void close() {
        try {
            if (Files.exists(data().resolve("postmaster.pid"))) {
                crash();
            }
        } catch (RuntimeException e) {
            // already down
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory: left for the system to clean
        }
    }
}
