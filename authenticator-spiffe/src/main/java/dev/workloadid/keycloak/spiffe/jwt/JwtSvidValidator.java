package dev.workloadid.keycloak.spiffe.jwt;

import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdFormatException;
import dev.workloadid.keycloak.spiffe.id.SpiffeIds;
import dev.workloadid.keycloak.spiffe.api.SvidRejectedException.Reason;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Validates a JWT-SVID presented as an OAuth client assertion. Thread-safe.
 *
 * <p>Order of checks, each failure mapped to one {@link Reason}:
 * <ol>
 *   <li>Shape (SCA-02, JSV-01): exactly one JWS in compact serialization. JSON serialization, JWE,
 *       unsecured JWTs and anything with characters outside base64url and {@code .} are rejected.</li>
 *   <li>Header: {@code typ} absent, {@code JWT} or {@code JOSE} (JSV-05; compared case-insensitively
 *       because RFC 7515 §4.1.9 media types are case-insensitive); {@code crit} rejected (JSV-02 allows
 *       only alg, kid, typ, so no extension can be critical); {@code alg} in the policy's allow-list
 *       (JSV-03) before any key is looked up. Other header parameters ({@code jku}, {@code x5u},
 *       {@code jwk}, ...) are tolerated and never used.</li>
 *   <li>Claims (SCA-03..05, JSV-06..08): {@code sub} a workload SPIFFE ID, {@code aud} exactly the
 *       expected issuer as its only value, {@code exp} present and not past, {@code exp - now} within
 *       the max lifetime, {@code nbf} and {@code iat} (both optional) not in the future. These come
 *       before the key lookup so the bundle source, which may do I/O, is only consulted for tokens
 *       that could pass.</li>
 *   <li>Keys (SCA-06, SID-06, BND-05/06, JSV-04): only the bundle of the trust domain of {@code sub};
 *       {@code iss} is neither required nor used (SCA-09, SCA-66/67). With a {@code kid}, only the
 *       jwt-svid keys with that kid; without, every jwt-svid key whose type and curve fit the alg.</li>
 *   <li>{@code jti} required only if the policy says so.</li>
 * </ol>
 */
public final class JwtSvidValidator {

    private final JwtSvidPolicy policy;
    private final Clock clock;

    public JwtSvidValidator(JwtSvidPolicy policy, Clock clock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public JwtSvidValidator(JwtSvidPolicy policy) {
        this(policy, Clock.systemUTC());
    }

    public JwtSvidPolicy policy() {
        return policy;
    }

    /**
     * @param assertion the {@code client_assertion} parameter
     * @param bundles the bundle of a trust domain, or null when none is configured; must never derive
     *     the bundle from the token (SCA-63) and must return a stale bundle as null (fail closed)
     */
    public ValidatedJwtSvid validate(String assertion, Function<TrustDomain, SpiffeBundle> bundles)
            throws SvidRejectedException {
        return validate(parse(assertion, policy.maxAssertionLength()), bundles);
    }

    /**
     * Validates an assertion already shaped by {@link #parse}, so a caller that had to read it first
     * (e.g. to pick the trust domain's policy) does not parse it twice.
     */
    public ValidatedJwtSvid validate(SignedJWT jwt, Function<TrustDomain, SpiffeBundle> bundles)
            throws SvidRejectedException {
        Objects.requireNonNull(bundles, "bundles");
        Instant now = clock.instant();
        JWSHeader header = jwt.getHeader();
        checkHeader(header);
        JWSAlgorithm alg = header.getAlgorithm();

        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw fail(Reason.MALFORMED, "the JWT claims set is not valid JSON with valid registered claims");
        }
        SpiffeId spiffeId = checkSubject(claims);
        checkAudience(claims);
        Instant exp = checkTimes(claims, now);

        TrustDomain trustDomain = spiffeId.getTrustDomain();
        SpiffeBundle bundle = bundles.apply(trustDomain);
        if (bundle == null || !trustDomain.equals(bundle.trustDomain())) {
            throw fail(Reason.UNKNOWN_TRUST_DOMAIN, "no trust bundle is configured for trust domain "
                    + trustDomain);
        }
        if (!bundle.supportsJwtSvid()) {
            throw fail(Reason.NO_JWT_AUTHORITIES, "the trust bundle of " + trustDomain
                    + " has no JWT-SVID authorities");
        }
        String keyId = verifySignature(jwt, header, bundle);

        String jti = claims.getJWTID();
        if (policy.requireJti() && (jti == null || jti.isEmpty())) {
            throw fail(Reason.MISSING_JTI, "the JWT-SVID has no jti");
        }
        Date iat = claims.getIssueTime();
        return new ValidatedJwtSvid(spiffeId, trustDomain, jti, exp, iat == null ? null : iat.toInstant(),
                keyId, alg.getName(), claims);
    }

