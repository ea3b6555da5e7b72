package dev.workloadid.keycloak.common.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The ports a fetched URL may name: single ports and ranges, written {@code 443,8443,9000-9100}, or
 * {@code *} for any. Without such a limit a registrant's URL could probe any port of any public
 * host through Keycloak (and tell open from closed ports by the answer).
 */
public final class PortList {

    /** HTTPS only: the default of every fetch. */
    public static final PortList HTTPS = new PortList(List.of(new int[] {443, 443}), "443");
    public static final PortList ANY = new PortList(null, "*");

    private final List<int[]> ranges;
    private final String text;

    private PortList(List<int[]> ranges, String text) {
        this.ranges = ranges;
        this.text = text;
    }

    /** @throws IllegalArgumentException with a message fit for an administrator */
    public static PortList parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("the list of allowed ports is empty; write 443 for https only, or * for any");
        }
        String trimmed = spec.trim();
        if (trimmed.equals("*")) {
            return ANY;
        }
        List<int[]> ranges = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (String part : trimmed.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            int from = port(dash < 0 ? p : p.substring(0, dash), spec);
            int to = dash < 0 ? from : port(p.substring(dash + 1), spec);
            if (to < from) {
                throw new IllegalArgumentException("port range " + p + " ends before it starts");
            }
            ranges.add(new int[] {from, to});
            parts.add(from == to ? Integer.toString(from) : from + "-" + to);
        }
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("the list of allowed ports is empty; write 443 for https only, or * for any");
        }
        return new PortList(List.copyOf(ranges), String.join(",", parts));
    }

    /** The given ports; null for any. */
    public static PortList of(Set<Integer> ports) {
        if (ports == null) {
            return ANY;
        }
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("the set of allowed ports is empty");
        }
        for (Integer port : ports) {
            if (port == null || port < 1 || port > 65535) {
                throw new IllegalArgumentException("invalid port: " + port);
            }
        }
        return parse(new TreeSet<>(ports).stream().map(String::valueOf).collect(Collectors.joining(",")));
    }

    private static int port(String value, String spec) {
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + value.trim() + "' in the allowed ports '" + spec
                + "' is not a port (1-65535)");
    }

    public boolean permits(int port) {
        if (ranges == null) {
            return true;
        }
        for (int[] r : ranges) {
            if (port >= r[0] && port <= r[1]) {
                return true;
            }
        }
        return false;
    }

    public boolean any() {
        return ranges == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortList other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The list as it is written in settings. */
    @Override
    public String toString() {
        return text;
    }
}
