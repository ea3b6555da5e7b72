package dev.workloadid.keycloak.common.registration;

import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators;

import java.util.Map;
import java.util.Optional;

/**
 * Who may create or change a SPIFFE binding ({@value PackClientAttributes#SPIFFE_BINDING} with one of
 * authenticator-spiffe's authenticators) through a registration endpoint: a binding comes only from
 * SPIFFE-attested registration (the registering workload's verified JWT-SVID) or an administrator,
 * and a bound client keeps authenticator, confidentiality and binding through registration updates.
 * Shared by authenticator-spiffe's own registration guard (so the JAR that reads bindings protects
 * them alone) and dcr-policy's {@code wi-spiffe-binding}.
 */
public final class SpiffeBindings {

    /** authenticator-spiffe's client authenticators and their RFC 7591 method names. */
    public static final Map<String, String> SPIFFE_METHODS = SpiffeAuthenticators.METHODS;

    private SpiffeBindings() {
    }

    /** True for a client that authenticates with a SPIFFE authenticator and names its SPIFFE ID (or pattern). */
    public static boolean bound(String authenticator, String spiffeId) {
        return spiffeId != null && !spiffeId.isBlank() && authenticator != null && SPIFFE_METHODS.containsKey(authenticator);
    }

    /** The token_endpoint_auth_method of a SPIFFE authenticator, or null for any other. */
    public static String method(String authenticator) {
        return authenticator == null ? null : SPIFFE_METHODS.get(authenticator);
    }

    /** The SPIFFE authenticator of an RFC 7591 token_endpoint_auth_method, or null for any other method. */
    public static String authenticator(String method) {
        return method == null ? null : SPIFFE_METHODS.entrySet().stream().filter(e -> e.getValue().equals(method))
                .map(Map.Entry::getKey).findFirst().orElse(null);
    }

    /**
     * A new client: a SPIFFE binding, and a SPIFFE authenticator, only from attestation. A client of a
     * SPIFFE authenticator without a binding can never authenticate; letting a registrant create one
     * would only leave half-made clients behind (and a name for a binding an administrator adds later).
     *
     * @param requestedAuthenticator the new client's client authenticator (null: Keycloak's default)
     * @see #createRefusal(String, String)
     */
    public static Optional<String> createRefusal(String requestedAuthenticator, String requestedSpiffeId,
                                                 String attestedSpiffeId) {
        return createRefusal(requestedSpiffeId, attestedSpiffeId).or(() -> method(requestedAuthenticator) == null
                || attestedSpiffeId != null ? Optional.empty()
                : Optional.of("token_endpoint_auth_method " + method(requestedAuthenticator) + " is set only by "
                        + "SPIFFE-attested registration (a JWT-SVID of the workload as the bearer token) or by an "
                        + "administrator: without a SPIFFE binding the client could never authenticate"));
    }

    /**
     * A new client: a SPIFFE binding only from attestation. Keycloak's own {@code default} endpoint takes
     * a full client representation, attributes included, so without this anyone allowed to register there
     * could bind a client to any workload's SPIFFE ID and win that workload's client_id-less lookups.
     *
     * @param requestedSpiffeId the binding the new client would carry (null or blank: none)
     * @param attestedSpiffeId  the SPIFFE ID the request proved, or null
     * @return why the request is refused, empty if it may proceed
     */
    public static Optional<String> createRefusal(String requestedSpiffeId, String attestedSpiffeId) {
        if (requestedSpiffeId != null && !requestedSpiffeId.isBlank() && !requestedSpiffeId.equals(attestedSpiffeId)) {
            return Optional.of("a SPIFFE binding (jwt.credential.sub " + requestedSpiffeId + ") is set only by "
                    + "SPIFFE-attested registration or by an administrator");
        }
        return Optional.empty();
    }

    /**
     * An update, as the requested client looks after Keycloak's conversion. A bound client keeps
     * authenticator, confidentiality and SPIFFE ID; an unbound client does not get a binding: an update is
     * never attested, so it may neither add or change a {@code jwt.credential.sub} nor switch a client
     * that has one to a SPIFFE authenticator.
     *
     * @param authenticator    the client's authenticator now
     * @param spiffeId         its SPIFFE binding now
     * @param newAuthenticator the authenticator the update asks for (null: unchanged)
     * @param newPublic        whether the update makes it a public client (null: unchanged)
     * @param newSpiffeId      the binding the update writes (null: untouched; empty: removed)
     * @return why the request is refused, empty if it may proceed
     */
    public static Optional<String> updateRefusal(String authenticator, String spiffeId, String newAuthenticator,
                                                 Boolean newPublic, String newSpiffeId) {
        if (!bound(authenticator, spiffeId)) {
            if (newSpiffeId != null && !newSpiffeId.isBlank() && !newSpiffeId.equals(spiffeId)) {
                return Optional.of("a SPIFFE binding (jwt.credential.sub " + newSpiffeId + ") is set only by "
                        + "SPIFFE-attested registration or by an administrator; a registration update cannot add or change it");
            }
            // With a binding the switch would bind the client; without one it would leave a client that
            // can never authenticate (as createRefusal says for new clients).
            String sub = newSpiffeId != null ? newSpiffeId : spiffeId;
            if (method(newAuthenticator) != null && !newAuthenticator.equals(authenticator)) {
                return Optional.of((sub != null && !sub.isBlank() ? "a SPIFFE binding (jwt.credential.sub " + sub
                        + " with authenticator " + newAuthenticator + ")" : "token_endpoint_auth_method "
                        + method(newAuthenticator)) + " is set only by SPIFFE-attested registration or by an administrator; "
                        + "a registration update cannot switch this client to a SPIFFE authenticator");
            }
            return Optional.empty();
        }
        if (newAuthenticator != null && !newAuthenticator.equals(authenticator)) {
            return Optional.of("this client is bound to " + spiffeId + " and authenticates with "
                    + method(authenticator) + "; a registration update cannot change its token_endpoint_auth_method"
                    + (method(newAuthenticator) == null ? "" : " to " + method(newAuthenticator)));
        }
        if (Boolean.TRUE.equals(newPublic)) {
            return Optional.of("this client is bound to " + spiffeId
                    + "; a registration update cannot make it a public client (token_endpoint_auth_method none)");
        }
        if (newSpiffeId != null && !newSpiffeId.equals(spiffeId)) {
            return Optional.of("this client is bound to " + spiffeId
                    + "; a registration update cannot change or remove its SPIFFE ID");
        }
        return Optional.empty();
    }

    /**
     * Whether a client's binding counts (read side). A client made through a registration endpoint
     * carries Keycloak's registration access token; its binding counts only if the pack's attested
     * registration made it ({@value PackClientAttributes#SPIFFE_REGISTRATION} =
     * {@value PackClientAttributes#ATTESTED}, an attribute no registration request may write). Clients an
     * administrator or the pack created have no registration token and count as they are.
     *
     * @param hasRegistrationToken whether Keycloak keeps a registration access token for the client
     * @param registration         the client's {@value PackClientAttributes#SPIFFE_REGISTRATION}
     */
    public static boolean trusted(boolean hasRegistrationToken, String registration) {
        return !hasRegistrationToken || PackClientAttributes.ATTESTED.equals(registration);
    }
}
