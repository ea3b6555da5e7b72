package dev.workloadid.keycloak.spiffe.id;

import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;

import java.util.Objects;

/**
 * A SPIFFE ID a client is registered with: either one exact ID, or a whole-segment prefix written
 * with a trailing {@code /*} (draft-ietf-oauth-spiffe-client-auth §5.1, SCA-51).
 *
 * <ul>
 *   <li>{@code spiffe://example.org/client} matches only that ID.</li>
 *   <li>{@code spiffe://example.org/client/*} matches {@code .../client/123} and
 *       {@code .../client/a/b}, but neither {@code .../client123} (partial segment) nor
 *       {@code .../client} itself (the prefix needs at least one more segment).</li>
 *   <li>{@code spiffe://example.org/*} matches every workload of the trust domain (any ID with a
 *       non-empty path). This is the only way to say "the whole trust domain".</li>
 * </ul>
 *
 * <p>Rejected: a bare trust-domain ID without {@code /*} ({@code spiffe://example.org}), because no
 * workload ever carries it and an administrator who writes it almost certainly meant
 * {@code spiffe://example.org/*}; any other {@code *} (mid-path, partial segment, {@code /**});
 * anything that is not a valid SPIFFE ID before the {@code /*}. The trust domain and scheme are
 * normalized to lower case; the path stays case-sensitive (SID-05).
 */
public final class SpiffeIdPattern {

    /** {@link #specificity()} of an exact pattern: higher than any prefix pattern can reach. */
    public static final int EXACT_SPECIFICITY = Integer.MAX_VALUE;

    private static final String WILDCARD_SUFFIX = "/*";

    private final SpiffeId base;
    private final boolean exact;
    private final int segments;

    private SpiffeIdPattern(SpiffeId base, boolean exact) {
        this.base = base;
        this.exact = exact;
        this.segments = countSegments(base.getPath());
    }

    /** Parses {@code spiffe://td/path}, {@code spiffe://td/path/*} or {@code spiffe://td/*}. */
    public static SpiffeIdPattern parse(String value) throws SpiffeIdFormatException {
        if (value == null || value.isEmpty()) {
            throw new SpiffeIdFormatException("SPIFFE ID pattern is empty");
        }
        if (value.endsWith(WILDCARD_SUFFIX)) {
            String prefix = value.substring(0, value.length() - WILDCARD_SUFFIX.length());
            SpiffeId base;
            try {
                base = SpiffeIds.parse(prefix);
            } catch (SpiffeIdFormatException e) {
                throw new SpiffeIdFormatException("invalid SPIFFE ID pattern '" + value
                        + "': the part before /* must be a SPIFFE ID or spiffe://<trust domain> ("
                        + e.getMessage() + ")", e);
            }
            return new SpiffeIdPattern(base, false);
        }
        SpiffeId id;
        try {
            id = SpiffeIds.parse(value);
        } catch (SpiffeIdFormatException e) {
            throw new SpiffeIdFormatException("invalid SPIFFE ID pattern '" + value + "': "
                    + e.getMessage() + " (only a trailing /* is allowed as a wildcard)", e);
        }
        if (SpiffeIds.isTrustDomainId(id)) {
            throw new SpiffeIdFormatException("invalid SPIFFE ID pattern '" + value
                    + "': a trust-domain ID matches no workload; write " + id + "/* to accept every"
                    + " workload of the trust domain");
        }
        return new SpiffeIdPattern(id, true);
    }

    /** An exact pattern for an already-parsed workload ID. */
    public static SpiffeIdPattern exact(SpiffeId id) {
        Objects.requireNonNull(id, "id");
        if (SpiffeIds.isTrustDomainId(id)) {
            throw new IllegalArgumentException("a trust-domain ID matches no workload: " + id);
        }
        return new SpiffeIdPattern(id, true);
    }

    /** Whole-segment matching as described on the class. */
    public boolean matches(SpiffeId id) {
        if (id == null) {
            return false;
        }
        if (exact) {
            return base.equals(id);
        }
        if (!base.getTrustDomain().equals(id.getTrustDomain())) {
            return false;
        }
        // java-spiffe guarantees no empty segments and no trailing slash, so "starts with
        // prefix + '/'" means "prefix is a run of complete segments and at least one follows".
        return id.getPath().startsWith(base.getPath() + "/");
    }

    public boolean isExact() {
        return exact;
    }

    /** The trust domain every matching ID belongs to. */
    public TrustDomain trustDomain() {
        return base.getTrustDomain();
    }

    /** The exact ID, or the prefix before {@code /*} (a trust-domain ID for {@code spiffe://td/*}). */
    public SpiffeId base() {
        return base;
    }

    /**
     * How specific the pattern is: {@link #EXACT_SPECIFICITY} for an exact ID, otherwise the number
     * of path segments before {@code /*} (0 for {@code spiffe://td/*}). Higher wins.
     */
    public int specificity() {
        return exact ? EXACT_SPECIFICITY : segments;
    }

    /** The normalized pattern text, suitable for storing back into configuration. */
    @Override
    public String toString() {
        return exact ? base.toString() : base + WILDCARD_SUFFIX;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpiffeIdPattern other && exact == other.exact && base.equals(other.base);
    }

    @Override
    public int hashCode() {
        return Objects.hash(base, exact);
    }

    private static int countSegments(String path) {
        int count = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                count++;
            }
        }
        return count;
    }
}
