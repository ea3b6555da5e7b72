package dev.workloadid.keycloak.it.harness;

import dev.workloadid.keycloak.it.fixtures.LoopbackHosts;
import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import org.testcontainers.DockerClientFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/** Picks and starts the backend named by {@code wi.keycloak.backend}. */
public final class KeycloakServers {

    private KeycloakServers() {
    }

    public static KeycloakServer start(HarnessConfig config) {
        HarnessConfig.Backend backend = config.backend();
        if (backend == HarnessConfig.Backend.AUTO) {
            backend = !config.remoteUrl().isEmpty() ? HarnessConfig.Backend.REMOTE
                    : dockerAvailable() ? HarnessConfig.Backend.CONTAINER
                    : HarnessConfig.Backend.DIST;
        }
        TestCa ca = TestCa.shared(config.workDir());
        return switch (backend) {
            case DIST -> DistKeycloakServer.start(config, ca, LoopbackHosts.write(config.workDir()),
                    SpiffeX509Authorities.shared(config.workDir(), ca));
            case CONTAINER -> ContainerKeycloakServer.start(config, ca, LoopbackHosts.write(config.workDir()),
                    SpiffeX509Authorities.shared(config.workDir(), ca));
            case REMOTE -> new RemoteKeycloakServer(config.remoteUrl());
            case AUTO -> throw new IllegalStateException("unreachable");
        };
    }

    /**
     * A second, dedicated Keycloak from the dist backend, for tests whose deployment differs in a
     * build-time option (e.g. {@code --spi-x509cert-lookup--provider=nginx}, which would change how
     * every request of the shared server finds its client certificate). It runs from its own copy of
     * the distribution, so re-augmentation cannot touch the shared server's files. Close it when done.
     */
    public static KeycloakServer startDedicatedDist(HarnessConfig config, String name, List<String> extraArgs) {
        return startDedicated(config, name, extraArgs, List.of());
    }

    /** As {@link #startDedicatedDist}, started with {@code --import-realm} and these realm files in {@code data/import}. */
    public static KeycloakServer startDedicatedDistImporting(HarnessConfig config, String name, List<Path> realmFiles) {
        return startDedicated(config, name, List.of("--import-realm"), realmFiles);
    }

    static DistKeycloakServer startDedicated(HarnessConfig config, String name, List<String> extraArgs, List<Path> realmFiles) {
        TestCa ca = TestCa.shared(config.workDir());
        Path home = config.workDir().resolve("dist-" + name).resolve(config.keycloakHome().getFileName());
        copyDistribution(config.keycloakHome(), home);
        return DistKeycloakServer.start(home, config, ca, LoopbackHosts.write(config.workDir()),
                SpiffeX509Authorities.shared(config.workDir(), ca), "keycloak-" + name + ".log", extraArgs, realmFiles, true);
    }

    static void copyDistribution(Path from, Path to) {
        if (Files.isExecutable(to.resolve("bin/kc.sh"))) {
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (!source.startsWith(from.resolve("data"))) {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }
}
