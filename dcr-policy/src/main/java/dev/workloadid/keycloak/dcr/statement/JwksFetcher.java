package dev.workloadid.keycloak.dcr.statement;

import com.nimbusds.jose.jwk.JWKSet;
import dev.workloadid.keycloak.common.cache.HttpCacheLifetime;
import dev.workloadid.keycloak.common.net.FetchException;
import dev.workloadid.keycloak.common.net.FetchPolicy;
import dev.workloadid.keycloak.common.net.PortList;
import dev.workloadid.keycloak.common.net.FetchResult;
import dev.workloadid.keycloak.common.net.SafeFetcher;

import org.jboss.logging.Logger;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JWK sets fetched through the pack's SSRF-safe fetcher (https only, no special-use addresses,
 * size and time caps), kept per node for their HTTP cache lifetime (clamped to [60 s, 1 h]). A
 * per-node cache is enough: it holds public keys that any node can fetch again.
 */
public final class JwksFetcher {

    private static final Logger LOG = Logger.getLogger(JwksFetcher.class);

    /** Why a JWK set could not be had; the message is fit for an error_description. */
    public static final class JwksUnavailable extends Exception {
        private static final long serialVersionUID = 1L;

        private final String detail;

        JwksUnavailable(String message) {
            this(message, message);
        }

        JwksUnavailable(String message, String detail) {
            super(message);
            this.detail = detail;
        }

        /** What went wrong, for events and the log; the message is what the caller may see. */
        public String detail() {
            return detail;
        }
    }

    private record Entry(JWKSet set, Instant expires, Instant fetched) {
    }

    static final int MAX_JWKS_BYTES = 64 * 1024;
    private static final Duration MIN_REFETCH = Duration.ofSeconds(10);

    private final SafeFetcher fetcher;
    private final FetchPolicy policy;
    private final HttpCacheLifetime lifetime = new HttpCacheLifetime(Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofHours(1));
    private final Clock clock;
    private final Map<URI, Entry> cache = new ConcurrentHashMap<>();

    /** JWKS URLs on port 443 only. */
    public JwksFetcher(SafeFetcher fetcher, boolean allowLoopback, Clock clock) {
        this(fetcher, allowLoopback, PortList.HTTPS, clock);
    }

    public JwksFetcher(SafeFetcher fetcher, boolean allowLoopback, PortList allowedPorts, Clock clock) {
        this.fetcher = fetcher;
        this.policy = FetchPolicy.builder().maxBytes(MAX_JWKS_BYTES).allowLoopback(allowLoopback).allowedPorts(allowedPorts)
                .acceptHeader("application/jwk-set+json, application/json").build();
        this.clock = clock;
    }

    /** The JWK set at {@code uri}: cached, or fetched when absent, expired, or {@code refresh} asks (at most every 10 s). */
    public JWKSet get(URI uri, boolean refresh) throws JwksUnavailable {
        Instant now = clock.instant();
        Entry entry = cache.get(uri);
        boolean fresh = entry != null && now.isBefore(entry.expires());
        boolean mayRefetch = entry == null || now.isAfter(entry.fetched().plus(MIN_REFETCH));
        if (fresh && !(refresh && mayRefetch)) {
            return entry.set();
        }
        FetchResult result;
        try {
            result = fetcher.fetch(uri, policy);
        } catch (FetchException e) {
            // The registrant sees the public message only; which range a refused address is in, or
            // that a name resolves at all, is for the server log.
            LOG.infof("JWK set at %s could not be fetched: %s", uri, e.getMessage());
            throw new JwksUnavailable("the JWK set at " + uri + " could not be fetched: " + e.publicMessage(),
                    "the JWK set at " + uri + " could not be fetched: " + e.getMessage());
        }
        if (!result.isSuccess()) {
            throw new JwksUnavailable("the JWK set at " + uri + " answered HTTP " + result.status());
        }
        JWKSet set = parsePublic(new String(result.body(), StandardCharsets.UTF_8), uri.toString());
        if (cache.size() > 1000) {
            cache.clear();
        }
        cache.put(uri, new Entry(set, now.plus(lifetime.lifetime(result, now)), now));
        return set;
    }

    /** A JWK set with at least one key and no private key material. */
    public static JWKSet parsePublic(String json, String where) throws JwksUnavailable {
        JWKSet set;
        try {
            set = JWKSet.parse(json);
        } catch (ParseException e) {
            throw new JwksUnavailable("the document at " + where + " is not a JWK set");
        }
        if (set.getKeys().isEmpty()) {
            throw new JwksUnavailable("the JWK set at " + where + " holds no keys");
        }
        if (set.getKeys().stream().anyMatch(k -> k.isPrivate())) {
            throw new JwksUnavailable("the JWK set at " + where + " contains private key material");
        }
        return set;
    }
}
