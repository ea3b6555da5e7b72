package dev.workloadid.keycloak.dcr.rules;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Redirect URI rules for registered clients (DCR-05, RFC 8252 §7, MCP): https for web clients;
 * for native clients also http on a loopback address (any port) and private-use schemes in
 * reverse-domain form; never wildcards, fragments or user info.
 */
public final class RedirectUriRules {

    /**
     * @param allowLocalhostName  accept the name {@code localhost} as well as 127.0.0.1 / [::1]
     *                            (RFC 8252 §8.3 prefers the IP literals)
     * @param allowPrivateSchemes accept private-use URI schemes (com.example.app:/cb) for native clients
     * @param allowHttpLoopbackForWeb accept http loopback URIs for web clients too (local development)
     */
    public record Settings(boolean allowLocalhostName, boolean allowPrivateSchemes, boolean allowHttpLoopbackForWeb) {
        public static final Settings DEFAULTS = new Settings(true, true, false);
    }

    private RedirectUriRules() {
    }

    public static void check(List<String> redirectUris, String applicationType, Settings settings) {
        if (redirectUris == null) {
            return;
        }
        boolean nativeApp = "native".equals(applicationType);
        for (String raw : redirectUris) {
            checkOne(raw, nativeApp, settings);
        }
    }

    private static void checkOne(String raw, boolean nativeApp, Settings settings) {
        if (raw == null || raw.isBlank()) {
            throw DcrError.redirectUri("empty redirect URI");
        }
        if (raw.contains("*")) {
            throw DcrError.redirectUri("wildcards are not allowed in redirect URIs: " + raw);
        }
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw DcrError.redirectUri("not a valid URI: " + raw);
        }
        if (!uri.isAbsolute()) {
            throw DcrError.redirectUri("redirect URIs must be absolute: " + raw);
        }
        if (uri.getRawFragment() != null || raw.contains("#")) {
            throw DcrError.redirectUri("redirect URIs must not contain a fragment: " + raw);
        }
        if (uri.getRawUserInfo() != null) {
            throw DcrError.redirectUri("redirect URIs must not contain user info: " + raw);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "https" -> {
                if (uri.getHost() == null) {
                    throw DcrError.redirectUri("https redirect URI without a valid host: " + raw);
                }
            }
            case "http" -> {
                if (!isLoopback(uri.getHost(), settings.allowLocalhostName())) {
                    throw DcrError.redirectUri("http redirect URIs are allowed only on a loopback address: " + raw);
                }
                if (!nativeApp && !settings.allowHttpLoopbackForWeb()) {
                    throw DcrError.redirectUri("http loopback redirect URIs are for application_type native; "
                            + "web clients must use https: " + raw);
                }
            }
            default -> {
                if (!nativeApp) {
                    throw DcrError.redirectUri("web clients must use https redirect URIs: " + raw);
                }
                if (!settings.allowPrivateSchemes()) {
                    throw DcrError.redirectUri("private-use URI schemes are not allowed: " + raw);
                }
                if (!scheme.contains(".")) {
                    // RFC 8252 §7.1: reverse domain name form, e.g. com.example.app
                    throw DcrError.redirectUri("private-use URI schemes must be in reverse domain name form "
                            + "(e.g. com.example.app:/callback): " + raw);
                }
                if (scheme.equals("javascript") || scheme.equals("data") || scheme.equals("file")) {
                    throw DcrError.redirectUri("scheme not allowed: " + raw);
                }
            }
        }
    }

    static boolean isLoopback(String host, boolean allowLocalhostName) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("[::1]") || h.equals("::1")) {
            return true;
        }
        if (allowLocalhostName && h.equals("localhost")) {
            return true;
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
