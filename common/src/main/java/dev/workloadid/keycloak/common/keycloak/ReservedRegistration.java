package dev.workloadid.keycloak.common.keycloak;

import dev.workloadid.keycloak.common.registration.ReservedNames;
import dev.workloadid.keycloak.common.registration.SpiffeBindings;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.util.Optional;

/**
 * {@link ReservedNames} applied to a registration request as Keycloak hands it to a registration
 * policy, and the mark by which the pack's own endpoint tells the policies of every pack JAR that it
 * filled in the reserved attributes itself. The JARs share no classes at run time (each relocates its
 * copy of this module), so the mark is a plain string session attribute.
 */
public final class ReservedRegistration {

    /** Session attribute set by the pack's rfc7591 endpoint; its value is the attested SPIFFE ID or "". */
    static final String PACK_ENDPOINT = "wi-pack-registration-endpoint";
    /** cimd-resolver's client storage component (by id: no code dependency). */
    static final String CIMD_LOOKUP = "wi-cimd";
    static final String CLIENT_STORAGE = "org.keycloak.storage.client.ClientStorageProvider";

    private ReservedRegistration() {
    }

    /**
     * Marks this request as one of the pack's endpoint, which writes the reserved attributes itself.
     *
     * @param attestedSpiffeId the SPIFFE ID the request proved with its JWT-SVID, or null
     */
    public static void markPackEndpoint(KeycloakSession session, String attestedSpiffeId) {
        session.setAttribute(PACK_ENDPOINT, attestedSpiffeId == null ? "" : attestedSpiffeId);
    }

    /** Whether the request came through the pack's own registration endpoint. */
    public static boolean fromPackEndpoint(KeycloakSession session) {
        return session.getAttribute(PACK_ENDPOINT) instanceof String;
    }

    /** The SPIFFE ID the pack's endpoint attested for this request, or null (any other endpoint, or not attested). */
    public static String attestedSpiffeId(KeycloakSession session) {
        return session.getAttribute(PACK_ENDPOINT) instanceof String s && !s.isEmpty() ? s : null;
    }

    /**
     * Why the request is refused, empty if it may proceed: a reserved name, or, for a new client, a SPIFFE
     * binding or SPIFFE authenticator the request did not earn by attestation, or, for an update, a change
     * to a binding, to a bound client's authenticator, or to a SPIFFE authenticator ({@link SpiffeBindings}).
     *
     * @param existing the client being updated, or null for a registration
     */
    public static Optional<String> refusal(ClientRegistrationContext context, ClientModel existing) {
        ClientRepresentation requested = context.getClient();
        if (requested == null) {
            return Optional.empty();
        }
        RealmModel realm = context.getSession().getContext().getRealm();
        return ReservedNames.check(requested.getClientId(), existing == null ? null : existing.getClientId(),
                requested.getAttributes(), existing == null ? null : existing.getAttributes(),
                fromPackEndpoint(context.getSession()), realm == null || urlClientIds(realm))
                .or(() -> {
                    String binding = requested.getAttributes() == null ? null
                            : requested.getAttributes().get(PackClientAttributes.SPIFFE_BINDING);
                    return existing == null
                            ? SpiffeBindings.createRefusal(requested.getClientAuthenticatorType(), binding,
                                    attestedSpiffeId(context.getSession()))
                            : SpiffeBindings.updateRefusal(existing.getClientAuthenticatorType(),
                                    existing.getAttribute(PackClientAttributes.SPIFFE_BINDING),
                                    requested.getClientAuthenticatorType(), requested.isPublicClient(), binding);
                });
    }

    /**
     * Whether URL client IDs name documents in the realm: cimd-resolver's lookup component is there (on or
     * off: switched on later, it would find a squatter first). Elsewhere URL client IDs are ordinary (SAML
     * entity IDs, for one) and are not refused.
     */
    static boolean urlClientIds(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), CLIENT_STORAGE).anyMatch(c -> CIMD_LOOKUP.equals(c.getProviderId()));
    }
}
