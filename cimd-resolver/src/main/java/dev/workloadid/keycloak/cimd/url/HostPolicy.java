package dev.workloadid.keycloak.cimd.url;

import java.util.List;
import java.util.Locale;

/**
 * Which hosts may serve documents in a realm: an allow-list (or "any public host") minus a
 * deny-list. Entries are host names, matched case-insensitively, either exactly or as
 * {@code *.example.com} (any subdomain of example.com, not example.com itself). Deny wins.
 * Whether a host's addresses are public is decided later, by the fetcher, after DNS resolution.
 */
public record HostPolicy(boolean anyPublicHost, List<String> allowed, List<String> denied) {

    public HostPolicy {
        allowed = normalise(allowed);
        denied = normalise(denied);
    }

    public void check(String host) throws UrlRuleException {
        // "evil.example." and "evil.example" are the same DNS name: compare without the root dot.
        String h = stripRootDot(host.toLowerCase(Locale.ROOT));
        if (denied.stream().anyMatch(p -> matches(p, h))) {
            throw new UrlRuleException("CIMD-36", "host " + host + " is on this realm's deny-list for client metadata documents");
        }
        if (!anyPublicHost && allowed.stream().noneMatch(p -> matches(p, h))) {
            throw new UrlRuleException("CIMD-36", "host " + host + " is not on this realm's allow-list for client metadata documents");
        }
    }

    static boolean matches(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            return host.endsWith(pattern.substring(1)) && host.length() > pattern.length() - 1;
        }
        return pattern.equals(host);
    }

    private static List<String> normalise(List<String> entries) {
        return entries == null ? List.of() : entries.stream()
                .map(String::trim).filter(s -> !s.isEmpty()).map(s -> stripRootDot(s.toLowerCase(Locale.ROOT))).toList();
    }

    private static String stripRootDot(String host) {
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }
}
