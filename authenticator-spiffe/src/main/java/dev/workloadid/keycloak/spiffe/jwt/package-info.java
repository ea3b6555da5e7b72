/**
 * Validation of JWT-SVIDs used as OAuth client assertions
 * ({@code urn:ietf:params:oauth:client-assertion-type:jwt-spiffe}), free of Keycloak types.
 *
 * <p>{@link dev.workloadid.keycloak.spiffe.jwt.JwtSvidValidator} applies the JWT-SVID standard and
 * draft-ietf-oauth-spiffe-client-auth §3.1 and returns the authenticated SPIFFE ID; mapping that ID
 * to a client (SCA-07) and replay tracking of {@code jti} are the caller's job. All JOSE work is done
 * by Nimbus JOSE+JWT. Every rejection carries a stable reason code
 * ({@link dev.workloadid.keycloak.spiffe.api.SvidRejectedException.Reason}).
 */
package dev.workloadid.keycloak.spiffe.jwt;
