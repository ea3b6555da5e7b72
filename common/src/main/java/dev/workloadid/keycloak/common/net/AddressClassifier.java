package dev.workloadid.keycloak.common.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;

/**
 * Classifies an address as public or special-use (RFC 6890 and the IANA IPv4/IPv6 Special-Purpose
 * Address Registries), so that a URL supplied by a client cannot make Keycloak reach its own host,
 * the internal network or cloud metadata services.
 *
 * <p>One table; the longest matching prefix wins. Decisions beyond the registries:
 *
 * <ul>
 *   <li>Addresses that embed an IPv4 address ({@code ::ffff:0:0/96} IPv4-mapped, {@code
 *       64:ff9b::/96} NAT64 well-known prefix, {@code 2002::/16} 6to4) are judged by the embedded
 *       IPv4 address: special if it is special, public otherwise, because that is where the packets
 *       end up.
 *   <li>{@code 64:ff9b:1::/48} (local-use NAT64, RFC 8215) is refused outright: it is not globally
 *       reachable and where the IPv4 address sits inside it depends on the local setup.
 *   <li>Teredo ({@code 2001::/32}) is refused with the rest of {@code 2001::/23}.
 *   <li>IPv6 outside {@code 2000::/3} (the only block IANA allocates for global unicast) is refused
 *       as reserved; this also covers the deprecated IPv4-compatible {@code ::/96}.
 *   <li>Loopback ({@code 127.0.0.0/8}, {@code ::1}) is marked as such so that a development-only
 *       policy can permit exactly those; the IPv4-mapped form of a loopback address does not count.
 * </ul>
 */
public final class AddressClassifier {

    private static final String LOOPBACK = "loopback";
    private static final String NOT_GLOBAL_UNICAST = "reserved, not IPv6 global unicast";

    /** The table. Labels follow the IANA registry names. */
    private static final List<Range> RANGES = List.of(
            v4("\"this network\"", "0.0.0.0/8"),
            v4("private-use", "10.0.0.0/8"),
            v4("shared address space (CGNAT)", "100.64.0.0/10"),
            v4(LOOPBACK, "127.0.0.0/8"),
            v4("link-local", "169.254.0.0/16"),
            v4("private-use", "172.16.0.0/12"),
            v4("IETF protocol assignments", "192.0.0.0/24"),
            v4("documentation (TEST-NET-1)", "192.0.2.0/24"),
            v4("6to4 relay anycast", "192.88.99.0/24"),
            v4("private-use", "192.168.0.0/16"),
            v4("benchmarking", "198.18.0.0/15"),
            v4("documentation (TEST-NET-2)", "198.51.100.0/24"),
            v4("documentation (TEST-NET-3)", "203.0.113.0/24"),
            v4("multicast", "224.0.0.0/4"),
            v4("reserved", "240.0.0.0/4"),
            v4("limited broadcast", "255.255.255.255/32"),

            v6("unspecified", "::/128"),
            v6(LOOPBACK, "::1/128"),
            embedding("IPv4-mapped", "::ffff:0:0/96", 12),
            embedding("NAT64 well-known prefix", "64:ff9b::/96", 12),
            v6("NAT64 local-use", "64:ff9b:1::/48"),
            v6("discard-only", "100::/64"),
            v6("IETF protocol assignments", "2001::/23"),
            v6("Teredo", "2001::/32"),
            v6("documentation", "2001:db8::/32"),
            embedding("6to4", "2002::/16", 2),
            v6("documentation", "3fff::/20"),
            v6("segment routing (SRv6) SIDs", "5f00::/16"),
            v6("unique-local", "fc00::/7"),
            v6("link-local", "fe80::/10"),
            v6("site-local (deprecated)", "fec0::/10"),
            v6("multicast", "ff00::/8"),
            v6(NOT_GLOBAL_UNICAST, "::/3"),
            v6(NOT_GLOBAL_UNICAST, "4000::/2"),
            v6(NOT_GLOBAL_UNICAST, "8000::/1"));

