package dev.workloadid.keycloak.dcr.rules;

import java.util.ArrayList;
import java.util.List;
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

    /** Client attribute naming how a SPIFFE client came to be (authenticator-spiffe writes {@code registration-free}). */
    public static final String REGISTRATION_ATTRIBUTE = "spiffe.registration";
    /** Its value for a client made by SPIFFE-attested registration. */
    public static final String ATTESTED = "attested";
    static final String DEVICE_GRANT = "oauth2.device.authorization.grant.enabled";
    static final String CIBA_GRANT = "oidc.ciba.grant.enabled";
    /** Standard token exchange (RFC 8693): the client could trade users' tokens for its own. */
    static final String TOKEN_EXCHANGE = "standard.token.exchange.enabled";
    /** JWT authorization grant (RFC 7523 as Keycloak 26.5+ names it): user tokens for external assertions. */
    static final String JWT_AUTHORIZATION_GRANT = "oauth2.jwt.authorization.grant.enabled";
    /** Client attributes that switch on a grant yielding tokens about users. */
    static final List<String> USER_TOKEN_GRANTS = List.of(DEVICE_GRANT, CIBA_GRANT, TOKEN_EXCHANGE, JWT_AUTHORIZATION_GRANT);

    private SpiffeBindingRules() {
    }

    /**
     * What makes a client user-facing, as a client is or as an update asks for it (null: not asked for).
     *
     * @param attributes the client's attributes (only the switches of {@link #USER_TOKEN_GRANTS} are read)
     * @param consentRequired a user consent screen: only a client users log in to has one
     * @param bearerOnly a client that cannot obtain tokens at all is not the workload that registered it
     */
    public record Shape(java.util.Collection<String> redirectUris, Boolean standardFlow, Boolean implicitFlow,
                        Boolean directAccessGrants, Boolean fullScopeAllowed, Boolean publicClient,
                        Map<String, String> attributes, Boolean consentRequired, Boolean bearerOnly) {

        public Shape(java.util.Collection<String> redirectUris, Boolean standardFlow, Boolean implicitFlow,
                     Boolean directAccessGrants, Boolean fullScopeAllowed, Boolean publicClient, Map<String, String> attributes) {
            this(redirectUris, standardFlow, implicitFlow, directAccessGrants, fullScopeAllowed, publicClient, attributes, null, null);
        }

        /** The shape a stored client has now. */
        public static Shape of(org.keycloak.models.ClientModel client) {
            return new Shape(client.getRedirectUris(), client.isStandardFlowEnabled(), client.isImplicitFlowEnabled(),
                    client.isDirectAccessGrantsEnabled(), client.isFullScopeAllowed(), client.isPublicClient(),
                    client.getAttributes(), client.isConsentRequired(), client.isBearerOnly());
        }

        /** The user-facing settings this shape turns on, by their client representation names. */
        public List<String> userFacing() {
            List<String> found = new ArrayList<>();
            if (redirectUris != null && redirectUris.stream().anyMatch(u -> u != null && !u.isBlank())) {
                found.add("redirectUris");
            }
            add(found, standardFlow, "standardFlowEnabled");
            add(found, implicitFlow, "implicitFlowEnabled");
            add(found, directAccessGrants, "directAccessGrantsEnabled");
            add(found, fullScopeAllowed, "fullScopeAllowed");
            add(found, publicClient, "publicClient");
            add(found, consentRequired, "consentRequired");
            add(found, bearerOnly, "bearerOnly");
            Map<String, String> a = attributes == null ? Map.of() : attributes;
            for (String grant : USER_TOKEN_GRANTS) {
                if (a.get(grant) != null && Boolean.parseBoolean(a.get(grant).trim())) {
                    found.add(grant);
                }
            }
            return found;
        }

        private static void add(List<String> found, Boolean value, String name) {
            if (Boolean.TRUE.equals(value)) {
                found.add(name);
            }
        }
    }

    /**
     * Whether registration updates must keep a client a workload client: it was made by SPIFFE-attested
     * registration, or (attested before that was recorded) it is bound and has no user-facing setting now.
     * A bound client an administrator made user-facing is left alone.
     */
    public static boolean workloadOnly(String registration, boolean bound, Shape current) {
        return ATTESTED.equals(registration) || (bound && current.userFacing().isEmpty());
    }

    /**
     * Makes a client as it is about to be stored a workload client, whatever its metadata said:
     * Keycloak's conversion of RFC 7591 metadata turns the standard flow on for {@code grant_types: []}
     * and for {@code response_types: ["none"]}, so an attested registration cannot rely on the
     * metadata alone. Standard, implicit, direct-grant, device and CIBA flows go off.
     */
    public static void keepWorkloadOnly(org.keycloak.representations.idm.ClientRepresentation rep) {
        rep.setStandardFlowEnabled(false);
        rep.setImplicitFlowEnabled(false);
        rep.setDirectAccessGrantsEnabled(false);
        Map<String, String> attributes = rep.getAttributes() == null ? new java.util.HashMap<>()
                : new java.util.HashMap<>(rep.getAttributes());
        attributes.put(DEVICE_GRANT, "false");
        attributes.put(CIBA_GRANT, "false");
        rep.setAttributes(attributes);
    }

    /**
     * Checks an update of a workload-only client (see {@link #workloadOnly}) on any registration endpoint:
     * it gets no redirect URIs, no user-facing flow, no full scope, and does not become public.
     *
     * @param who the client's SPIFFE ID (or client_id), for the message
     * @throws DcrError {@code invalid_client_metadata} naming every setting that may not be set
     */
    public static void checkWorkloadUpdate(String who, Shape requested) {
        List<String> userFacing = requested.userFacing();
        if (!userFacing.isEmpty()) {
            throw DcrError.metadata("this client is a SPIFFE workload client (" + who + ") and stays one: a registration "
                    + "update cannot set " + String.join(", ", userFacing)
                    + " (only client_credentials, no redirect URIs, no full scope, no consent screen, no token exchange or "
                    + "JWT authorization grant, confidential, not bearer-only)");
        }
    }

    /**
     * Checks the {@value #REGISTRATION_ATTRIBUTE} marker: only attested registration writes it (as
     * {@value #ATTESTED}); an update may repeat the client's value, never change or remove it.
     *
     * @param current   the client's value now (null on create)
     * @param requested the value the request carries (null: untouched)
     * @param attested  whether this is a SPIFFE-attested registration
     */
    public static void checkRegistrationMarker(String current, String requested, boolean attested) {
        String now = current == null ? "" : current;
        if (requested == null || requested.equals(now) || (attested && current == null && ATTESTED.equals(requested))) {
            return;
        }
        throw DcrError.metadata("the client attribute " + REGISTRATION_ATTRIBUTE + " is set only by SPIFFE registration "
                + "or by an administrator; a registration request cannot set, change or remove it");
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
     * Checks an update, as the requested client looks after Keycloak's conversion. A bound client keeps
     * authenticator, confidentiality and SPIFFE ID; an unbound client does not get a binding: an update is
     * never attested (attestation is for registration only), so it may neither add or change a
     * {@code jwt.credential.sub} nor switch a client that has one to a SPIFFE authenticator.
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
            if (newSpiffeId != null && !newSpiffeId.isBlank() && !newSpiffeId.equals(spiffeId)) {
                throw DcrError.metadata("a SPIFFE binding (jwt.credential.sub " + newSpiffeId + ") is set only by "
                        + "SPIFFE-attested registration or by an administrator; a registration update cannot add or change it");
            }
            String sub = newSpiffeId != null ? newSpiffeId : spiffeId;
            if (method(newAuthenticator) != null && !newAuthenticator.equals(authenticator) && sub != null && !sub.isBlank()) {
                throw DcrError.metadata("a SPIFFE binding (jwt.credential.sub " + sub + " with authenticator "
                        + newAuthenticator + ") is set only by SPIFFE-attested registration or by an administrator; "
                        + "a registration update cannot switch this client to a SPIFFE authenticator");
            }
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
