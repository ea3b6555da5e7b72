package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import dev.workloadid.keycloak.dcr.install.SpiffeBindingInstallation;
import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.SpiffeBindingRules;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.util.Map;

/**
 * Policy {@value #ID}: a SPIFFE-bound client (see {@link SpiffeBindingRules}) keeps its client
 * authenticator, stays confidential and keeps its {@code jwt.credential.sub} through registration
 * updates; a client made by SPIFFE-attested registration ({@code spiffe.registration=attested}) stays a
 * workload client (no redirect URIs, no user-facing flow, no full scope); no registration request but
 * an attested one creates a binding or that marker. Registration policies run for every registration provider of the realm, so this one
 * guards Keycloak's own {@code openid-connect} endpoint as well as the pack's {@code rfc7591}; a
 * refusal is 400 {@code invalid_client_metadata} on both (not the stock 403), with a
 * {@code CLIENT_UPDATE_ERROR} event.
 *
 * <p>The pack's endpoint adds it to both policy sets of a realm when that realm gets (or updates)
 * an attested client ({@link SpiffeBindingInstallation}).
 */
public final class SpiffeBindingPolicyFactory extends PackPolicyFactory {

    public static final String ID = SpiffeBindingInstallation.POLICY_ID;

    public SpiffeBindingPolicyFactory() {
        super(ID, "Clients bound to a SPIFFE ID (SPIFFE authenticator and jwt.credential.sub) keep their authenticator, "
                        + "stay confidential and keep their SPIFFE ID when updated through any registration endpoint; "
                        + "attested clients stay workload clients (no redirect URIs, user-facing flows or full scope); "
                        + "only SPIFFE-attested registration may create such a binding.");
    }

    @Override
    void check(PackPolicy policy, ClientRegistrationContext context, RegistrationRequest request, ClientModel existing) {
        ClientRepresentation requested = context.getClient();
        Map<String, String> attributes = requested.getAttributes() == null ? Map.of() : requested.getAttributes();
        String marker = attributes.get(SpiffeBindingRules.REGISTRATION_ATTRIBUTE);
        if (existing == null) {
            SpiffeBindingRules.checkCreate(attributes.get(PackClientAttributes.SPIFFE_BINDING), request.attestedSpiffeId());
            SpiffeBindingRules.checkRegistrationMarker(null, marker, request.attestedSpiffeId() != null);
            return;
        }
        String spiffeId = existing.getAttribute(PackClientAttributes.SPIFFE_BINDING);
        SpiffeBindingRules.checkUpdate(existing.getClientAuthenticatorType(), spiffeId,
                requested.getClientAuthenticatorType(), requested.isPublicClient(),
                attributes.get(PackClientAttributes.SPIFFE_BINDING));
        String registration = existing.getAttribute(SpiffeBindingRules.REGISTRATION_ATTRIBUTE);
        SpiffeBindingRules.checkRegistrationMarker(registration, marker, false);
        SpiffeBindingRules.Shape current = SpiffeBindingRules.Shape.of(existing);
        if (SpiffeBindingRules.workloadOnly(registration,
                SpiffeBindingRules.bound(existing.getClientAuthenticatorType(), spiffeId), current)) {
            SpiffeBindingRules.checkWorkloadUpdate(spiffeId == null || spiffeId.isBlank() ? existing.getClientId() : spiffeId,
                    new SpiffeBindingRules.Shape(requested.getRedirectUris(), requested.isStandardFlowEnabled(),
                            requested.isImplicitFlowEnabled(), requested.isDirectAccessGrantsEnabled(),
                            requested.isFullScopeAllowed(), requested.isPublicClient(), attributes,
                            requested.isConsentRequired(), requested.isBearerOnly()));
        }
    }

    /** RFC 7591's answer on every endpoint: the stock endpoint passes this exception through unchanged. */
    @Override
    RuntimeException refusal(ClientRegistrationContext context, DcrError e) {
        EventBuilder event = context.getProvider().getEvent();
        if (event != null) {
            event.detail(Details.REASON, e.description()).detail("client_registration_policy", ID).error(e.code());
        }
        return new ErrorResponseException(e.code(), e.description(), Response.Status.BAD_REQUEST);
    }
}
