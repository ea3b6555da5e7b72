package dev.workloadid.keycloak.it.harness;

import java.nio.file.Path;
import java.util.Locale;

/** Settings passed by Maven (failsafe system properties), with defaults for running from an IDE. */
public record HarnessConfig(
        Backend backend,
        String remoteUrl,
        String keycloakVersion,
        Path keycloakHome,
        Path providersDir,
        Path workDir,
        Path confDir) {

    public enum Backend { AUTO, DIST, CONTAINER, REMOTE }

    public static HarnessConfig fromSystemProperties() {
        Path moduleDir = Path.of(System.getProperty("user.dir"));
        String version = System.getProperty("wi.keycloak.version", "26.7.3");
        return new HarnessConfig(
                Backend.valueOf(prop("wi.keycloak.backend", "auto").toUpperCase(Locale.ROOT)),
                prop("wi.keycloak.url", ""),
                version,
                Path.of(prop("wi.keycloak.home",
                        moduleDir.resolve("target/keycloak-dist/keycloak-" + version).toString())),
                Path.of(prop("wi.providers.dir", moduleDir.resolve("target/providers").toString())),
                Path.of(prop("wi.work.dir", moduleDir.resolve("target/it-work").toString())),
                Path.of(prop("wi.conf.dir", moduleDir.resolve("../keycloak-conf").toString())));
    }

    /**
     * Whether this run may start dedicated Keycloak processes from the distribution next to the shared
     * server ({@link KeycloakServers#startDedicatedDist}): backend dist, or auto without a remote URL.
     */
    public boolean dedicatedDistAllowed() {
        return backend == Backend.DIST || backend == Backend.AUTO && remoteUrl.isEmpty();
    }

    private static String prop(String name, String fallback) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
