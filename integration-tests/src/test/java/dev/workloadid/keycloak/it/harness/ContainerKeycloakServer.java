package dev.workloadid.keycloak.it.harness;

import dasniko.testcontainers.keycloak.KeycloakContainer;
import dev.workloadid.keycloak.it.fixtures.LoopbackHosts;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.MountableFile;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Testcontainers {@link KeycloakContainer} (quay.io/keycloak/keycloak) with the same pack JARs,
 * used when a Docker engine is reachable. The container shares the host's network namespace so that
 * the loopback fixtures (bundle endpoints, document hosts) are reachable from Keycloak exactly as
 * with the dist backend, and fixture host names resolve to loopback through the same hosts file.
 * Linux Docker only (host networking); not exercised on the project's CI machines, which have no
 * Docker engine.
 */
final class ContainerKeycloakServer implements KeycloakServer {

    private final KeycloakContainer container;
    private final URI baseUrl;

    private ContainerKeycloakServer(KeycloakContainer container, URI baseUrl) {
        this.container = container;
        this.baseUrl = baseUrl;
    }

    @SuppressWarnings("resource")
    static ContainerKeycloakServer start(HarnessConfig config, TestCa ca) {
        try {
            int httpPort = DistKeycloakServer.freePort();
            Path hosts = LoopbackHosts.write(config.workDir());
            List<File> jars;
            try (Stream<Path> list = Files.list(config.providersDir())) {
                jars = list.filter(p -> p.toString().endsWith(".jar")).map(Path::toFile).toList();
            }
            KeycloakContainer container = new KeycloakContainer("quay.io/keycloak/keycloak:" + config.keycloakVersion())
                    .withProviderLibsFrom(jars)
                    .withNetworkMode("host")
                    .withCopyFileToContainer(MountableFile.forHostPath(ca.caCertificatePem()), "/opt/keycloak/conf/wi-test-ca.pem")
                    .withCopyFileToContainer(MountableFile.forHostPath(hosts), "/opt/keycloak/conf/wi-hosts")
                    .withEnv("JAVA_OPTS_APPEND", "-Djdk.net.hosts.file=/opt/keycloak/conf/wi-hosts")
                    .withEnv("KC_TRUSTSTORE_PATHS", "/opt/keycloak/conf/wi-test-ca.pem")
                    .withEnv("KC_HTTP_HOST", "127.0.0.1")
                    .withEnv("KC_HTTP_PORT", Integer.toString(httpPort))
                    .withEnv("KC_HOSTNAME_STRICT", "false")
                    .withEnv("KC_SPI_SPIFFE_TRUST__DEFAULT__DEV_ALLOW_LOOPBACK", "true")
                    .withEnv("KC_SPI_CLIENT_STORAGE__WI_CIMD__DEV_ALLOW_LOOPBACK", "true")
                    .withEnv("KC_SPI_CLIENT_STORAGE__WI_CIMD__REFRESH_INTERVAL_SECONDS", "1")
                    .withEnv("KC_SPI_SPIFFE_TRUST__DEFAULT__ALLOWED_PORTS", DistKeycloakServer.fixturePorts())
                    .withEnv("KC_SPI_CLIENT_REGISTRATION__RFC7591__ALLOWED_PORTS", DistKeycloakServer.fixturePorts())
                    .withEnv("KC_SPI_CLIENT_STORAGE__WI_CIMD__ALLOWED_PORTS", DistKeycloakServer.fixturePorts())
                    .withEnv("KC_SPI_CLIENT__JPA__SEARCHABLE_ATTRIBUTES", "cimd.managed")
                    .withEnv("KC_LOG_LEVEL", "INFO,dev.workloadid.keycloak.cimd.keycloak.CimdRefreshTask:debug")
                    .waitingFor(Wait.forLogMessage(".*Keycloak .* started in .*", 1)
                            .withStartupTimeout(Duration.ofMinutes(4)));
            container.start();
            return new ContainerKeycloakServer(container, URI.create("http://127.0.0.1:" + httpPort));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public URI baseUrl() {
        return baseUrl;
    }

    @Override
    public String adminUsername() {
        return container.getAdminUsername();
    }

    @Override
    public String adminPassword() {
        return container.getAdminPassword();
    }

    @Override
    public String logTail(int lines) {
        String[] all = container.getLogs().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    @Override
    public String backendName() {
        return "container";
    }

    @Override
    public void close() {
        container.stop();
    }
}
