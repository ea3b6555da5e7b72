package dev.workloadid.keycloak.spiffe.id;

import io.spiffe.exception.InvalidSpiffeIdException;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;

/**
 * Parsing of SPIFFE IDs and trust domains with the SPIFFE-ID standard's limits.
 *
 * <p>Syntax (SID-01..03) and case handling (SID-05: scheme and trust domain are case-insensitive and
 * normalized to lower case, the path is kept as is) come from java-spiffe. java-spiffe does not
 * enforce the length limits of SID-04, so they are checked here: an ID longer than 2048 bytes or a
 * trust domain longer than 255 bytes is rejected rather than accepted, because the standard only
 * obliges us to support up to those sizes and anything longer is either broken or hostile.
 */
public final class SpiffeIds {

    /** SPIFFE-ID §2.3: implementations must support up to 2048 bytes; longer IDs are rejected. */
    public static final int MAX_SPIFFE_ID_BYTES = 2048;

    /** SPIFFE-ID §2.3: a trust domain name is at most 255 bytes. */
    public static final int MAX_TRUST_DOMAIN_BYTES = 255;

    private static final String SCHEME_PREFIX = "spiffe://";

    private SpiffeIds() {
    }

    /**
     * Parses any SPIFFE ID, including a trust-domain ID without path ({@code spiffe://example.org}).
     *
     * @return the normalized ID (lower-case scheme and trust domain)
     */
    public static SpiffeId parse(String value) throws SpiffeIdFormatException {
        if (value == null || value.isEmpty()) {
            throw new SpiffeIdFormatException("SPIFFE ID is empty");
        }
        // Every valid character is ASCII, so the char count is the byte count; anything longer
        // than the limit in chars is longer in bytes too.
        if (value.length() > MAX_SPIFFE_ID_BYTES) {
            throw new SpiffeIdFormatException(
                    "SPIFFE ID is longer than " + MAX_SPIFFE_ID_BYTES + " bytes");
        }
        SpiffeId id;
        try {
            id = SpiffeId.parse(value);
        } catch (InvalidSpiffeIdException | IllegalArgumentException e) {
            throw new SpiffeIdFormatException("invalid SPIFFE ID: " + e.getMessage(), e);
        }
        checkTrustDomainLength(id.getTrustDomain().getName());
        return id;
    }

    /**
     * The ID as text, equal to {@link SpiffeId#toString()}, which java-spiffe builds with
     * {@code String.format} on every call (measurable on the token path, where it is used several times).
     */
    public static String text(SpiffeId id) {
        return SCHEME_PREFIX + id.getTrustDomain().getName() + id.getPath();
    }

    /**
     * Parses the SPIFFE ID of a workload: like {@link #parse(String)} but the path must not be empty.
     * The bare trust-domain ID names the trust domain itself, never a client (X509-SVID §5.2 requires
     * a non-root path, and the same reasoning applies to a JWT-SVID {@code sub}).
     */
    public static SpiffeId parseWorkloadId(String value) throws SpiffeIdFormatException {
        SpiffeId id = parse(value);
        if (isTrustDomainId(id)) {
            throw new SpiffeIdFormatException(
                    "SPIFFE ID has no path: it names the trust domain, not a workload");
        }
        return id;
    }

    /**
     * Parses a trust domain given either as a bare name ({@code example.org}) or as a trust-domain ID
     * ({@code spiffe://example.org}). A value with a path is rejected, unlike
     * {@link TrustDomain#parse(String)}, which silently drops it: a configured trust domain with a
     * path is a mistake an administrator should hear about.
     */
    public static TrustDomain parseTrustDomain(String value) throws SpiffeIdFormatException {
        if (value == null || value.isEmpty()) {
            throw new SpiffeIdFormatException("trust domain is empty");
        }
        if (value.regionMatches(true, 0, SCHEME_PREFIX, 0, SCHEME_PREFIX.length())) {
            SpiffeId id = parse(value);
            if (!isTrustDomainId(id)) {
                throw new SpiffeIdFormatException(
                        "trust domain must not have a path: " + id.getTrustDomain().toIdString());
            }
            return id.getTrustDomain();
        }
        if (value.length() > MAX_TRUST_DOMAIN_BYTES) {
            throw new SpiffeIdFormatException(
                    "trust domain is longer than " + MAX_TRUST_DOMAIN_BYTES + " bytes");
        }
        if (value.contains(":") || value.contains("/")) {
            // Only the spiffe scheme is acceptable; java-spiffe would report a confusing char error.
            throw new SpiffeIdFormatException("invalid trust domain '" + value
                    + "': expected a name like example.org or spiffe://example.org");
        }
        try {
            return TrustDomain.parse(value);
        } catch (InvalidSpiffeIdException | IllegalArgumentException e) {
            throw new SpiffeIdFormatException("invalid trust domain: " + e.getMessage(), e);
        }
    }

    /** True for the ID of a trust domain itself ({@code spiffe://example.org}, empty path). */
    public static boolean isTrustDomainId(SpiffeId id) {
        return id.getPath().isEmpty();
    }

    private static void checkTrustDomainLength(String name) throws SpiffeIdFormatException {
        if (name.length() > MAX_TRUST_DOMAIN_BYTES) {
            throw new SpiffeIdFormatException(
                    "trust domain is longer than " + MAX_TRUST_DOMAIN_BYTES + " bytes");
        }
    }
}
