package dev.workloadid.keycloak.it.harness;

import dev.workloadid.keycloak.it.fixtures.LoopbackHosts;
import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.fixtures.TestCa;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A dedicated copy of the distribution whose database outlives its servers, as an installation on a
 * host does: the dev-file H2 database in its {@code data} directory (or the external database named by
 * the options) stays between a {@link #start} and the next, and between a server and the offline
 * commands ({@code kc.sh export}, {@code kc.sh import}) {@link #run} starts while no server runs.
 * Its data starts empty once, when the installation is made.
 */
public final class DistInstallation {

    private final HarnessConfig config;
    private final String name;
    private final Path home;
    private final List<String> options;
    private int commands;

    private DistInstallation(HarnessConfig config, String name, Path home, List<String> options) {
        this.config = config;
        this.name = name;
        this.home = home;
        this.options = List.copyOf(options);
    }

    /**
     * A copy of the distribution named {@code name} with an empty data directory; {@code options}
     * (e.g. {@code --db=postgres ...}) go to every server start and every command.
     */
    public static DistInstallation fresh(HarnessConfig config, String name, List<String> options) {
        Path home = config.workDir().resolve("dist-" + name).resolve(config.keycloakHome().getFileName());
        KeycloakServers.copyDistribution(config.keycloakHome(), home);
        try {
            DistKeycloakServer.deleteRecursively(home.resolve("data"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DistInstallation(config, name, home, options);
    }

    /** Starts a server on the installation's database as it is now; close it to stop it. */
    public KeycloakServer start() {
        TestCa ca = TestCa.shared(config.workDir());
        return DistKeycloakServer.start(home, config, ca, LoopbackHosts.write(config.workDir()),
                SpiffeX509Authorities.shared(config.workDir(), ca), "keycloak-" + name + ".log", options, List.of(), false);
    }

    /**
     * Runs {@code kc.sh} with {@code arguments} (then the installation's options) to its end, e.g.
     * {@code export --realm r --file f}; fails with the command's output when it exits non-zero or
     * outlasts {@code timeout}. No server of this installation may run meanwhile (H2 locks its file).
     */
    public void run(Duration timeout, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/kc.sh").toString());
        command.addAll(List.of(arguments));
        command.addAll(options);
        Path log = config.workDir().resolve("keycloak-" + name + "-" + arguments[0] + "-" + (++commands) + ".log");
        try {
            // A command that runs before any server start (kc.sh import into a fresh installation) must
            // see the pack too: without its JARs the realm's pack components have no provider type.
            DistKeycloakServer.installProviders(config.providersDir(), home.resolve("providers"));
            ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(KeycloakLaunch.environment(LoopbackHosts.write(config.workDir()), Path::toString));
            Process process = builder.start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", arguments) + " did not end within " + timeout
                        + "; log " + log + ":\n" + KeycloakLaunch.tail(log, 60));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", arguments) + " exited with " + process.exitValue()
                        + "; log " + log + ":\n" + KeycloakLaunch.tail(log, 60));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A file of this installation's work directory, e.g. for an export. */
    public Path file(String fileName) {
        Path dir = config.workDir().resolve("dist-" + name + "-files");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.resolve(fileName);
    }
}
