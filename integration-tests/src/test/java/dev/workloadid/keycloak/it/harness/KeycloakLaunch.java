package dev.workloadid.keycloak.it.harness;

import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.fixtures.TestCa;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What the dist and the container backend give Keycloak alike, so the same test classes pass on both:
 * the {@code start-dev} command line, the environment, and the wait until {@code /health/ready}.
 * Fixture files are named through {@code file}, which maps a path on this machine to the path Keycloak
 * reads it from (the same path for a process, a copy's path for a container).
 */
final class KeycloakLaunch {

    // Generous: on a busy build machine the first start (augmentation included) takes minutes.
    // -Dwi.keycloak.start-timeout-seconds=N changes it (a busy machine may need more).
    static final Duration START_TIMEOUT = Duration.ofSeconds(Long.getLong("wi.keycloak.start-timeout-seconds", 600));
    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "admin";

    private KeycloakLaunch() {
    }

    /** Free loopback ports for the public, management and mutual-TLS listeners. */
    record Ports(int http, int management, int https) {

        static Ports free() throws IOException {
            return new Ports(DistKeycloakServer.freePort(), DistKeycloakServer.freePort(), DistKeycloakServer.freePort());
        }

        URI baseUrl() {
            return URI.create("http://127.0.0.1:" + http);
        }

        URI httpsUrl() {
            return URI.create("https://127.0.0.1:" + https);
        }

        URI managementUrl() {
            return URI.create("http://127.0.0.1:" + management);
        }

        URI health() {
            return managementUrl().resolve("/health/ready");
        }
    }

    static List<String> startDev(Ports ports, TestCa ca, SpiffeX509Authorities x509, Function<Path, String> file) {
        List<String> command = new ArrayList<>(List.of(
                "start-dev",
                "--http-host=127.0.0.1",
                "--http-port=" + ports.http(),
                "--http-management-port=" + ports.management(),
                "--health-enabled=true",
                // The pack's meters (and Keycloak's) on the management interface's /metrics.
                "--metrics-enabled=true",
                "--hostname-strict=false",
                // Outgoing TLS (bundle endpoints, documents) trusts the fixtures' test CA.
                "--truststore-paths=" + file.apply(ca.caCertificatePem()),
                // Fixtures live on loopback: the pack's development-only loopback exception.
                "--spi-spiffe-trust--default--dev-allow-loopback=true",
                "--spi-client-registration--rfc7591--dev-allow-loopback=true",
                "--spi-client-storage--wi-cimd--dev-allow-loopback=true",
                // Fixtures listen on ephemeral ports: the fetchers' port allow-list (443 by default) admits those.
                "--spi-spiffe-trust--default--allowed-ports=" + DistKeycloakServer.fixturePorts(),
                "--spi-client-registration--rfc7591--allowed-ports=" + DistKeycloakServer.fixturePorts(),
                "--spi-client-storage--wi-cimd--allowed-ports=" + DistKeycloakServer.fixturePorts(),
                // Revalidation of expired documents every second, so tests need not wait.
                "--spi-client-storage--wi-cimd--refresh-interval-seconds=1",
                // The docs' recommendation: document clients counted through the attribute index.
                "--spi-client--jpa--searchable-attributes=cimd.managed",
                // The refresh task's quiet (DEBUG) outcomes are what some tests look for.
                "--log-level=INFO,dev.workloadid.keycloak.cimd.keycloak.CimdRefreshTask:debug",
                // Mutual TLS on Keycloak's own listener: ask for a client certificate, trust the
                // SPIFFE test authorities for the handshake (the SPIFFE checks are the pack's).
                "--https-port=" + ports.https(),
                "--https-key-store-file=" + file.apply(x509.keyStore()),
                "--https-key-store-password=" + SpiffeX509Authorities.PASSWORD,
                "--https-trust-store-file=" + file.apply(x509.trustStore()),
                "--https-trust-store-password=" + SpiffeX509Authorities.PASSWORD,
                "--https-client-auth=request",
                // The management interface (health) stays on plain HTTP instead of inheriting TLS.
                "--http-management-scheme=http"));
        String features = System.getProperty("wi.keycloak.features", "").trim();
        if (!features.isEmpty()) {
            command.add("--features=" + features);
        }
        return command;
    }

    /**
     * {@code defaults} followed by {@code extra}, where an {@code --option=value} in {@code extra}
     * replaces the default of the same option (Keycloak refuses an option given twice).
     */
    static List<String> overridden(List<String> defaults, List<String> extra) {
        Set<String> replaced = extra.stream().filter(a -> a.startsWith("--") && a.contains("="))
                .map(a -> a.substring(0, a.indexOf('='))).collect(Collectors.toSet());
        List<String> command = new ArrayList<>(defaults.stream()
                .filter(a -> !(a.contains("=") && replaced.contains(a.substring(0, a.indexOf('='))))).toList());
        command.addAll(extra);
        return command;
    }

    static Map<String, String> environment(Path hostsFile, Function<Path, String> file) {
        return Map.of(
                "KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN,
                "KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD,
                // Fixture host names resolve to loopback inside Keycloak, and only there.
                "JAVA_OPTS_APPEND", "-Djdk.net.hosts.file=" + file.apply(hostsFile));
    }

    /**
     * Waits until Keycloak reports ready. {@code exited} says why Keycloak is gone (null while it runs);
     * {@code log} is the log's place and tail, put into the failure so the build output shows it.
     */
    static void awaitReady(URI health, Supplier<String> exited, Supplier<String> log) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            String gone = exited.get();
            if (gone != null) {
                throw new IllegalStateException("Keycloak " + gone + " during start; " + log.get());
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(health)
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("Keycloak not ready within " + START_TIMEOUT + "; " + log.get());
    }

    /** The last {@code lines} lines of a log file. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
