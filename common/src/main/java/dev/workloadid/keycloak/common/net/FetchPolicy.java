package dev.workloadid.keycloak.common.net;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Limits for one kind of fetch. Immutable; the defaults suit small JSON documents (metadata
 * documents, JWK sets, trust bundles) fetched while a client waits.
 */
public final class FetchPolicy {

    private static final FetchPolicy DEFAULTS = builder().build();

    private final int maxBytes;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration totalTimeout;
    private final boolean allowLoopback;
    private final String acceptHeader;
    private final PortList allowedPorts;

    private FetchPolicy(Builder b) {
        this.maxBytes = b.maxBytes;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.totalTimeout = b.totalTimeout;
        this.allowLoopback = b.allowLoopback;
        this.acceptHeader = b.acceptHeader;
        this.allowedPorts = b.allowedPorts;
    }

    /** maxBytes 5120, connect 2s, read 2s, total 5s, no loopback, Accept application/json, port 443 only. */
    public static FetchPolicy defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .maxBytes(maxBytes)
                .connectTimeout(connectTimeout)
                .readTimeout(readTimeout)
                .totalTimeout(totalTimeout)
                .allowLoopback(allowLoopback)
                .acceptHeader(acceptHeader)
                .allowedPorts(allowedPorts);
    }

    /** Largest body accepted, in bytes; one more byte fails the fetch. */
    public int maxBytes() {
        return maxBytes;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Longest wait for any single read (socket timeout). */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** Deadline for the whole fetch after DNS resolution starts; defeats slow-drip bodies. */
    public Duration totalTimeout() {
        return totalTimeout;
    }

    /**
     * Development only: permit 127.0.0.0/8 and ::1 (and no other special-use address). The fetcher
     * logs a warning when it sees this set.
     */
    public boolean allowLoopback() {
        return allowLoopback;
    }

    public String acceptHeader() {
        return acceptHeader;
    }

    /** Ports a URL may name (443 when it names none): 443 unless configured otherwise. */
    public PortList allowedPorts() {
        return allowedPorts;
    }

    public boolean permitsPort(int port) {
        return allowedPorts.permits(port);
    }

    @Override
    public String toString() {
        return "FetchPolicy{maxBytes=" + maxBytes + ", connectTimeout=" + connectTimeout
                + ", readTimeout=" + readTimeout + ", totalTimeout=" + totalTimeout
                + ", allowLoopback=" + allowLoopback + ", accept=" + acceptHeader
                + ", allowedPorts=" + allowedPorts + "}";
    }

    public static final class Builder {
        private int maxBytes = 5120;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration readTimeout = Duration.ofSeconds(2);
        private Duration totalTimeout = Duration.ofSeconds(5);
        private boolean allowLoopback;
        private String acceptHeader = "application/json";
        private PortList allowedPorts = PortList.HTTPS;

        private Builder() {}

        public Builder maxBytes(int maxBytes) {
            // maxBytes + 1 is read to detect an oversized body.
            if (maxBytes < 1 || maxBytes == Integer.MAX_VALUE) {
                throw new IllegalArgumentException("maxBytes out of range: " + maxBytes);
            }
            this.maxBytes = maxBytes;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        public Builder totalTimeout(Duration timeout) {
            this.totalTimeout = positive(timeout, "totalTimeout");
            return this;
        }

        public Builder allowLoopback(boolean allowLoopback) {
            this.allowLoopback = allowLoopback;
            return this;
        }

        public Builder acceptHeader(String acceptHeader) {
            this.acceptHeader = HeaderValues.check(Objects.requireNonNull(acceptHeader, "acceptHeader"));
            return this;
        }

        /** Ports a URL may name (443 when it names none); null for any. */
        public Builder allowedPorts(Set<Integer> ports) {
            this.allowedPorts = PortList.of(ports);
            return this;
        }

        /** Ports a URL may name; the default is {@link PortList#HTTPS}. */
        public Builder allowedPorts(PortList ports) {
            this.allowedPorts = Objects.requireNonNull(ports, "ports");
            return this;
        }

        public FetchPolicy build() {
            return new FetchPolicy(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            // HttpClient takes int milliseconds; a zero there would mean "no timeout".
            if (d.toMillis() < 1 || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + " must be between 1 ms and ~24 days: " + d);
            }
            return d;
        }
    }
}
