package dev.workloadid.keycloak.cimd.resolve;

import dev.workloadid.keycloak.cimd.document.AuthMethod;
import dev.workloadid.keycloak.cimd.document.ClientDocument;
import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.cimd.document.DocumentValidator;
import dev.workloadid.keycloak.cimd.metrics.CimdMeters;
import dev.workloadid.keycloak.cimd.settings.CimdSettings;
import dev.workloadid.keycloak.cimd.url.UrlRuleException;
import dev.workloadid.keycloak.common.cache.HttpCacheLifetime;
import dev.workloadid.keycloak.common.net.ConditionalHeaders;
import dev.workloadid.keycloak.common.net.FetchException;
import dev.workloadid.keycloak.common.net.PortList;
import dev.workloadid.keycloak.common.net.FetchPolicy;
import dev.workloadid.keycloak.common.net.FetchResult;
import dev.workloadid.keycloak.common.net.SafeFetcher;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;

/**
 * Fetches a document (and the jwks_uri it names) through the pack's one {@link SafeFetcher}, and
 * decides what may be cached: only a valid document, for the HTTP lifetime within the realm's
 * floor and ceiling (CIMD-33/34). A 304 to a conditional request keeps the stored document and
 * renews its lifetime. Nothing is fetched from a host the realm's host lists refuse: the
 * document's host is checked before the document is fetched (also on revalidation, so a host
 * taken off the allow-list is never asked again), the jwks_uri host before the keys are.
 */
public final class DocumentFetcher {

    /**
     * A result: either a new valid document, or "unchanged" (document null).
     *
     * @param keysExpireAt when keys fetched from the document's jwks_uri must be fetched again (their own
     *                     HTTP cache lifetime); null when no keys were fetched
     */
    public record Outcome(ClientDocument document, String jwks, CacheState cache, Instant keysExpireAt) {
        public boolean unchanged() {
            return document == null;
        }
    }

    /** Keys fetched from a jwks_uri, and when they must be fetched again. */
    public record Keys(String jwks, Instant expiresAt) {
    }

    private final SafeFetcher fetcher;
    private final PortList allowedPorts;
    private final Clock clock;

    /** Documents and jwks_uri on port 443 only. */
    public DocumentFetcher(SafeFetcher fetcher, Clock clock) {
        this(fetcher, PortList.HTTPS, clock);
    }

    /** @param allowedPorts the ports document URLs and the jwks_uri they name may use (server option) */
    public DocumentFetcher(SafeFetcher fetcher, PortList allowedPorts, Clock clock) {
        this.fetcher = fetcher;
        this.allowedPorts = allowedPorts;
        this.clock = clock;
    }

    /** The realm's fetch limits with this server's allowed ports. */
    private FetchPolicy policy(CimdSettings settings, boolean devAllowLoopback) {
        return settings.fetchPolicy(devAllowLoopback).toBuilder().allowedPorts(allowedPorts).build();
    }

    /**
     * @param settings the realm's settings: host lists, fetch limits, cache lifetimes, document rules
     * @param previous the stored cache state for a revalidation, or null for a first fetch
     * @return the outcome; {@code jwks} is the key set Keycloak should use (inline or fetched)
     */
    public Outcome fetch(String url, CimdSettings settings, boolean devAllowLoopback, CacheState previous)
            throws DocumentRejectedException {
        try {
            Outcome outcome = fetchOnce(url, settings, devAllowLoopback, previous);
            CimdMeters.fetched(outcome.unchanged());
            return outcome;
        } catch (DocumentRejectedException e) {
            CimdMeters.fetchFailed(e);
            throw e;
        }
    }

    private Outcome fetchOnce(String url, CimdSettings settings, boolean devAllowLoopback, CacheState previous)
            throws DocumentRejectedException {
        URI uri = URI.create(url);
        checkHost(uri, settings, "CIMD-01", "the client_id URL", "");
        FetchPolicy policy = policy(settings, devAllowLoopback);
        HttpCacheLifetime lifetime = settings.cacheLifetime();
        ConditionalHeaders conditional = previous == null ? ConditionalHeaders.NONE : previous.conditional();
        FetchResult result = get(uri, policy, conditional, "client metadata document");
        Instant now = clock.instant();
        if (result.status() == 304 && !conditional.isEmpty()) {
            Instant expires = now.plus(lifetime.lifetime(result, now));
            return new Outcome(null, null, new CacheState(expires, previous.etag(), previous.lastModified()), null);
        }
        checkStatus(result, "client metadata document");
        checkJsonContentType(result);
        ClientDocument document = DocumentValidator.validate(url, result.body());
        settings.admit(document);
        String jwks = document.jwks();
        Instant keysExpireAt = null;
        // Keys are used only for private_key_jwt: a jwks_uri in any other document is not fetched.
        if (document.authMethod() == AuthMethod.PRIVATE_KEY_JWT && document.jwksUri() != null && jwks == null) {
            Keys keys = keys(document.jwksUri(), policy, lifetime);
            jwks = keys.jwks();
            keysExpireAt = keys.expiresAt();
        }
        ConditionalHeaders validators = HttpCacheLifetime.conditionalHeaders(result);
        Instant expires = now.plus(lifetime.lifetime(result, now));
        return new Outcome(document, jwks, new CacheState(expires, validators.ifNoneMatch(), validators.ifModifiedSince()),
                keysExpireAt);
    }

