package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators;

import java.util.Map;

/**
 * OAuth client authentication with an X.509-SVID over mutual TLS, draft-ietf-oauth-spiffe-client-auth
 * §3.2 (RFC 8705 profile). The certificate comes from Keycloak's {@code x509cert-lookup} SPI, so
 * Keycloak's own TLS listener and TLS-terminating proxies both work. Advertised as
 * {@value #AUTH_METHOD} (SCA-41).
 */
public final class SpiffeX509SvidAuthenticatorFactory extends SpiffeAuthenticatorFactory {

    /** Provider id, also the clientAuthenticatorType of clients that use it. */
    public static final String ID = SpiffeAuthenticators.X509_SVID;
    /** The AS metadata / DCR token_endpoint_auth_method name (draft §4). */
    public static final String AUTH_METHOD = SpiffeAuthenticators.X509_SVID_METHOD;

    public SpiffeX509SvidAuthenticatorFactory() {
        super(SpiffeX509SvidAuthenticator::new, ID, "SPIFFE X.509-SVID",
                "Client authentication with a SPIFFE X.509-SVID as the mutual-TLS client certificate, validated against "
                        + "the X.509 authorities of the realm's SPIFFE trust domains (never the system trust store). Acts only on "
                        + "clients configured for it and on certificates that carry a SPIFFE ID; ordinary client-x509 clients are "
                        + "left alone.");
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return Map.of("auth-method", AUTH_METHOD, "certificate-source", "x509cert-lookup SPI");
    }
}