    private AddressClassifier() {}

    /** Classifies {@code address}; never resolves anything. */
    public static Classification classify(InetAddress address) {
        Objects.requireNonNull(address, "address");
        byte[] bytes = address.getAddress();
        Range best = null;
        for (Range range : RANGES) {
            if (range.matches(bytes) && (best == null || range.bits > best.bits)) {
                best = range;
            }
        }
        if (best == null) {
            return Classification.PUBLIC;
        }
        if (best.embeddedV4Offset >= 0) {
            byte[] v4 = new byte[4];
            System.arraycopy(bytes, best.embeddedV4Offset, v4, 0, 4);
            Classification inner = classify(literal(v4));
            return inner.isSpecialUse()
                    ? new Classification(true, false, best.describe() + " embedding " + inner.range())
                    : Classification.PUBLIC;
        }
        return new Classification(true, best.label.equals(LOOPBACK), best.describe());
    }

    /** The outcome: public, or the special-use range that matched. */
    public static final class Classification {
        static final Classification PUBLIC = new Classification(false, false, "public");

        private final boolean specialUse;
        private final boolean loopback;
        private final String range;

        private Classification(boolean specialUse, boolean loopback, String range) {
            this.specialUse = specialUse;
            this.loopback = loopback;
            this.range = range;
        }

        public boolean isSpecialUse() {
            return specialUse;
        }

        /** True only for 127.0.0.0/8 and ::1, the addresses a development policy may permit. */
        public boolean isLoopback() {
            return loopback;
        }

        /** The matched range for error messages, e.g. {@code "private-use 10.0.0.0/8"}; "public" otherwise. */
        public String range() {
            return range;
        }

        /** Whether a fetch may connect here: public, or loopback when loopback is allowed. */
        public boolean permitted(boolean allowLoopback) {
            return !specialUse || (loopback && allowLoopback);
        }

        @Override
        public String toString() {
            return range;
        }
    }

    private static final class Range {
        final String label;
        final String cidr;
        final byte[] prefix;
        final int bits;
        final int embeddedV4Offset;

        Range(String label, String cidr, int embeddedV4Offset, boolean ipv6) {
            int slash = cidr.indexOf('/');
            this.label = label;
            this.cidr = cidr;
            this.prefix = ipv6 ? parseV6(cidr.substring(0, slash)) : parseV4(cidr.substring(0, slash));
            this.bits = Integer.parseInt(cidr.substring(slash + 1));
            this.embeddedV4Offset = embeddedV4Offset;
        }

        boolean matches(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (prefix[full] & mask);
        }

        String describe() {
            return label + " " + cidr;
        }
    }

    private static Range v4(String label, String cidr) {
        return new Range(label, cidr, -1, false);
    }

    private static Range v6(String label, String cidr) {
        return new Range(label, cidr, -1, true);
    }

    private static Range embedding(String label, String cidr, int v4Offset) {
        return new Range(label, cidr, v4Offset, true);
    }

    // Parsed by hand so that a typo in the table can never turn into a DNS lookup.
    private static byte[] parseV4(String text) {
        String[] parts = text.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException("bad IPv4 prefix " + text);
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            out[i] = (byte) Integer.parseInt(parts[i]);
        }
        return out;
    }

    private static byte[] parseV6(String text) {
        if (!text.contains(":")) {
            throw new IllegalArgumentException("bad IPv6 prefix " + text);
        }
        try {
            // A string with ':' is only ever parsed as an IPv6 literal, never looked up.
            byte[] parsed = InetAddress.getByName(text).getAddress();
            if (parsed.length == 16) {
                return parsed;
            }
            // Java turns ::ffff:a.b.c.d into an IPv4 address; rebuild the 16-byte form.
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(parsed, 0, mapped, 12, 4);
            return mapped;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad IPv6 prefix " + text, e);
        }
    }

    private static InetAddress literal(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only thrown for a wrong length
        }
    }
}
