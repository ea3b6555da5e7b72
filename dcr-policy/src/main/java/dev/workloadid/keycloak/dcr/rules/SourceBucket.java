package dev.workloadid.keycloak.dcr.rules;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The rate-limit bucket of a source address: the address's network prefix. One IPv6 host usually
 * holds a whole /64 (SLAAC, privacy addresses, cheap cloud allocations), so counting full IPv6
 * addresses would give one caller 2^64 buckets; IPv4 addresses are scarce and shared (NAT), so
 * they count one by one unless configured otherwise. IPv4-mapped IPv6 addresses count as IPv4.
 */
public final class SourceBucket {

    public static final int DEFAULT_IPV4_PREFIX = 32;
    public static final int DEFAULT_IPV6_PREFIX = 64;
    /** Narrower prefixes would put unrelated networks into one bucket and let one caller lock them all out. */
    public static final int MIN_IPV4_PREFIX = 8;
    public static final int MIN_IPV6_PREFIX = 16;

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[\\w.-]+)?]?");

    private SourceBucket() {
    }

    /** @throws IllegalArgumentException naming the setting when a prefix length is outside its range */
    public static void validatePrefixes(int ipv4Prefix, int ipv6Prefix) {
        if (ipv4Prefix < MIN_IPV4_PREFIX || ipv4Prefix > 32) {
            throw new IllegalArgumentException("the IPv4 prefix length must be between " + MIN_IPV4_PREFIX + " and 32");
        }
        if (ipv6Prefix < MIN_IPV6_PREFIX || ipv6Prefix > 128) {
            throw new IllegalArgumentException("the IPv6 prefix length must be between " + MIN_IPV6_PREFIX + " and 128");
        }
    }

    /**
     * @param address the client address as Keycloak reports it (an IP literal)
     * @return the network the address is counted in, e.g. {@code 2001:db8:0:1::/64} or {@code 192.0.2.7/32};
     *     anything that is not an IP literal is its own bucket (never resolved)
     */
    public static String of(String address, int ipv4Prefix, int ipv6Prefix) {
        validatePrefixes(ipv4Prefix, ipv6Prefix);
        String a = address.trim();
        if (!IPV4.matcher(a).matches() && !IPV6.matcher(a).matches()) {
            return a;
        }
        InetAddress ip;
        try {
            // A literal by the patterns above: no name lookup happens.
            ip = InetAddress.getByName(a.startsWith("[") ? a.substring(1, a.length() - 1) : a);
        } catch (UnknownHostException | IllegalArgumentException e) {
            return a;
        }
        byte[] bytes = ip.getAddress();
        int prefix = ip instanceof Inet4Address ? ipv4Prefix : ipv6Prefix;
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            return a;
        }
    }
}
