package dev.workloadid.keycloak.cimd.resolve;

import dev.workloadid.keycloak.common.net.ConditionalHeaders;

import java.time.Instant;

/**
 * What is remembered about a fetched document between fetches (stored as client attributes):
 * when it must be revalidated and the validators for a conditional request.
 */
public record CacheState(Instant expiresAt, String etag, String lastModified) {

    public boolean isFresh(Instant now) {
        return now.isBefore(expiresAt);
    }

    public ConditionalHeaders conditional() {
        return new ConditionalHeaders(etag, lastModified);
    }
}
