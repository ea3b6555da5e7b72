package dev.workloadid.keycloak.spiffe.jwt;

import com.nimbusds.jose.JWSAlgorithm;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link JwtSvidValidator} accepts. Immutable; build with {@link #builder(String)}.
 *
 * <p>Defaults and why:
 * <ul>
 *   <li>Algorithms: the nine of JWT-SVID §2.1 (RS/ES/PS 256/384/512). A policy may narrow the set
 *       but can never add another algorithm (JSV-03).</li>
 *   <li>Max lifetime 5 minutes, counted from <em>now</em> ({@code exp - now}), not from {@code iat}:
 *       {@code iat} is chosen by the token's issuer, so a cap counted from it (as stock Keycloak does)
 *       lets a fresh-looking token with {@code exp = now + 1h} through. 5 minutes is SPIRE's default
 *       JWT-SVID TTL; raise it if the trust domain issues longer-lived SVIDs, up to
 *       {@link #MAX_LIFETIME_LIMIT} (1 day): a JWT-SVID is a short-lived bearer credential, and the
 *       cap is also how long a stolen one stays usable and how long replay protection keeps its jti.</li>
 *   <li>Clock skew 30 seconds, applied to {@code exp}, {@code nbf}, {@code iat} and the lifetime cap;
 *       at most {@link #CLOCK_SKEW_LIMIT} (5 minutes): clocks further apart than that are broken,
 *       not skewed, and a larger leeway would quietly extend every SVID's life.</li>
 *   <li>{@code jti} not required: JWT-SVIDs are cached and reused by SPIFFE agents, and replay
 *       protection is a deployment choice (SCA-10, JSV-09).</li>
 *   <li>Max assertion length 16 KiB: a JWT-SVID is typically well under 2 KiB; the cap bounds the
 *       work done on unauthenticated input.</li>
 * </ul>
 */
public final class JwtSvidPolicy {

    /** JWT-SVID §2.1: the only algorithms a JWT-SVID may use. */
    public static final Set<JWSAlgorithm> SPIFFE_ALGORITHMS = Set.copyOf(List.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512));

    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(5);
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    /** The largest max lifetime a policy accepts. */
    public static final Duration MAX_LIFETIME_LIMIT = Duration.ofDays(1);
    /** The largest clock skew a policy accepts. */
    public static final Duration CLOCK_SKEW_LIMIT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_ASSERTION_LENGTH = 16 * 1024;

    private final String expectedAudience;
    private final Set<JWSAlgorithm> allowedAlgorithms;
    private final Duration maxLifetime;
    private final Duration clockSkew;
    private final boolean requireJti;
    private final int maxAssertionLength;

    private JwtSvidPolicy(Builder b) {
        this.expectedAudience = b.expectedAudience;
        this.allowedAlgorithms = Set.copyOf(b.allowedAlgorithms);
        this.maxLifetime = b.maxLifetime;
        this.clockSkew = b.clockSkew;
        this.requireJti = b.requireJti;
        this.maxAssertionLength = b.maxAssertionLength;
    }

    /**
     * @param expectedAudience the authorization server's issuer identifier (the realm issuer URL),
     *     which must be the token's sole {@code aud} value (SCA-05)
     */
    public static Builder builder(String expectedAudience) {
        return new Builder(expectedAudience);
    }

    public String expectedAudience() {
        return expectedAudience;
    }

    public Set<JWSAlgorithm> allowedAlgorithms() {
        return allowedAlgorithms;
    }

    public Duration maxLifetime() {
        return maxLifetime;
    }

    public Duration clockSkew() {
        return clockSkew;
    }

    public boolean requireJti() {
        return requireJti;
    }

    public int maxAssertionLength() {
        return maxAssertionLength;
    }

    /** Builder with the defaults listed on the class. */
    public static final class Builder {
        private final String expectedAudience;
        private Set<JWSAlgorithm> allowedAlgorithms = SPIFFE_ALGORITHMS;
        private Duration maxLifetime = DEFAULT_MAX_LIFETIME;
        private Duration clockSkew = DEFAULT_CLOCK_SKEW;
        private boolean requireJti;
        private int maxAssertionLength = DEFAULT_MAX_ASSERTION_LENGTH;

        private Builder(String expectedAudience) {
            if (expectedAudience == null || expectedAudience.isBlank()) {
                throw new IllegalArgumentException("expected audience (the issuer) is required");
            }
            this.expectedAudience = expectedAudience;
        }

        /** Narrows the allowed algorithms; each must be one of {@link #SPIFFE_ALGORITHMS}. */
        public Builder allowedAlgorithms(Set<JWSAlgorithm> algorithms) {
            Objects.requireNonNull(algorithms, "algorithms");
            if (algorithms.isEmpty()) {
                throw new IllegalArgumentException("at least one algorithm must be allowed");
            }
            for (JWSAlgorithm alg : algorithms) {
                if (!SPIFFE_ALGORITHMS.contains(alg)) {
                    throw new IllegalArgumentException(
                            "JWT-SVID §2.1 does not allow " + alg + "; allowed: RS/ES/PS 256/384/512");
                }
            }
            this.allowedAlgorithms = new LinkedHashSet<>(algorithms);
            return this;
        }

        /** Upper bound for {@code exp - now}; positive and at most {@link #MAX_LIFETIME_LIMIT}. */
        public Builder maxLifetime(Duration maxLifetime) {
            Objects.requireNonNull(maxLifetime, "maxLifetime");
            if (maxLifetime.isNegative() || maxLifetime.isZero()) {
                throw new IllegalArgumentException("maxLifetime must be positive");
            }
            if (maxLifetime.compareTo(MAX_LIFETIME_LIMIT) > 0) {
                throw new IllegalArgumentException("maxLifetime must be at most " + MAX_LIFETIME_LIMIT.toSeconds() + " s");
            }
            this.maxLifetime = maxLifetime;
            return this;
        }

        /** Tolerated clock difference; between 0 and {@link #CLOCK_SKEW_LIMIT}. */
        public Builder clockSkew(Duration clockSkew) {
            Objects.requireNonNull(clockSkew, "clockSkew");
            if (clockSkew.isNegative() || clockSkew.compareTo(CLOCK_SKEW_LIMIT) > 0) {
                throw new IllegalArgumentException("clockSkew must be between 0 and 5 minutes");
            }
            this.clockSkew = clockSkew;
            return this;
        }

        public Builder requireJti(boolean requireJti) {
            this.requireJti = requireJti;
            return this;
        }

        public Builder maxAssertionLength(int maxAssertionLength) {
            if (maxAssertionLength < 256) {
                throw new IllegalArgumentException("maxAssertionLength must be at least 256");
            }
            this.maxAssertionLength = maxAssertionLength;
            return this;
        }

        public JwtSvidPolicy build() {
            return new JwtSvidPolicy(this);
        }
    }
}
