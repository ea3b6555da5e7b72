package dev.workloadid.keycloak.it.harness;

import java.net.URI;

/** A running Keycloak with the pack's JARs loaded, whatever started it. Tests see only HTTP. */
public interface KeycloakServer extends AutoCloseable {

    /** Base URL of the public listener, e.g. {@code http://127.0.0.1:34567}. */
    URI baseUrl();

    /**
     * Base URL of the HTTPS listener that asks for client certificates ({@code --https-client-auth=request}),
     * when this backend has one (the dist backend does).
     */
    default java.util.Optional<URI> httpsUrl() {
        return java.util.Optional.empty();
    }

    /** Base URL of the management interface (health, {@code /metrics}), when this backend exposes it. */
    default java.util.Optional<URI> managementUrl() {
        return java.util.Optional.empty();
    }

    /** The Keycloak JVM's process id, when it runs on this machine's process table (the dist backend). */
    default java.util.OptionalLong pid() {
        return java.util.OptionalLong.empty();
    }

    String adminUsername();

    String adminPassword();

    /** The last lines of the server log, shown when a test fails; empty when not available. */
    String logTail(int lines);

    /** A short name for reports: dist, container or remote. */
    String backendName();

    @Override
    void close();
}
