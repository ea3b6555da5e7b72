package dev.workloadid.keycloak.it.harness;

import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.fixtures.TestCa;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The stock distribution (unpacked by Maven from keycloak-quarkus-dist) started as a process:
 * the pack's JARs in providers/, {@code kc.sh start-dev} on free loopback ports, ready when
 * {@code /health/ready} says so, stopped by its pid and from a shutdown hook.
 *
 * <p>Besides plain HTTP it listens on HTTPS with {@code --https-client-auth=request}: server
 * certificate from the run's TestCa, TLS trust = the SPIFFE X.509 test authorities (and the TestCa),
 * for the mutual-TLS tests. Other tests keep using HTTP.
 */
final class DistKeycloakServer implements KeycloakServer {

    // Generous: on a busy build machine the first start (augmentation included) takes minutes.
    // -Dwi.keycloak.start-timeout-seconds=N changes it.
    private static final Duration START_TIMEOUT = Duration.ofSeconds(
            Long.getLong("wi.keycloak.start-timeout-seconds", 600));
    private static final String ADMIN = "admin";
    private static final String ADMIN_PASSWORD = "admin";

    private final Process process;
    private final URI baseUrl;
    private final URI httpsUrl;
    private final URI managementUrl;
    private final Path log;
    private final Thread shutdownHook;

    private DistKeycloakServer(Process process, URI baseUrl, URI httpsUrl, URI managementUrl, Path log) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.httpsUrl = httpsUrl;
        this.managementUrl = managementUrl;
        this.log = log;
        this.shutdownHook = new Thread(this::destroy, "keycloak-dist-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    static DistKeycloakServer start(HarnessConfig config, TestCa ca, Path hostsFile, SpiffeX509Authorities x509) {
        return start(config.keycloakHome(), config, ca, hostsFile, x509, "keycloak.log", List.of(), List.of());
    }

