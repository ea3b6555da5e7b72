package dev.workloadid.keycloak.it.harness;

import java.net.URI;

/**
 * A Keycloak someone else started (with the pack installed), at {@code wi.keycloak.url}. Admin
 * credentials from {@code wi.keycloak.admin} / {@code wi.keycloak.admin-password} (default admin/admin).
 * Fixture host names must resolve to loopback on that server for the fixture-based tests.
 */
final class RemoteKeycloakServer implements KeycloakServer {

    private final URI baseUrl;

    RemoteKeycloakServer(String url) {
        this.baseUrl = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    @Override
    public URI baseUrl() {
        return baseUrl;
    }

    @Override
    public String adminUsername() {
        return System.getProperty("wi.keycloak.admin", "admin");
    }

    @Override
    public String adminPassword() {
        return System.getProperty("wi.keycloak.admin-password", "admin");
    }

    @Override
    public String logTail(int lines) {
        return "(remote backend: see that server's log)";
    }

    @Override
    public String backendName() {
        return "remote";
    }

    @Override
    public void close() {
        // not ours to stop
    }
}
