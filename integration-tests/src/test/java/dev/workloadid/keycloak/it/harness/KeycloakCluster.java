package dev.workloadid.keycloak.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keycloak nodes forming one cluster on this machine, as a production deployment would: every node a
 * dedicated copy of the distribution (see {@link KeycloakServers#startDedicatedDist}) on one shared
 * PostgreSQL database, embedded Infinispan ({@code --cache=ispn}) with Keycloak's default
 * {@code jdbc-ping} stack (nodes discover each other through a table of that database), JGroups bound
 * to 127.0.0.1 on a free port per node, and one {@code --hostname} for all nodes: the address a load
 * balancer in front of them would have. Nothing listens there; the tests call each node directly, and
 * every node issues and expects the same issuer whichever node answers.
 */
public final class KeycloakCluster implements AutoCloseable {

    /** Infinispan's log line for a new JGroups view: {@code [coordinator|id] (size) [member, ...]}. */
    private static final Pattern VIEW = Pattern.compile(
            "ISPN000094: Received new cluster view for channel \\S+: \\[[^\\]]*\\] \\((\\d+)\\) \\[([^\\]]*)\\]");
    /** JGroups' FD_SOCK2 listens at the transport port + this offset (mod 65536) in Keycloak's stacks. */
    private static final int FD_SOCK2_OFFSET = 50000;

    private final Map<String, DistKeycloakServer> nodes = new LinkedHashMap<>();
    private final URI frontendUrl;

    private KeycloakCluster(URI frontendUrl) {
        this.frontendUrl = frontendUrl;
    }

    /**
     * Starts one node per name, one after the other (the first creates the schema, the others join
     * it), each from its own copy of the distribution and logging to {@code keycloak-cluster-{name}.log}.
     */
    public static KeycloakCluster start(HarnessConfig config, PostgresDatabase database, String... names) {
        KeycloakCluster cluster;
        try {
            cluster = new KeycloakCluster(URI.create("http://127.0.0.1:" + DistKeycloakServer.freePort()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            for (String name : names) {
                cluster.nodes.put(name, KeycloakServers.startDedicated(config, "cluster-" + name, List.of(
                        "--cache=ispn",
                        "--cache-embedded-network-bind-address=127.0.0.1",
                        "--cache-embedded-network-bind-port=" + transportPort(),
                        "--spi-cache-embedded--default--node-name=" + name,
                        "--db=postgres",
                        // The node's name on its database sessions (PostgresDatabase#waitingOn).
                        "--db-url=" + database.jdbcUrl() + "?ApplicationName=" + name,
                        "--db-username=" + PostgresDatabase.USER,
                        "--hostname=" + cluster.frontendUrl), List.of()));
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** A free loopback port whose FD_SOCK2 companion port is free too. */
    private static int transportPort() {
        try {
            for (int attempt = 0; attempt < 50; attempt++) {
                int port = DistKeycloakServer.freePort();
                if (DistKeycloakServer.isFree((port + FD_SOCK2_OFFSET) % 65536)) {
                    return port;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no free JGroups port pair on 127.0.0.1");
    }

    public KeycloakServer node(String name) {
        KeycloakServer node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException("no node " + name + " in " + nodes.keySet());
        }
        return node;
    }

    /** The issuer of {@code realm} on every node: the shared hostname, not the node's own address. */
    public String issuer(String realm) {
        return frontendUrl.resolve("/realms/" + realm).toString();
    }

    /**
     * Waits until the last cluster view each node logged has every node of this cluster as a member,
     * and fails with each node's latest view and log tail otherwise.
     */
    public void awaitOneView(Duration timeout) {
        awaitView(nodes.keySet(), timeout);
    }

    /**
     * Waits until the last cluster view each of the {@code members} logged has exactly them as members
     * (after {@link #kill}: the survivors' view without the killed node).
     */
    public void awaitView(java.util.Collection<String> members, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Map<String, List<String>> views = new LinkedHashMap<>();
            members.forEach(name -> views.put(name, lastView(nodes.get(name).logFile())));
            if (views.values().stream().allMatch(view -> view.size() == members.size() && view.containsAll(members))) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the nodes " + members + " did not form one view within " + timeout
                        + "; last view per node " + views + "\n" + logTails(40));
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Member names of the last view in the log, without their version suffix ({@code name(v=…)}). */
    private static List<String> lastView(Path log) {
        List<String> members = List.of();
        try {
            Matcher m = VIEW.matcher(Files.readString(log));
            while (m.find()) {
                List<String> names = new ArrayList<>();
                for (String member : m.group(2).split(",")) {
                    names.add(member.trim().replaceFirst("\\(.*$", ""));
                }
                members = names;
            }
        } catch (IOException e) {
            // not written yet
        }
        return members;
    }

    /**
     * Kills a node as a crash would ({@code kill -9} of its process and descendants): its cluster
     * peers learn of it only from their failure detection.
     */
    public void kill(String name) {
        nodes.get(name).kill();
    }

    /** The end of every node's log, for failure messages. */
    public String logTails(int lines) {
        StringBuilder out = new StringBuilder();
        nodes.forEach((name, node) -> out.append("----- node ").append(name).append(" (").append(node.logFile())
                .append(")\n").append(node.logTail(lines)).append('\n'));
        return out.toString();
    }

    /** Stops the nodes, the last started first. */
    @Override
    public void close() {
        List<DistKeycloakServer> started = new ArrayList<>(nodes.values());
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }
}