    /**
     * Step 1 alone: exactly one signed JWS in compact serialization of at most {@code maxLength}
     * characters, nothing about its content checked yet.
     */
    public static SignedJWT parse(String assertion, int maxLength) throws SvidRejectedException {
        if (assertion == null || assertion.isEmpty()) {
            throw fail(Reason.MALFORMED, "the client assertion is empty");
        }
        if (assertion.length() > maxLength) {
            throw fail(Reason.MALFORMED, "the client assertion is longer than " + maxLength + " characters");
        }
        if (assertion.charAt(0) == '{') {
            throw fail(Reason.JSON_SERIALIZATION,
                    "JWS JSON serialization is not allowed; send one JWT-SVID in compact serialization");
        }
        // Compact serialization is base64url parts joined by dots. Nimbus' base64 decoder skips
        // foreign characters, so reject them first: that is how "two JWTs in one parameter" (SCA-02)
        // separated by spaces or commas is caught, rather than half-parsed.
        for (int i = 0; i < assertion.length(); i++) {
            char c = assertion.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.';
            if (!ok) {
                throw fail(Reason.MALFORMED,
                        "the client assertion must be a single JWT in compact serialization");
            }
        }
        JWT parsed;
        try {
            parsed = JWTParser.parse(assertion);
        } catch (ParseException | RuntimeException e) {
            // RuntimeException too: hostile input must end as "malformed", never as a 500.
            throw fail(Reason.MALFORMED,
                    "the client assertion is not a single JWT in compact serialization");
        }
        if (parsed instanceof PlainJWT) {
            throw fail(Reason.ALG_NOT_ALLOWED, "unsecured JWTs (alg none) are not allowed");
        }
        if (parsed instanceof EncryptedJWT) {
            throw fail(Reason.ENCRYPTED, "encrypted JWTs are not allowed; a JWT-SVID is a signed JWT");
        }
        if (!(parsed instanceof SignedJWT signed)) {
            throw fail(Reason.MALFORMED, "the client assertion is not a signed JWT");
        }
        return signed;
    }

    private void checkHeader(JWSHeader header) throws SvidRejectedException {
        JOSEObjectType typ = header.getType();
        if (typ != null) {
            String value = typ.getType();
            if (!"JWT".equalsIgnoreCase(value) && !"JOSE".equalsIgnoreCase(value)) {
                throw fail(Reason.TYP_NOT_ALLOWED, "typ must be absent, JWT or JOSE");
            }
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw fail(Reason.MALFORMED, "the crit header parameter is not supported");
        }
        JWSAlgorithm alg = header.getAlgorithm();
        if (alg == null || !policy.allowedAlgorithms().contains(alg)) {
            throw fail(Reason.ALG_NOT_ALLOWED, "alg " + (alg == null ? "(none)" : abbreviate(alg.getName()))
                    + " is not allowed; allowed: " + policy.allowedAlgorithms());
        }
    }

    private static SpiffeId checkSubject(JWTClaimsSet claims) throws SvidRejectedException {
        String sub = claims.getSubject();
        if (sub == null || sub.isEmpty()) {
            throw fail(Reason.MISSING_SUB, "the JWT-SVID has no sub");
        }
        try {
            return SpiffeIds.parseWorkloadId(sub);
        } catch (SpiffeIdFormatException e) {
            throw fail(Reason.SUB_NOT_SPIFFE_ID, "sub is not a workload SPIFFE ID: " + e.getMessage());
        }
    }

    private void checkAudience(JWTClaimsSet claims) throws SvidRejectedException {
        List<String> aud = claims.getAudience();
        if (aud == null || aud.isEmpty()) {
            throw fail(Reason.MISSING_AUD, "the JWT-SVID has no aud");
        }
        if (aud.size() != 1 || !policy.expectedAudience().equals(aud.get(0))) {
            throw fail(Reason.AUD_NOT_SOLE_ISSUER,
                    "aud must contain exactly one value, the issuer " + policy.expectedAudience());
        }
    }

