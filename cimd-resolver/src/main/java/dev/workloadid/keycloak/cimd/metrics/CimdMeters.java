package dev.workloadid.keycloak.cimd.metrics;

import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.common.metrics.PackMeters;

/**
 * The CIMD module's meters (see docs/metrics.md). Labels: {@code realm} (realm name), {@code outcome},
 * {@code rule} (the CIMD rule a refusal names, e.g. {@code CIMD-32}), {@code kind}. Never the URL.
 */
public final class CimdMeters {

    private CimdMeters() {
    }

    /** A document fetch (first fetch or revalidation) that gave a document, or a 304 for a revalidation. */
    public static void fetched(boolean notModified) {
        PackMeters.count("cimd.fetches", "Client ID Metadata Document fetches", "outcome",
                notModified ? "not_modified" : "success", "rule", "none");
    }

    /** A document fetch that ended in a refusal: transient (host unreachable, 5xx) or definite. */
    public static void fetchFailed(DocumentRejectedException e) {
        String rule = e.rule() != null && e.rule().matches("CIMD-\\d{1,3}") ? e.rule() : PackMeters.OTHER;
        PackMeters.count("cimd.fetches", "Client ID Metadata Document fetches", "outcome",
                e.transientFailure() ? "transient_failure" : "rejected", "rule", rule);
    }

    /**
     * A URL client_id answered without fetching: {@code negative} = a refusal remembered for the
     * realm's retry time, {@code positive} = the client another request or node had just stored.
     */
    public static void cacheHit(String realm, String kind) {
        PackMeters.count("cimd.cache.hits", "URL client_id lookups answered without a fetch", "realm", realm, "kind", kind);
    }

    /** A document client was created (first use of a URL client_id). */
    public static void documentClientCreated(String realm) {
        PackMeters.count("cimd.document.clients.created", "Document clients created", "realm", realm);
    }

    /** A document client was removed after being idle. */
    public static void documentClientRemoved(String realm) {
        PackMeters.count("cimd.document.clients.removed", "Idle document clients removed", "realm", realm);
    }
}
