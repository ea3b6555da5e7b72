package dev.workloadid.keycloak.dcr.rules;

import java.util.Map;

/**
 * A client bound to a SPIFFE ID (attested registration, or an administrator's SPIFFE client) keeps
 * its client authenticator and its binding through every registration update, whichever
 * registration endpoint the update uses: with only its registration access token, nobody can turn
 * it into a secret-based or public client, move it to other keys, or bind it to another SPIFFE ID.
 * An administrator can still change it in the admin console or admin REST.
 */
public final class SpiffeBindingRules {

    /** authenticator-spiffe's client authenticators and their RFC 7591 method names (no code dependency). */
    static final Map<String, String> SPIFFE_METHODS = Map.of(
            "spiffe-jwt-svid", "spiffe_jwt",
            "spiffe-x509-svid", "spiffe_x509");

    private SpiffeBindingRules() {
    }

    /** True for a client that authenticates with a SPIFFE authenticator and names its SPIFFE ID (or pattern). */
    public static boolean bound(String authenticator, String spiffeId) {
        return spiffeId != null && !spiffeId.isBlank() && authenticator != null && SPIFFE_METHODS.containsKey(authenticator);
    }

    /** The token_endpoint_auth_method of a SPIFFE authenticator, or null for any other. */
    public static String method(String authenticator) {
        return authenticator == null ? null : SPIFFE_METHODS.get(authenticator);
    }

    /**
     * Checks a new client: a SPIFFE binding may only come from attestation (the verified JWT-SVID of
     * the registering workload). Keycloak's own {@code default} endpoint takes a full client
     * representation, attributes included, so without this anyone allowed to register there could
     * bind a client to any workload's SPIFFE ID and win that workload's client_id-less lookups.
     *
     * @param requestedSpiffeId the binding the new client would carry (null or blank: none)
     * @param attestedSpiffeId  the SPIFFE ID the request proved, or null
     */
    public static void checkCreate(String requestedSpiffeId, String attestedSpiffeId) {
        if (requestedSpiffeId != null && !requestedSpiffeId.isBlank() && !requestedSpiffeId.equals(attestedSpiffeId)) {
            throw DcrError.metadata("a SPIFFE binding (jwt.credential.sub " + requestedSpiffeId + ") is set only by "
                    + "SPIFFE-attested registration or by an administrator");
        }
    }

    /**
     * Checks an update of a bound client, as the requested client looks after Keycloak's conversion.
     *
     * @param authenticator the client's authenticator now
     * @param spiffeId      its SPIFFE binding now
     * @param newAuthenticator the authenticator the update asks for (null: unchanged)
     * @param newPublic     whether the update makes it a public client (null: unchanged)
     * @param newSpiffeId   the binding the update writes (null: untouched; empty: removed)
     * @throws DcrError {@code invalid_client_metadata} naming what may not change
     */
    public static void checkUpdate(String authenticator, String spiffeId, String newAuthenticator, Boolean newPublic,
                                   String newSpiffeId) {
        if (!bound(authenticator, spiffeId)) {
            return;
        }
        if (newAuthenticator != null && !newAuthenticator.equals(authenticator)) {
            throw DcrError.metadata("this client is bound to " + spiffeId + " and authenticates with "
                    + method(authenticator) + "; a registration update cannot change its token_endpoint_auth_method"
                    + (method(newAuthenticator) == null ? "" : " to " + method(newAuthenticator)));
        }
        if (Boolean.TRUE.equals(newPublic)) {
            throw DcrError.metadata("this client is bound to " + spiffeId
                    + "; a registration update cannot make it a public client (token_endpoint_auth_method none)");
        }
        if (newSpiffeId != null && !newSpiffeId.equals(spiffeId)) {
            throw DcrError.metadata("this client is bound to " + spiffeId
                    + "; a registration update cannot change or remove its SPIFFE ID");
        }
    }

    /**
     * Checks the token_endpoint_auth_method an update names on the pack's endpoint (RFC 7591 names);
     * omitted is fine: the endpoint keeps the client's method.
     */
    public static void checkRequestedMethod(String authenticator, String spiffeId, String requestedMethod) {
        if (bound(authenticator, spiffeId) && requestedMethod != null && !requestedMethod.equals(method(authenticator))) {
            throw DcrError.metadata("this client is bound to " + spiffeId + " and authenticates with "
                    + method(authenticator) + "; a registration update cannot change its token_endpoint_auth_method to "
                    + requestedMethod);
        }
    }
}
