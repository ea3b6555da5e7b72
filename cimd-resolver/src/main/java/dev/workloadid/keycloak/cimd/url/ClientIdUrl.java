package dev.workloadid.keycloak.cimd.url;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The rules for a client_id that is a Client Identifier URL (CIMD -02 section 3). Checked on the
 * string exactly as received, before anything is fetched. The URL is compared by simple string
 * comparison everywhere (CIMD-08): nothing here normalises it, so {@code https://h/c} and
 * {@code https://h:443/c} are two different clients.
 */
public final class ClientIdUrl {

    /**
     * Keycloak's client_id column ({@code CLIENT.CLIENT_ID}) holds 255 characters: a longer URL could
     * never be stored, so it is refused before anything is fetched.
     */
    public static final int MAX_LENGTH = 255;

    private ClientIdUrl() {
    }

    /** Whether a client_id is meant as a URL at all (and so is ours to resolve or refuse). */
    public static boolean looksLikeUrl(String clientId) {
        if (clientId == null) {
            return false;
        }
        String lower = clientId.toLowerCase(Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://");
    }

    /**
     * @param allowQuery whether the administrator allows a query component (CIMD-06, SHOULD NOT)
     * @return the parsed URL (for its host and port), never a normalised form
     * @throws UrlRuleException naming the rule the string breaks
     */
    public static URI check(String clientId, boolean allowQuery) throws UrlRuleException {
        if (clientId == null || clientId.isEmpty()) {
            throw new UrlRuleException("CIMD-01", "the client_id is empty");
        }
        if (clientId.length() > MAX_LENGTH) {
            throw new UrlRuleException("CIMD-35", "the client_id URL is " + clientId.length() + " characters long; "
                    + "Keycloak stores client IDs of at most " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < clientId.length(); i++) {
            char c = clientId.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new UrlRuleException("CIMD-08", "the client_id URL contains a space, control or non-ASCII character");
            }
        }
        // Scheme compared exactly: "HTTPS://" would be a second spelling of the same URL.
        if (!clientId.startsWith("https://")) {
            throw new UrlRuleException("CIMD-01", "the client_id URL must use the https scheme (lower case)");
        }
        URI uri;
        try {
            uri = new URI(clientId);
        } catch (URISyntaxException e) {
            throw new UrlRuleException("CIMD-08", "the client_id is not a valid URL: " + e.getReason());
        }
        if (uri.getRawFragment() != null || clientId.indexOf('#') >= 0) {
            throw new UrlRuleException("CIMD-07", "the client_id URL must not contain a fragment");
        }
        if (uri.getRawUserInfo() != null || authority(clientId).contains("@")) {
            throw new UrlRuleException("CIMD-02", "the client_id URL must not contain user info");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new UrlRuleException("CIMD-01", "the client_id URL has no valid host name");
        }
        String path = uri.getRawPath();
        if (path == null || path.isEmpty()) {
            throw new UrlRuleException("CIMD-04", "the client_id URL must contain a path");
        }
        if (path.equals("/")) {
            throw new UrlRuleException("CIMD-09", "the client_id URL path must not be just \"/\"");
        }
        for (String segment : path.substring(1).split("/", -1)) {
            String decoded = segment.replace("%2e", ".").replace("%2E", ".");
            if (decoded.equals(".") || decoded.equals("..")) {
                throw new UrlRuleException("CIMD-05", "the client_id URL must not contain . or .. path segments");
            }
        }
        if (uri.getRawQuery() != null && !allowQuery) {
            throw new UrlRuleException("CIMD-06", "the client_id URL must not contain a query in this realm");
        }
        return uri;
    }

    private static String authority(String url) {
        int start = url.indexOf("://") + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        return url.substring(start, end);
    }
}