    /**
     * Starts a Keycloak from {@code home} (an unpacked distribution used by no other running
     * instance: build options such as the x509cert-lookup provider re-augment it), with
     * {@code extraArgs} appended to the command line and {@code realmFiles} put into its
     * {@code data/import} (imported when {@code extraArgs} has {@code --import-realm}).
     */
    static DistKeycloakServer start(Path home, HarnessConfig config, TestCa ca, Path hostsFile, SpiffeX509Authorities x509,
                                    String logName, List<String> extraArgs, List<Path> realmFiles) {
        if (!Files.isExecutable(home.resolve("bin/kc.sh"))) {
            throw new IllegalStateException("No Keycloak distribution at " + home
                    + "; run the tests through Maven (./mvnw verify), which unpacks it");
        }
        try {
            installProviders(config.providersDir(), home.resolve("providers"));
            // A fresh H2 database per run: the data dir of the unpacked distribution is ours alone.
            deleteRecursively(home.resolve("data"));
            for (Path realmFile : realmFiles) {
                Files.createDirectories(home.resolve("data/import"));
                Files.copy(realmFile, home.resolve("data/import").resolve(realmFile.getFileName()));
            }
            int httpPort = freePort();
            int managementPort = freePort();
            int httpsPort = freePort();
            Path log = config.workDir().resolve(logName);
            Files.createDirectories(log.getParent());

            List<String> command = new ArrayList<>(List.of(
                    home.resolve("bin/kc.sh").toString(), "start-dev",
                    "--http-host=127.0.0.1",
                    "--http-port=" + httpPort,
                    "--http-management-port=" + managementPort,
                    "--health-enabled=true",
                    // The pack's meters (and Keycloak's) on the management interface's /metrics.
                    "--metrics-enabled=true",
                    "--hostname-strict=false",
                    // Outgoing TLS (bundle endpoints, documents) trusts the fixtures' test CA.
                    "--truststore-paths=" + ca.caCertificatePem(),
                    // Fixtures live on loopback: the pack's development-only loopback exception.
                    "--spi-spiffe-trust--default--dev-allow-loopback=true",
                    "--spi-client-registration--rfc7591--dev-allow-loopback=true",
                    "--spi-client-storage--wi-cimd--dev-allow-loopback=true",
                    // Fixtures listen on ephemeral ports: the fetchers' port allow-list (443 by default) admits those.
                    "--spi-spiffe-trust--default--allowed-ports=" + fixturePorts(),
                    "--spi-client-registration--rfc7591--allowed-ports=" + fixturePorts(),
                    "--spi-client-storage--wi-cimd--allowed-ports=" + fixturePorts(),
                    // Revalidation of expired documents every second, so tests need not wait.
                    "--spi-client-storage--wi-cimd--refresh-interval-seconds=1",
                    // The README's recommendation: document clients counted through the attribute index.
                    "--spi-client--jpa--searchable-attributes=cimd.managed",
                    // The refresh task's quiet (DEBUG) outcomes are what some tests look for.
                    "--log-level=INFO,dev.workloadid.keycloak.cimd.keycloak.CimdRefreshTask:debug",
                    // Mutual TLS on Keycloak's own listener: ask for a client certificate, trust the
                    // SPIFFE test authorities for the handshake (the SPIFFE checks are the pack's).
                    "--https-port=" + httpsPort,
                    "--https-key-store-file=" + x509.keyStore(),
                    "--https-key-store-password=" + SpiffeX509Authorities.PASSWORD,
                    "--https-trust-store-file=" + x509.trustStore(),
                    "--https-trust-store-password=" + SpiffeX509Authorities.PASSWORD,
                    "--https-client-auth=request",
                    // The management interface (health) stays on plain HTTP instead of inheriting TLS.
                    "--http-management-scheme=http"));
            String features = System.getProperty("wi.keycloak.features", "").trim();
            if (!features.isEmpty()) {
                command.add("--features=" + features);
            }
            command.addAll(extraArgs);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN);
            builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
            // Fixture host names resolve to loopback inside Keycloak, and only there.
            builder.environment().put("JAVA_OPTS_APPEND", "-Djdk.net.hosts.file=" + hostsFile);
            Process process = builder.start();
            DistKeycloakServer server = new DistKeycloakServer(process,
                    URI.create("http://127.0.0.1:" + httpPort), URI.create("https://127.0.0.1:" + httpsPort),
                    URI.create("http://127.0.0.1:" + managementPort), log);
            server.awaitReady(URI.create("http://127.0.0.1:" + managementPort + "/health/ready"));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(URI health) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue()
                        + " during start; log " + log + ":\n" + logTail(80));
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
            sleep(Duration.ofMillis(500));
        }
        destroy();
        throw new IllegalStateException("Keycloak not ready within " + START_TIMEOUT + "; log " + log
                + ":\n" + logTail(80));
    }

    private static void installProviders(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> old = Files.list(to)) {
            for (Path jar : old.filter(p -> p.getFileName().toString().startsWith("keycloak-wi-")).toList()) {
                Files.delete(jar);
            }
        }
        try (Stream<Path> jars = Files.list(from)) {
            List<Path> pack = jars.filter(p -> p.toString().endsWith(".jar")).toList();
            if (pack.isEmpty()) {
                throw new IllegalStateException("No pack JARs in " + from);
            }
            for (Path jar : pack) {
                // Released names (keycloak-wi-*) whatever Maven's copy called them.
                String name = jar.getFileName().toString();
                Path target = to.resolve(name.startsWith("keycloak-wi-") ? name : "keycloak-wi-" + name);
                Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Override
    public URI baseUrl() {
        return baseUrl;
    }

    @Override
    public java.util.Optional<URI> httpsUrl() {
        return java.util.Optional.of(httpsUrl);
    }

    @Override
    public java.util.Optional<URI> managementUrl() {
        return java.util.Optional.of(managementUrl);
    }

    @Override
    public String adminUsername() {
        return ADMIN;
    }

    @Override
    public String adminPassword() {
        return ADMIN_PASSWORD;
    }

    @Override
    public String backendName() {
        return "dist";
    }

    @Override
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The log of the whole run, for tests that look for what Keycloak printed. */
    Path logFile() {
        return log;
    }

    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    private void destroy() {
        // kc.sh execs java, but stop descendants too in case a wrapper shell stays around.
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The ports the fixtures' servers get (they bind port 0): the kernel's ephemeral range, so ports
     * outside it (e.g. 8443) stay refused and the allow-list itself can be tested.
     */
    static String fixturePorts() {
        // Read line-wise: Files.readString gets a truncated answer from this procfs file.
        try (java.io.BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            String[] range = in.readLine().trim().split("\\s+");
            return Integer.parseInt(range[0]) + "-" + Integer.parseInt(range[1]);
        } catch (IOException | RuntimeException e) {
            return "32768-65535"; // the Linux and IANA ephemeral ranges
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
