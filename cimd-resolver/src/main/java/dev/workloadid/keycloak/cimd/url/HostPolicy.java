package dev.workloadid.keycloak.cimd.url;

import dev.workloadid.keycloak.common.net.HostNames;

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
        // One comparable form for list and URL: IDN A-label, lower case, no root dot ("evil.example." is
        // "evil.example"; "bücher.example" in a list is "xn--bcher-kva.example" in a URL).
        String h = HostNames.host(host);
        if (h == null) {
            throw new UrlRuleException("CIMD-01", "host " + host + " is not a valid host name");
        }
        if (denied.stream().anyMatch(p -> matches(p, h))) {
            throw new UrlRuleException("CIMD-36", "host " + host + " is on this realm's deny-list for client metadata documents");
        }
        if (!anyPublicHost && allowed.stream().noneMatch(p -> matches(p, h))) {
            throw new UrlRuleException("CIMD-36", "host " + host + " is not on this realm's allow-list for client metadata documents");
        }
    }

    static boolean matches(String pattern, String host) {
        return HostNames.matches(pattern, host);
    }

    /**
     * Entries in {@link HostNames#entry} form. The admin console refuses malformed entries on save;
     * one that arrived otherwise (an old realm file) is kept lower-cased, where it matches nothing.
     */
    private static List<String> normalise(List<String> entries) {
        return entries == null ? List.of() : entries.stream()
                .map(String::trim).filter(s -> !s.isEmpty()).map(HostPolicy::entryOrAsWritten).toList();
    }

    private static String entryOrAsWritten(String entry) {
        try {
            return HostNames.entry(entry);
        } catch (IllegalArgumentException e) {
            return stripRootDot(entry.toLowerCase(Locale.ROOT));
        }
    }

    private static String stripRootDot(String host) {
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }
}
