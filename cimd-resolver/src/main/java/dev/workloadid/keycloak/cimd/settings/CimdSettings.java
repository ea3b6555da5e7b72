package dev.workloadid.keycloak.cimd.settings;

import dev.workloadid.keycloak.cimd.document.AuthMethod;
import dev.workloadid.keycloak.cimd.document.ClientDocument;
import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.cimd.url.HostPolicy;
import dev.workloadid.keycloak.cimd.url.UrlRuleException;
import dev.workloadid.keycloak.common.cache.HttpCacheLifetime;
import dev.workloadid.keycloak.common.net.FetchPolicy;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A realm's URL client_id settings, read from its settings component's config (the admin console
 * page "Client ID Metadata Documents", admin REST and realm JSON all write that config).
 */
public record CimdSettings(
        boolean enabled,
        HostPolicy hosts,
        boolean allowQuery,
        Duration defaultLifetime,
        Duration cacheFloor,
        Duration cacheCeiling,
        int maxBytes,
        Duration connectTimeout,
        Duration totalTimeout,
        Duration failureRetry,
        boolean consentRequired,
        String templateClient,
        Duration orphanIdle,
        boolean allowClientCredentials,
        int maxDocumentClients) {

    public static final String ENABLED = "enabled";
    public static final String ANY_PUBLIC_HOST = "anyPublicHost";
    public static final String ALLOWED_HOSTS = "allowedHosts";
    public static final String DENIED_HOSTS = "deniedHosts";
    public static final String ALLOW_QUERY = "allowQuery";
    public static final String DEFAULT_LIFETIME = "defaultCacheSeconds";
    public static final String CACHE_FLOOR = "cacheFloorSeconds";
    public static final String CACHE_CEILING = "cacheCeilingSeconds";
    public static final String MAX_BYTES = "maxDocumentBytes";
    public static final String CONNECT_TIMEOUT = "connectTimeoutMillis";
    public static final String TOTAL_TIMEOUT = "totalTimeoutMillis";
    public static final String FAILURE_RETRY = "failureRetrySeconds";
    public static final String CONSENT_REQUIRED = "consentRequired";
    public static final String TEMPLATE_CLIENT = "templateClient";
    public static final String ORPHAN_IDLE = "orphanIdleDays";
    public static final String ALLOW_CLIENT_CREDENTIALS = "allowClientCredentials";
    public static final String MAX_CLIENTS = "maxDocumentClients";

    /** Defaults, as the admin page shows them. */
    public static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry(ENABLED, "true"),
            Map.entry(ANY_PUBLIC_HOST, "false"),
            Map.entry(ALLOW_QUERY, "false"),
            Map.entry(DEFAULT_LIFETIME, "300"),
            Map.entry(CACHE_FLOOR, "60"),
            Map.entry(CACHE_CEILING, "86400"),
            Map.entry(MAX_BYTES, "5120"),
            Map.entry(CONNECT_TIMEOUT, "2000"),
            Map.entry(TOTAL_TIMEOUT, "5000"),
            Map.entry(FAILURE_RETRY, "30"),
            Map.entry(CONSENT_REQUIRED, "true"),
            Map.entry(ORPHAN_IDLE, "30"),
            Map.entry(ALLOW_CLIENT_CREDENTIALS, "false"),
            Map.entry(MAX_CLIENTS, "1000"));

    /** @throws IllegalArgumentException with a message fit for the admin console */
    public static CimdSettings from(Map<String, List<String>> config) {
        long floor = number(config, CACHE_FLOOR, 0, 31_536_000);
        long ceiling = number(config, CACHE_CEILING, 0, 31_536_000);
        if (floor > ceiling) {
            throw new IllegalArgumentException(CACHE_FLOOR + " (" + floor + ") exceeds " + CACHE_CEILING + " (" + ceiling + ")");
        }
        long connect = number(config, CONNECT_TIMEOUT, 1, 60_000);
        long total = number(config, TOTAL_TIMEOUT, 1, 120_000);
        if (connect > total) {
            throw new IllegalArgumentException(CONNECT_TIMEOUT + " exceeds " + TOTAL_TIMEOUT);
        }
        String template = first(config, TEMPLATE_CLIENT);
        return new CimdSettings(
                bool(config, ENABLED),
                new HostPolicy(bool(config, ANY_PUBLIC_HOST), list(config, ALLOWED_HOSTS), list(config, DENIED_HOSTS)),
                bool(config, ALLOW_QUERY),
                Duration.ofSeconds(number(config, DEFAULT_LIFETIME, 0, 31_536_000)),
                Duration.ofSeconds(floor),
                Duration.ofSeconds(ceiling),
                (int) number(config, MAX_BYTES, 256, 1_048_576),
                Duration.ofMillis(connect),
                Duration.ofMillis(total),
                Duration.ofSeconds(number(config, FAILURE_RETRY, 1, 86_400)),
                bool(config, CONSENT_REQUIRED),
                template == null || template.isBlank() ? null : template.trim(),
                Duration.ofDays(number(config, ORPHAN_IDLE, 0, 3650)),
                bool(config, ALLOW_CLIENT_CREDENTIALS),
                (int) number(config, MAX_CLIENTS, 0, 1_000_000));
    }

    /** True when the realm caps its document clients ({@value #MAX_CLIENTS} 0 means no cap). */
    public boolean capped() {
        return maxDocumentClients > 0;
    }

    /**
     * The realm's own rules for a document that is valid in itself, checked before anything the
     * document names is fetched (CIMD-16: an AS may restrict what documents may ask for):
     * {@code client_credentials} only where {@value #ALLOW_CLIENT_CREDENTIALS} is on, and a
     * {@code jwks_uri} only on a host the realm's host lists allow (CIMD-36, the same lists as the
     * document URL).
     */
    public void admit(ClientDocument doc) throws DocumentRejectedException {
        if (doc.allows(ClientDocument.CLIENT_CREDENTIALS) && !allowClientCredentials) {
            throw new DocumentRejectedException("CIMD-16", "unauthorized_client",
                    "grant type client_credentials is not allowed for client metadata documents in this realm (setting "
                            + ALLOW_CLIENT_CREDENTIALS + " is off)");
        }
        if (doc.authMethod() == AuthMethod.PRIVATE_KEY_JWT && doc.jwksUri() != null) {
            String host;
            try {
                host = new URI(doc.jwksUri()).getHost();
            } catch (URISyntaxException e) {
                throw new DocumentRejectedException("CIMD-38", "jwks_uri is not a valid URL");
            }
            if (host == null) {
                throw new DocumentRejectedException("CIMD-38", "jwks_uri has no host");
            }
            try {
                hosts.check(host);
            } catch (UrlRuleException e) {
                throw new DocumentRejectedException(e.rule(), "jwks_uri " + e.getMessage());
            }
        }
    }

    /**
     * Why a document client that was accepted earlier is not acceptable under the settings as they
     * are now, or null: its host came off the allow-list (or onto the deny-list), or it has a
     * service account while {@value #ALLOW_CLIENT_CREDENTIALS} is off. Checked on every refresh
     * tick, so a settings change takes effect without waiting for the document to expire.
     */
    public String revoked(String url, boolean serviceAccount) {
        try {
            String host = URI.create(url).getHost();
            if (host == null) {
                return "CIMD-01: the client_id URL has no host";
            }
            hosts.check(host);
        } catch (UrlRuleException e) {
            return e.rule() + ": " + e.getMessage();
        } catch (IllegalArgumentException e) {
            return "CIMD-01: the client_id is not a valid URL";
        }
        if (serviceAccount && !allowClientCredentials) {
            return "CIMD-16: grant type client_credentials is not allowed for client metadata documents in this realm "
                    + "(setting " + ALLOW_CLIENT_CREDENTIALS + " is off)";
        }
        return null;
    }

    /** The fetch limits for documents and the jwks_uri they name. */
    public FetchPolicy fetchPolicy(boolean devAllowLoopback) {
        return FetchPolicy.builder()
                .maxBytes(maxBytes)
                .connectTimeout(connectTimeout)
                .readTimeout(totalTimeout)
                .totalTimeout(totalTimeout)
                .allowLoopback(devAllowLoopback)
                .acceptHeader("application/json")
                .build();
    }

    public HttpCacheLifetime cacheLifetime() {
        Duration def = defaultLifetime.compareTo(cacheFloor) < 0 ? cacheFloor
                : defaultLifetime.compareTo(cacheCeiling) > 0 ? cacheCeiling : defaultLifetime;
        return new HttpCacheLifetime(def, cacheFloor, cacheCeiling);
    }

    private static String first(Map<String, List<String>> config, String key) {
        List<String> values = config.get(key);
        if (values == null || values.isEmpty() || values.get(0) == null || values.get(0).isBlank()) {
            return DEFAULTS.get(key);
        }
        return values.get(0).trim();
    }

    private static boolean bool(Map<String, List<String>> config, String key) {
        return Boolean.parseBoolean(first(config, key));
    }

    private static List<String> list(Map<String, List<String>> config, String key) {
        List<String> values = config.get(key);
        if (values == null) {
            return List.of();
        }
        // The console stores a multivalued string as one "##"-separated value.
        return values.stream().flatMap(v -> java.util.Arrays.stream(v.split("##|,"))).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    private static long number(Map<String, List<String>> config, String key, long min, long max) {
        String value = first(config, key);
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not '" + value + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", not " + n);
        }
        return n;
    }
}
