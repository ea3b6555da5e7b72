package dev.workloadid.keycloak.common.keycloak;

import java.util.Map;
import java.util.Set;

/**
 * authenticator-spiffe's client authenticators as other JARs name them: the provider id (also the
 * client's {@code clientAuthenticatorType}) and the RFC 7591 / AS metadata method name
 * ({@code token_endpoint_auth_method}, draft-ietf-oauth-spiffe-client-auth §4). The JARs do not
 * depend on each other, so the names live here once.
 */
public final class SpiffeAuthenticators {

    /** Client authentication with a JWT-SVID client assertion. */
    public static final String JWT_SVID = "spiffe-jwt-svid";
    public static final String JWT_SVID_METHOD = "spiffe_jwt";
    /** Client authentication with an X.509-SVID over mutual TLS. */
    public static final String X509_SVID = "spiffe-x509-svid";
    public static final String X509_SVID_METHOD = "spiffe_x509";

    /** Each SPIFFE authenticator id and its method name. */
    public static final Map<String, String> METHODS = Map.of(JWT_SVID, JWT_SVID_METHOD, X509_SVID, X509_SVID_METHOD);
    /** The clientAuthenticatorType values of SPIFFE clients; they share one association rule set. */
    public static final Set<String> IDS = METHODS.keySet();

    private SpiffeAuthenticators() {
    }
}
