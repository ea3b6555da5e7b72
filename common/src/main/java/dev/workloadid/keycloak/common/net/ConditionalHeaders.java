package dev.workloadid.keycloak.common.net;

/**
 * Validators for a conditional GET, taken from a cached response: its ETag becomes If-None-Match
 * and its Last-Modified becomes If-Modified-Since. Either may be null; a 304 status then means the
 * cached body is still current.
 */
public record ConditionalHeaders(String ifNoneMatch, String ifModifiedSince) {

    public static final ConditionalHeaders NONE = new ConditionalHeaders(null, null);

    public ConditionalHeaders {
        HeaderValues.check(ifNoneMatch);
        HeaderValues.check(ifModifiedSince);
    }

    public boolean isEmpty() {
        return ifNoneMatch == null && ifModifiedSince == null;
    }
}
