package dev.workloadid.keycloak.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private copy of the stock distribution, with or without the pack's JARs, for measuring what the
 * pack adds to {@code kc.sh build} and to the time until {@code /health/ready}: production mode
 * ({@code build}, then {@code start --optimized}) on the default dev-file database, emptied before a
 * first start or kept from the start before (a restart), plain HTTP on free loopback ports. Processes it starts are stopped before it returns.
 */
public final class DistStartup {

    private final Path home;
    private final Path log;

    private DistStartup(Path home, Path log) {
        this.home = home;
        this.log = log;
    }

    /** Copies the distribution to {@code it-work/startup-<name>}; {@code withPack} puts the pack's JARs in providers/. */
    public static DistStartup prepare(HarnessConfig config, String name, boolean withPack) {
        Path home = config.workDir().resolve("startup-" + name).resolve(config.keycloakHome().getFileName());
        KeycloakServers.copyDistribution(config.keycloakHome(), home);
        try {
            if (withPack) {
                DistKeycloakServer.installProviders(config.providersDir(), home.resolve("providers"));
            } else {
                // The source may hold the pack already (the shared test server installs it there).
                DistKeycloakServer.removeProviders(home.resolve("providers"));
            }
            return new DistStartup(home, config.workDir().resolve("startup-" + name + ".log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Wall time of {@code kc.sh build} with the given build options. */
    public Duration build(List<String> buildOptions) {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/kc.sh").toString(), "build"));
        command.addAll(buildOptions);
        long start = System.nanoTime();
        try {
            Process p = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!p.waitFor(KeycloakLaunch.START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kc.sh build did not finish; log " + log);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("kc.sh build failed (" + p.exitValue() + "); "
                        + KeycloakLaunch.tail(log, 40));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Wall time from launching {@code kc.sh start --optimized} to a ready {@code /health/ready}; then stops it.
     *
     * @param emptyDatabase true: a first start (schema and master realm created, its keys generated);
     *                      false: a restart on the database the previous start left
     */
    public Duration startUntilReady(boolean emptyDatabase) {
        try {
            if (emptyDatabase) {
                DistKeycloakServer.deleteRecursively(home.resolve("data"));
            }
            KeycloakLaunch.Ports ports = KeycloakLaunch.Ports.free();
            List<String> command = List.of(home.resolve("bin/kc.sh").toString(), "start", "--optimized",
                    "--http-enabled=true", "--http-host=127.0.0.1", "--http-port=" + ports.http(),
                    "--http-management-port=" + ports.management(), "--hostname-strict=false");
            ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", KeycloakLaunch.ADMIN);
            builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", KeycloakLaunch.ADMIN_PASSWORD);
            long start = System.nanoTime();
            Process process = builder.start();
            try {
                KeycloakLaunch.awaitReady(ports.health(),
                        () -> process.isAlive() ? null : "exited with " + process.exitValue(),
                        () -> "log " + log + ":\n" + KeycloakLaunch.tail(log, 40));
                return Duration.ofNanos(System.nanoTime() - start);
            } finally {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The pack's provider JARs in this copy (none for the stock copy). */
    public long packJars() {
        try (var files = Files.list(home.resolve("providers"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("keycloak-wi-")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