    /**
     * Fetches a document's jwks_uri again (its keys expired while the document itself is unchanged or
     * still fresh): the host is checked against the realm's current host lists first.
     */
    public Keys fetchKeys(String jwksUri, CimdSettings settings, boolean devAllowLoopback) throws DocumentRejectedException {
        checkHost(URI.create(jwksUri), settings, "CIMD-38", "jwks_uri", "jwks_uri ");
        return keys(jwksUri, policy(settings, devAllowLoopback), settings.cacheLifetime());
    }

    /** The realm's host lists decide before anything is fetched from {@code uri}. */
    private static void checkHost(URI uri, CimdSettings settings, String noHostRule, String what, String refusalPrefix)
            throws DocumentRejectedException {
        if (uri.getHost() == null) {
            throw new DocumentRejectedException(noHostRule, what + " has no host");
        }
        try {
            settings.hosts().check(uri.getHost());
        } catch (UrlRuleException e) {
            throw new DocumentRejectedException(e.rule(), refusalPrefix + e.getMessage());
        }
    }

    /** Keys live as long as their own response says (within the realm's floor and ceiling), not the document's. */
    private Keys keys(String jwksUri, FetchPolicy policy, HttpCacheLifetime lifetime) throws DocumentRejectedException {
        FetchResult keys = get(URI.create(jwksUri), policy, ConditionalHeaders.NONE, "jwks_uri");
        checkStatus(keys, "jwks_uri");
        Instant now = clock.instant();
        return new Keys(DocumentValidator.checkJwks(keys.body()), now.plus(lifetime.lifetime(keys, now)));
    }

    private FetchResult get(URI uri, FetchPolicy policy, ConditionalHeaders conditional, String what)
            throws DocumentRejectedException {
        try {
            return fetcher.fetch(uri, policy, conditional);
        } catch (FetchException e) {
            throw rejected(e, what);
        }
    }

    /**
     * A failed fetch as a refusal. Its message keeps the fetcher's detail (host, and for a refused
     * address the special-use range it is in) for the event and the log; what a client or a
     * browser is shown never comes from here (see {@link Refusal}).
     */
    static DocumentRejectedException rejected(FetchException e, String what) {
        String rule = switch (e.reason()) {
            case BLOCKED_ADDRESS, BAD_URL -> "CIMD-36";
            case TOO_LARGE -> "CIMD-35";
            default -> "CIMD-32";
        };
        return new DocumentRejectedException(rule, "invalid_client", "the " + what + " could not be fetched: " + e.getMessage(),
                isTransient(e.reason()));
    }

    /**
     * Failures that say nothing about the document: the host could not be reached, or answered too
     * slowly. A refused address, a bad URL or an oversized body are definite answers.
     */
    static boolean isTransient(FetchException.Reason reason) {
        return switch (reason) {
            case DNS_FAILURE, CONNECT_FAILURE, TLS_FAILURE, TIMEOUT, IO -> true;
            case BAD_URL, BLOCKED_ADDRESS, TOO_LARGE, HTTP_ERROR -> false;
        };
    }

    /** A server error, rate limiting or request timeout: the host may answer properly later. */
    static boolean isTransient(int status) {
        return status >= 500 || status == 429 || status == 408;
    }

    /** CIMD-11 / CIMD-31: only 200 is a document; redirects are never followed. */
    static void checkStatus(FetchResult result, String what) throws DocumentRejectedException {
        int status = result.status();
        if (status == 200) {
            return;
        }
        if (status >= 300 && status < 400) {
            throw new DocumentRejectedException("CIMD-31", "the " + what + " URL answered with a redirect (HTTP "
                    + status + "); redirects are not followed");
        }
        throw new DocumentRejectedException("CIMD-11", "invalid_client", "the " + what + " URL answered HTTP " + status
                + ", not 200", isTransient(status));
    }

    /** CIMD-12: JSON, possibly a more specific +json type; a missing Content-Type is tolerated. */
    static void checkJsonContentType(FetchResult result) throws DocumentRejectedException {
        String type = result.header("Content-Type").orElse(null);
        if (type == null) {
            return;
        }
        String media = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json") && !(media.startsWith("application/") && media.endsWith("+json"))) {
            throw new DocumentRejectedException("CIMD-12", "the client metadata document has content type " + media
                    + ", not JSON");
        }
    }
}
