package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators;

import java.util.Map;

/**
 * OAuth client authentication with a JWT-SVID ({@code client_assertion_type=
 * urn:ietf:params:oauth:client-assertion-type:jwt-spiffe}), draft-ietf-oauth-spiffe-client-auth §3.1.
 * Advertised in discovery as {@value #AUTH_METHOD} (SCA-41).
 */
public final class SpiffeJwtSvidAuthenticatorFactory extends SpiffeAuthenticatorFactory {

    /** Provider id, also the clientAuthenticatorType of clients that use it. */
    public static final String ID = SpiffeAuthenticators.JWT_SVID;
    /** The AS metadata / DCR token_endpoint_auth_method name (draft §4). */
    public static final String AUTH_METHOD = SpiffeAuthenticators.JWT_SVID_METHOD;

    public SpiffeJwtSvidAuthenticatorFactory() {
        super(SpiffeJwtSvidAuthenticator::new, ID, "SPIFFE JWT-SVID",
                "Client authentication with a SPIFFE JWT-SVID (client_assertion_type jwt-spiffe), validated against the "
                        + "realm's SPIFFE trust domains. The client is found by its SPIFFE ID, a spiffe.id pattern, or created "
                        + "on first use when the trust domain allows registration-free workloads.");
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return Map.of("assertion-type", SpiffeJwtSvidAuthenticator.ASSERTION_TYPE, "auth-method", AUTH_METHOD);
    }
}
