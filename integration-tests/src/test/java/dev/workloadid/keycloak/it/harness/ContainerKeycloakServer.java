package dev.workloadid.keycloak.it.harness;

import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Keycloak in a container (Testcontainers, any Docker API: Docker or podman's service), started like
 * the dist backend: the same {@code start-dev} options, environment, fixture files and readiness
 * check. The container shares the host's network namespace, so it listens on free loopback ports and
 * reaches the loopback fixtures exactly as a process would (Linux only).
 *
 * <p>Image: {@code wi.keycloak.image} when set, an image that already holds the pack's JARs (built
 * from keycloak-conf/Dockerfile, as the docs tell users); otherwise the official
 * {@code quay.io/keycloak/keycloak:<version>} unchanged, with the pack's JARs copied into
 * {@code providers/} before it starts. The log goes to {@code keycloak-container.log} in the work dir.
 */
final class ContainerKeycloakServer implements KeycloakServer {

    private static final String FIXTURES = "/opt/keycloak/conf/wi-test/";

    private final GenericContainer<?> container;
    private final KeycloakLaunch.Ports ports;
    private final Path log;
    private final Thread shutdownHook;

    private ContainerKeycloakServer(GenericContainer<?> container, KeycloakLaunch.Ports ports, Path log) {
        this.container = container;
        this.ports = ports;
        this.log = log;
        // No reaper container (it would need a pulled image): stop ours when the JVM ends.
        this.shutdownHook = new Thread(container::stop, "keycloak-container-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** {@code wi.keycloak.image}: an image that already holds the pack; empty when not set. */
    private static Optional<String> packImage() {
        return Optional.ofNullable(System.getProperty("wi.keycloak.image")).map(String::trim).filter(s -> !s.isEmpty());
    }

    @SuppressWarnings("resource")
    static ContainerKeycloakServer start(HarnessConfig config, TestCa ca, Path hostsFile, SpiffeX509Authorities x509) {
        try {
            KeycloakLaunch.Ports ports = KeycloakLaunch.Ports.free();
            Path log = config.workDir().resolve("keycloak-container.log");
            Files.createDirectories(log.getParent());
            Files.deleteIfExists(log);
            String image = packImage().orElse("quay.io/keycloak/keycloak:" + config.keycloakVersion());
            GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
                    .withNetworkMode("host")
                    // Readiness is checked below, as for the dist backend (host networking maps no ports).
                    .waitingFor(new AbstractWaitStrategy() {
                        @Override
                        protected void waitUntilReady() {
                        }
                    })
                    .withLogConsumer(frame -> append(log, frame));
            // Fixture files are copied in; options name the copies.
            Map<Path, String> copies = new HashMap<>();
            Function<Path, String> file = path -> copies.computeIfAbsent(path, p -> {
                String target = FIXTURES + p.getFileName();
                container.withCopyFileToContainer(MountableFile.forHostPath(p, 0644), target);
                return target;
            });
            if (packImage().isEmpty()) {
                for (Map.Entry<String, Path> jar : DistKeycloakServer.packJars(config.providersDir()).entrySet()) {
                    container.withCopyFileToContainer(MountableFile.forHostPath(jar.getValue(), 0644),
                            "/opt/keycloak/providers/" + jar.getKey());
                }
            }
            List<String> command = KeycloakLaunch.startDev(ports, ca, x509, file);
            container.withCommand(command.toArray(String[]::new))
                    .withEnv(KeycloakLaunch.environment(hostsFile, file));
            ContainerKeycloakServer server = new ContainerKeycloakServer(container, ports, log);
            try {
                container.start();
                KeycloakLaunch.awaitReady(ports.health(),
                        () -> container.isRunning() ? null : "container exited",
                        () -> "image " + image + ", log " + log + ":\n" + server.logTail(80));
            } catch (RuntimeException e) {
                String tail = server.logTail(80);
                server.close();
                if (e instanceof IllegalStateException) {
                    throw e;
                }
                throw new IllegalStateException("Keycloak container did not start (image " + image + "): "
                        + e.getMessage() + "; log " + log + ":\n" + tail, e);
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized void append(Path log, OutputFrame frame) {
        if (frame.getType() == OutputFrame.OutputType.END) {
            return;
        }
        try {
            Files.writeString(log, frame.getUtf8StringWithoutLineEnding() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public URI baseUrl() {
        return ports.baseUrl();
    }

    @Override
    public Optional<URI> httpsUrl() {
        return Optional.of(ports.httpsUrl());
    }

    @Override
    public Optional<URI> managementUrl() {
        return Optional.of(ports.managementUrl());
    }

    @Override
    public String adminUsername() {
        return KeycloakLaunch.ADMIN;
    }

    @Override
    public String adminPassword() {
        return KeycloakLaunch.ADMIN_PASSWORD;
    }

    @Override
    public String logTail(int lines) {
        return KeycloakLaunch.tail(log, lines);
    }

    @Override
    public String backendName() {
        return "container";
    }

    @Override
    public void close() {
        container.stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }
}
