package dev.workloadid.keycloak.common.net;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Host names in administrator-written host lists, and the hosts they are matched against, in one
 * comparable form: internationalised names as their ASCII (punycode A-label) form, lower case,
 * without the DNS root dot. So {@code Bücher.Example.} in a list and {@code xn--bcher-kva.example} in
 * a URL are the same host, and a list entry that could never match (a URL, a path, a port) is
 * refused when it is saved instead of silently matching nothing.
 */
public final class HostNames {

    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-fA-F:.]+]");
    private static final Pattern LDH_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private HostNames() {
    }

    /**
     * A host-list entry in comparable form: an exact host name ({@code app.example.com}, an IPv4
     * address or a bracketed IPv6 address) or {@code *.example.com} (any subdomain of example.com).
     *
     * @throws IllegalArgumentException saying, in words for an administrator, why the entry is not one
     */
    public static String entry(String raw) {
        String value = raw == null ? "" : raw.trim();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("is empty");
        }
        if (value.contains("://")) {
            throw new IllegalArgumentException("is a URL; write only its host name, e.g. app.example.com");
        }
        if (value.indexOf('/') >= 0 || value.indexOf('?') >= 0 || value.indexOf('#') >= 0) {
            throw new IllegalArgumentException("contains a path; write only the host name, e.g. app.example.com");
        }
        if (value.indexOf('@') >= 0) {
            throw new IllegalArgumentException("contains user info; write only the host name");
        }
        if (IPV6.matcher(value).matches()) {
            return value.toLowerCase(Locale.ROOT);
        }
        if (value.indexOf(':') >= 0) {
            throw new IllegalArgumentException("contains a port; host entries match every port of the https URL rules, "
                    + "write only the host name");
        }
        boolean wildcard = value.startsWith("*.");
        String name = wildcard ? value.substring(2) : value;
        if (name.indexOf('*') >= 0) {
            throw new IllegalArgumentException("has a * that is not the whole first label; the only wildcard form is "
                    + "*.example.com");
        }
        String ascii = ascii(name);
        if (wildcard && IPV4.matcher(ascii).matches()) {
            throw new IllegalArgumentException("puts a wildcard in front of an IP address");
        }
        return wildcard ? "*." + ascii : ascii;
    }

    /**
     * A host as seen in a URL, in the form {@link #entry} gives list entries; {@code null} if it is
     * not a host name at all.
     */
    public static String host(String host) {
        if (host == null || host.isBlank()) {
            return null;
        }
        if (IPV6.matcher(host).matches()) {
            return host.toLowerCase(Locale.ROOT);
        }
        try {
            return ascii(host);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether {@code host} (comparable form) matches a list entry (comparable form). */
    public static boolean matches(String entry, String host) {
        if (host == null) {
            return false;
        }
        if (entry.startsWith("*.")) {
            String suffix = entry.substring(1);
            return host.endsWith(suffix) && host.length() > suffix.length();
        }
        return entry.equals(host);
    }

    private static String ascii(String name) {
        String withoutRoot = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (withoutRoot.isEmpty() || withoutRoot.startsWith(".") || withoutRoot.contains("..")) {
            throw new IllegalArgumentException("has an empty label (two dots in a row, or a dot at the start)");
        }
        String ascii;
        try {
            // STD3 rules: letters, digits and hyphens only, so "a_b", "a b" and "a!b" are refused here.
            ascii = IDN.toASCII(withoutRoot, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a valid host name (letters, digits and hyphens between dots)");
        }
        if (ascii.length() > 253) {
            throw new IllegalArgumentException("is longer than the 253 characters of a DNS name");
        }
        for (String label : ascii.split("\\.", -1)) {
            if (label.isEmpty()) {
                throw new IllegalArgumentException("has an empty label (two dots in a row, or a dot at the start)");
            }
            if (!LDH_LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("has the label \"" + label + "\", which is not a DNS label "
                        + "(1 to 63 letters, digits or inner hyphens)");
            }
        }
        return ascii;
    }
}
