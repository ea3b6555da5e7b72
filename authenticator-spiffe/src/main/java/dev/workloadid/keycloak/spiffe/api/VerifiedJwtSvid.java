package dev.workloadid.keycloak.spiffe.api;

import java.time.Instant;
import java.util.Map;

/**
 * A JWT-SVID whose signature, trust domain and claims checked out.
 *
 * @param spiffeId    the workload's SPIFFE ID (normalized: lower-case scheme and trust domain)
 * @param trustDomain the trust domain name, e.g. {@code example.org}
 * @param expiresAt   the SVID's {@code exp}
 * @param jti         the SVID's {@code jti}, or null
 * @param claims      every claim of the SVID, as parsed JSON (strings, numbers, lists, maps)
 */
public record VerifiedJwtSvid(String spiffeId, String trustDomain, Instant expiresAt, String jti,
                              Map<String, Object> claims) {
}
