package dev.workloadid.keycloak.spiffe.api;

import org.keycloak.models.RealmModel;
import org.keycloak.provider.Provider;

/**
 * Verifies JWT-SVIDs against the realm's SPIFFE trust domains, with exactly the rules of the
 * {@code spiffe-jwt-svid} client authenticator (alg allow-list, typ, sole audience, exp and
 * lifetime from now, keys only from the SVID's own trust domain, optional single-use jti).
 * Obtain with {@code session.getProvider(SpiffeSvidVerifier.class)}.
 */
public interface SpiffeSvidVerifier extends Provider {

    /**
     * @param audience the value {@code aud} must hold as its only element, e.g. the realm issuer
     * @throws SvidRejectedException for any SVID that is not verified, including one that could not
     *     be checked because of a server-side failure; no other exception escapes
     */
    VerifiedJwtSvid verifyJwtSvid(RealmModel realm, String jwtSvid, String audience) throws SvidRejectedException;

    /**
     * Whether the realm lets this SPIFFE ID register a client itself (its trust domain's
     * attestedRegistration switch and allow-list). Off unless an administrator turned it on.
     */
    boolean allowsAttestedRegistration(RealmModel realm, String spiffeId);

    /** Whether the realm trusts this trust domain at all. */
    boolean trustsDomain(RealmModel realm, String trustDomain);
}
