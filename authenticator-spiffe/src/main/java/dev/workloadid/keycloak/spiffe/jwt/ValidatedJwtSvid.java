package dev.workloadid.keycloak.spiffe.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;

import java.time.Instant;
import java.util.Objects;

/**
 * A JWT-SVID that passed every check.
 *
 * @param spiffeId the normalized {@code sub}
 * @param trustDomain the trust domain whose bundle verified the signature (= that of {@code sub})
 * @param jti the {@code jti}, or null when absent (replay tracking is the caller's decision, SCA-10)
 * @param expiresAt {@code exp}; a replay cache entry for {@code jti} needs to live until then (plus skew)
 * @param issuedAt {@code iat}, or null
 * @param keyId kid of the bundle key that verified the signature (even when the header had none)
 * @param algorithm the JWS {@code alg}, e.g. {@code ES256}
 * @param claims all claims, for callers that map more than the SPIFFE ID
 */
public record ValidatedJwtSvid(SpiffeId spiffeId, TrustDomain trustDomain, String jti, Instant expiresAt,
        Instant issuedAt, String keyId, String algorithm, JWTClaimsSet claims) {

    public ValidatedJwtSvid {
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(trustDomain, "trustDomain");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(claims, "claims");
    }
}
