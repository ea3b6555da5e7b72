package dev.workloadid.keycloak.it.harness;

import dev.workloadid.keycloak.it.fixtures.LoopbackHosts;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import org.testcontainers.DockerClientFactory;

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
            case DIST -> DistKeycloakServer.start(config, ca, LoopbackHosts.write(config.workDir()));
            case CONTAINER -> ContainerKeycloakServer.start(config, ca);
            case REMOTE -> new RemoteKeycloakServer(config.remoteUrl());
            case AUTO -> throw new IllegalStateException("unreachable");
        };
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }
}
