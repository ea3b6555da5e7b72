package dev.workloadid.keycloak.cimd.resolve;

import dev.workloadid.keycloak.cimd.document.ClientDocument;
import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.cimd.document.DocumentValidator;
import dev.workloadid.keycloak.common.cache.HttpCacheLifetime;
import dev.workloadid.keycloak.common.net.ConditionalHeaders;
import dev.workloadid.keycloak.common.net.FetchException;
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
 * renews its lifetime.
 */
public final class DocumentFetcher {

    /** A result: either a new valid document, or "unchanged" (document null). */
    public record Outcome(ClientDocument document, String jwks, CacheState cache) {
        public boolean unchanged() {
            return document == null;
        }
    }

    private final SafeFetcher fetcher;
    private final Clock clock;

    public DocumentFetcher(SafeFetcher fetcher, Clock clock) {
        this.fetcher = fetcher;
        this.clock = clock;
    }

    /**
     * @param previous the stored cache state for a revalidation, or null for a first fetch
     * @return the outcome; {@code jwks} is the key set Keycloak should use (inline or fetched)
     */
    public Outcome fetch(String url, FetchPolicy policy, HttpCacheLifetime lifetime, CacheState previous)
            throws DocumentRejectedException {
        ConditionalHeaders conditional = previous == null ? ConditionalHeaders.NONE : previous.conditional();
        FetchResult result = get(URI.create(url), policy, conditional, "client metadata document");
        Instant now = clock.instant();
        if (result.status() == 304 && !conditional.isEmpty()) {
            Instant expires = now.plus(lifetime.lifetime(result, now));
            return new Outcome(null, null, new CacheState(expires, previous.etag(), previous.lastModified()));
        }
        checkStatus(result, "client metadata document");
        checkJsonContentType(result);
        ClientDocument document = DocumentValidator.validate(url, result.body());
        String jwks = document.jwks();
        if (document.jwksUri() != null && jwks == null) {
            FetchResult keys = get(URI.create(document.jwksUri()), policy, ConditionalHeaders.NONE, "jwks_uri");
            checkStatus(keys, "jwks_uri");
            jwks = DocumentValidator.checkJwks(keys.body());
        }
        ConditionalHeaders validators = HttpCacheLifetime.conditionalHeaders(result);
        Instant expires = now.plus(lifetime.lifetime(result, now));
        return new Outcome(document, jwks, new CacheState(expires, validators.ifNoneMatch(), validators.ifModifiedSince()));
    }

    private FetchResult get(URI uri, FetchPolicy policy, ConditionalHeaders conditional, String what)
            throws DocumentRejectedException {
        try {
            return fetcher.fetch(uri, policy, conditional);
        } catch (FetchException e) {
            String rule = switch (e.reason()) {
                case BLOCKED_ADDRESS, BAD_URL -> "CIMD-36";
                case TOO_LARGE -> "CIMD-35";
                default -> "CIMD-32";
            };
            throw new DocumentRejectedException(rule, "the " + what + " could not be fetched: " + e.getMessage());
        }
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
        throw new DocumentRejectedException("CIMD-11", "the " + what + " URL answered HTTP " + status + ", not 200");
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
