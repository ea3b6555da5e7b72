package dev.workloadid.keycloak.spiffe.registration;

import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import dev.workloadid.keycloak.common.keycloak.RegistrationPolicies;
import dev.workloadid.keycloak.common.keycloak.ReservedNamesPolicyFactory;
import dev.workloadid.keycloak.common.keycloak.ReservedRegistration;
import dev.workloadid.keycloak.common.registration.SpiffeBindings;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.util.Map;
import java.util.Optional;

/**
 * Client registration policy {@value #ID}, shipped with the JAR that reads SPIFFE bindings so that it
 * protects them without dcr-policy: no registration endpoint ({@code default}, {@code openid-connect},
 * the pack's {@code rfc7591}) creates or changes a SPIFFE binding ({@code jwt.credential.sub}) unless
 * the request is a SPIFFE-attested registration, nor a new client of a SPIFFE authenticator without
 * that attestation (the shared rule every pack policy applies first, {@link ReservedRegistration}),
 * nor a client ID shaped like a SPIFFE ID (or like a
 * URL, in realms with URL client IDs), nor any attribute the pack reads as a fact ({@code spiffe.*},
 * {@code cimd.*}, {@code wi.*}). A refusal is 400 {@code invalid_client_metadata} with the reason on
 * the registration error event.
 *
 * <p>Saving a SPIFFE trust domain puts it into the realm's anonymous and authenticated policy sets
 * ({@link #ensureInstalled}), beside dcr-policy's {@code wi-spiffe-binding} when that JAR is deployed
 * (which adds the update rules of attested clients). Its own id: two JARs never declare one provider id.
 */
public final class SpiffeRegistrationGuardPolicyFactory extends ReservedNamesPolicyFactory {

    public static final String ID = "wi-spiffe-registration-guard";

    public SpiffeRegistrationGuardPolicyFactory() {
        super(ID, "Only SPIFFE-attested registration or an administrator binds a client to a SPIFFE ID (jwt.credential.sub); "
                + "registration endpoints may not register SPIFFE-ID-shaped client IDs (nor URL-shaped ones where URL client IDs "
                + "are on) or set spiffe.*, cimd.* or wi.* attributes. Added by saving a SPIFFE trust domain.");
    }

    /** Puts the policy into the realm's anonymous and authenticated sets, where it is missing. */
    public static void ensureInstalled(RealmModel realm) {
        RegistrationPolicies.ensureInstalled(realm, ID, "SPIFFE registration guard", "a SPIFFE trust domain exists");
    }

    @Override
    protected Optional<String> refusal(ClientRegistrationContext context, ClientModel existing) {
        return refusal(context.getClient(), ReservedRegistration.attestedSpiffeId(context.getSession()), existing);
    }

    /**
     * Why a registration request is refused, empty if it may proceed.
     *
     * @param attestedSpiffeId the SPIFFE ID the request proved (the pack's endpoint only), or null
     * @param existing         the client being updated, or null for a registration
     */
    static Optional<String> refusal(ClientRepresentation requested, String attestedSpiffeId, ClientModel existing) {
        Map<String, String> attributes = requested.getAttributes() == null ? Map.of() : requested.getAttributes();
        String binding = attributes.get(PackClientAttributes.SPIFFE_BINDING);
        if (existing == null) {
            return SpiffeBindings.createRefusal(binding, attestedSpiffeId);
        }
        return SpiffeBindings.updateRefusal(existing.getClientAuthenticatorType(),
                existing.getAttribute(PackClientAttributes.SPIFFE_BINDING), requested.getClientAuthenticatorType(),
                requested.isPublicClient(), binding);
    }
}
