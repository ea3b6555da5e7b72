/**
 * Validation of X.509-SVIDs presented as TLS client certificates (draft-ietf-oauth-spiffe-client-auth
 * §3.2, RFC 8705 §2.1, SPIFFE X509-SVID §5), free of Keycloak types.
 *
 * <p>{@link dev.workloadid.keycloak.spiffe.x509.X509SvidValidator} checks the leaf's SVID rules and
 * validates the path with the JDK's PKIX {@link java.security.cert.CertPathValidator} against the
 * X.509 authorities of the SVID's own trust domain only, never the system trust store (SCA-22,
 * SCA-65). Mapping the SPIFFE ID to a client is the caller's job. Every rejection carries a stable
 * reason code ({@link dev.workloadid.keycloak.spiffe.api.SvidRejectedException.Reason}).
 */
package dev.workloadid.keycloak.spiffe.x509;
