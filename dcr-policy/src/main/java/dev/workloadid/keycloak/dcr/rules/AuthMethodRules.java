package dev.workloadid.keycloak.dcr.rules;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/** Which {@code token_endpoint_auth_method} values a registration may ask for. */
public final class AuthMethodRules {

    /** RFC 7591 §2: the value when the request names none (DCR-06). */
    public static final String DEFAULT_METHOD = "client_secret_basic";
    /** Methods built on a secret the server hands out, which anonymous registrants should not get. */
    public static final Set<String> SHARED_SECRET_METHODS = Set.of("client_secret_basic", "client_secret_post", "client_secret_jwt");
    /** Default allow-list for anonymous registration: key-based methods, SPIFFE, and public (PKCE) clients. */
    public static final List<String> ANONYMOUS_DEFAULT = List.of("private_key_jwt", "tls_client_auth",
            "self_signed_tls_client_auth", dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators.JWT_SVID_METHOD, "none");
    /**
     * Default allow-list for authenticated registration: everything Keycloak and the pack support,
     * including spiffe_x509, which a client bound to an X.509-SVID keeps through its updates.
     */
    public static final List<String> AUTHENTICATED_DEFAULT = List.of("private_key_jwt", "tls_client_auth",
            "self_signed_tls_client_auth", dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators.JWT_SVID_METHOD, dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators.X509_SVID_METHOD, "none", "client_secret_basic",
            "client_secret_post", "client_secret_jwt");

    private AuthMethodRules() {
    }

    public static String effective(String requested) {
        return requested == null || requested.isBlank() ? DEFAULT_METHOD : requested;
    }

    public static void check(String requested, Collection<String> allowed) {
        String method = effective(requested);
        if (!allowed.contains(method)) {
            String why = requested == null ? " (none given, so the RFC 7591 default " + DEFAULT_METHOD + " applies)" : "";
            throw DcrError.metadata("token_endpoint_auth_method " + method + " is not allowed here" + why
                    + "; allowed: " + String.join(", ", allowed));
        }
    }
}
