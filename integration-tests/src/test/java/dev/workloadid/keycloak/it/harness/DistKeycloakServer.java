package dev.workloadid.keycloak.it.harness;

import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.fixtures.TestCa;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
        return start(config.keycloakHome(), config, ca, hostsFile, x509, "keycloak.log", List.of(), List.of(), true);
    }

    /**
     * Starts a Keycloak from {@code home} (an unpacked distribution used by no other running
     * instance: build options such as the x509cert-lookup provider re-augment it), with
     * {@code extraArgs} appended to the command line and {@code realmFiles} put into its
     * {@code data/import} (imported when {@code extraArgs} has {@code --import-realm}). With
     * {@code freshData} its {@code data} directory (the dev-file H2 database among it) is emptied
     * first; without, the server starts on what an earlier server or {@code kc.sh import} left there.
     */
    static DistKeycloakServer start(Path home, HarnessConfig config, TestCa ca, Path hostsFile, SpiffeX509Authorities x509,
                                    String logName, List<String> extraArgs, List<Path> realmFiles, boolean freshData) {
        if (!Files.isExecutable(home.resolve("bin/kc.sh"))) {
            throw new IllegalStateException("No Keycloak distribution at " + home
                    + "; run the tests through Maven (./mvnw verify), which unpacks it");
        }
        try {
            installProviders(config.providersDir(), home.resolve("providers"));
            if (freshData) {
                // A fresh H2 database per run: the data dir of the unpacked distribution is ours alone.
                deleteRecursively(home.resolve("data"));
            }
            for (Path realmFile : realmFiles) {
                Files.createDirectories(home.resolve("data/import"));
                Files.copy(realmFile, home.resolve("data/import").resolve(realmFile.getFileName()));
            }
            KeycloakLaunch.Ports ports = KeycloakLaunch.Ports.free();
            Path log = config.workDir().resolve(logName);
            Files.createDirectories(log.getParent());
            // A later start with the same log name (a restart) keeps the earlier start's lines.
            Files.deleteIfExists(earlierLog(log));
            if (Files.exists(log)) {
                Files.move(log, earlierLog(log));
            }

            List<String> command = new ArrayList<>();
            command.add(home.resolve("bin/kc.sh").toString());
            command.addAll(KeycloakLaunch.overridden(KeycloakLaunch.startDev(ports, ca, x509, Path::toString), extraArgs));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(KeycloakLaunch.environment(hostsFile, Path::toString));
            Process process = builder.start();
            DistKeycloakServer server = new DistKeycloakServer(process, ports.baseUrl(), ports.httpsUrl(), ports.managementUrl(), log);
            try {
                KeycloakLaunch.awaitReady(ports.health(),
                        () -> process.isAlive() ? null : "exited with " + process.exitValue(),
                        () -> "log " + log + ":\n" + server.logTail(80));
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void installProviders(Path from, Path to) throws IOException {
        removeProviders(to);
        for (Map.Entry<String, Path> jar : packJars(from).entrySet()) {
            Files.copy(jar.getValue(), to.resolve(jar.getKey()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes the pack's JARs (keycloak-wi-*) from a providers directory, creating it if missing. */
    static void removeProviders(Path providers) throws IOException {
        Files.createDirectories(providers);
        try (Stream<Path> old = Files.list(providers)) {
            for (Path jar : old.filter(p -> p.getFileName().toString().startsWith("keycloak-wi-")).toList()) {
                Files.delete(jar);
            }
        }
    }

    /** The pack's JARs in {@code from} by their released names (keycloak-wi-*), whatever Maven's copy called them. */
    static Map<String, Path> packJars(Path from) throws IOException {
        Map<String, Path> pack = new TreeMap<>();
        try (Stream<Path> jars = Files.list(from)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                String name = jar.getFileName().toString();
                pack.put(name.startsWith("keycloak-wi-") ? name : "keycloak-wi-" + name, jar);
            }
        }
        if (pack.isEmpty()) {
            throw new IllegalStateException("No pack JARs in " + from);
        }
        return pack;
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
    public java.util.OptionalLong pid() {
        // kc.sh execs java; look among descendants too in case a wrapper shell stays around.
        return Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst();
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
    public String backendName() {
        return "dist";
    }

    @Override
    public String logTail(int lines) {
        return KeycloakLaunch.tail(log, lines);
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

    /** Where a restart keeps the previous start's log: {@code name.log} becomes {@code name.log.1}. */
    private static Path earlierLog(Path log) {
        return log.resolveSibling(log.getFileName() + ".1");
    }

    /**
     * Ends the server as a crash or an OOM killer would: SIGKILL to the process and its descendants
     * at once, no shutdown hooks, no goodbye to the cluster. Returns when the process is gone.
     */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("Keycloak (pid " + process.pid() + ") still alive 30 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isAlive() {
        return process.isAlive();
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

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