    private Instant checkTimes(JWTClaimsSet claims, Instant now) throws SvidRejectedException {
        Duration skew = policy.clockSkew();
        Date expDate = claims.getExpirationTime();
        if (expDate == null) {
            throw fail(Reason.MISSING_EXP, "the JWT-SVID has no exp");
        }
        Instant exp = expDate.toInstant();
        // RFC 7519 §4.1.4: the current time must be before exp.
        if (!now.isBefore(exp.plus(skew))) {
            throw fail(Reason.EXPIRED, "the JWT-SVID has expired");
        }
        // Counted from now, not iat: iat is whatever the issuer wrote. The skew is added because a
        // clock behind the issuer's makes an honest token look that much longer-lived.
        if (Duration.between(now, exp).compareTo(policy.maxLifetime().plus(skew)) > 0) {
            throw fail(Reason.LIFETIME_TOO_LONG, "exp is more than " + policy.maxLifetime().toSeconds()
                    + " seconds in the future");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().isAfter(now.plus(skew))) {
            throw fail(Reason.NBF_IN_FUTURE, "the JWT-SVID is not valid yet (nbf)");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && iat.toInstant().isAfter(now.plus(skew))) {
            throw fail(Reason.IAT_IN_FUTURE, "the JWT-SVID is issued in the future (iat)");
        }
        return exp;
    }

    private static String verifySignature(SignedJWT jwt, JWSHeader header, SpiffeBundle bundle)
            throws SvidRejectedException {
        JWSAlgorithm alg = header.getAlgorithm();
        String kid = header.getKeyID();
        List<JWK> candidates;
        if (kid != null) {
            candidates = bundle.jwtAuthorities(kid);
            if (candidates.isEmpty()) {
                throw fail(Reason.UNKNOWN_KID, "kid " + abbreviate(kid) + " is not a JWT-SVID authority of "
                        + bundle.trustDomain());
            }
        } else {
            candidates = bundle.jwtAuthorities();
        }
        List<JWK> usable = new ArrayList<>(candidates.size());
        for (JWK key : candidates) {
            if (fits(key, alg)) {
                usable.add(key);
            }
        }
        if (usable.isEmpty()) {
            throw fail(Reason.SIGNATURE_INVALID, "no JWT-SVID authority of " + bundle.trustDomain()
                    + (kid != null ? " with kid " + abbreviate(kid) : "") + " can verify " + alg);
        }
        for (JWK key : usable) {
            try {
                JWSVerifier verifier = bundle.jwtVerifier(key);
                if (verifier != null && jwt.verify(verifier)) {
                    return key.getKeyID();
                }
            } catch (JOSEException | IllegalStateException e) {
                // A key that cannot be used is as good as a failed verification; try the next one.
            }
        }
        throw fail(Reason.SIGNATURE_INVALID, "the signature does not verify with "
                + (kid != null ? "the key " + abbreviate(kid) : "any JWT-SVID authority") + " of "
                + bundle.trustDomain());
    }

    /** A key fits an alg if its type (and curve) can produce it and its own alg, if set, agrees. */
    private static boolean fits(JWK key, JWSAlgorithm alg) {
        if (key.getAlgorithm() != null && !key.getAlgorithm().equals(alg)) {
            return false;
        }
        if (key instanceof RSAKey) {
            return JWSAlgorithm.Family.RSA.contains(alg);
        }
        if (key instanceof ECKey ec) {
            return Curve.forJWSAlgorithm(alg) != null && Curve.forJWSAlgorithm(alg).contains(ec.getCurve());
        }
        return false;
    }

    private static SvidRejectedException fail(Reason reason, String description) {
        return new SvidRejectedException(reason, description);
    }

    /**
     * Token-supplied text in a description: at most 64 chars, anything outside base64url-ish
     * characters replaced, so error_description stays within RFC 6749's character set.
     */
    private static String abbreviate(String value) {
        StringBuilder sb = new StringBuilder(Math.min(value.length(), 64) + 3);
        for (int i = 0; i < value.length() && i < 64; i++) {
            char c = value.charAt(i);
            boolean safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=';
            sb.append(safe ? c : '?');
        }
        if (value.length() > 64) {
            sb.append("...");
        }
        return sb.toString();
    }
}
