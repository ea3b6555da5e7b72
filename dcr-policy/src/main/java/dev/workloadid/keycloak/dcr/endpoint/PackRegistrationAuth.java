package dev.workloadid.keycloak.dcr.endpoint;

import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.SpiffeBindingRules;
import org.keycloak.OAuthErrorException;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.context.DynamicClientRegisterContext;
import org.keycloak.services.clientregistration.ClientRegistrationAuth;
import org.keycloak.services.clientregistration.ClientRegistrationContext;
import org.keycloak.services.clientregistration.ClientRegistrationProvider;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicyException;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicyManager;
import org.keycloak.services.clientregistration.policy.RegistrationAuth;

import jakarta.ws.rs.core.Response;

/**
 * Keycloak's registration authorization, plus two things: the pack's request data goes into the
 * client before any policy sees it, and a SPIFFE-attested request (a verified JWT-SVID instead of
 * an initial access token) counts as authenticated registration. Everything else (initial access
 * tokens, bearer tokens with create-client, registration access tokens, the registration policies
 * and client policies) is Keycloak's own code.
 */
final class PackRegistrationAuth extends ClientRegistrationAuth {

    private final KeycloakSession session;
    private final EventBuilder event;
    private final RegistrationRequest request;

    PackRegistrationAuth(KeycloakSession session, ClientRegistrationProvider provider, EventBuilder event, String endpoint,
                         RegistrationRequest request) {
        super(session, provider, event, endpoint);
        this.session = session;
        this.event = event;
        this.request = request;
    }

    @Override
    public RegistrationAuth requireCreate(ClientRegistrationContext context) {
        request.applyTo(context.getClient());
        if (request.attestedSpiffeId() == null) {
            return super.requireCreate(context);
        }
        // The same two policy passes Keycloak runs, with the authenticated policy set: the registrant
        // proved a workload identity of a trust domain the realm trusts.
        RealmModel realm = session.getContext().getRealm();
        event.detail("spiffe_id", request.attestedSpiffeId());
        try {
            session.clientPolicy().triggerOnEvent(new DynamicClientRegisterContext(context, null, realm));
            ClientRegistrationPolicyManager.triggerBeforeRegister(context, RegistrationAuth.AUTHENTICATED);
        } catch (ClientRegistrationPolicyException crpe) {
            event.error(Errors.NOT_ALLOWED);
            throw new ErrorResponseException(OAuthErrorException.INSUFFICIENT_SCOPE, crpe.getMessage(), Response.Status.FORBIDDEN);
        } catch (ClientPolicyException cpe) {
            event.detail(Details.REASON, Details.CLIENT_POLICY_ERROR);
            event.detail(Details.CLIENT_POLICY_ERROR, cpe.getError());
            event.detail(Details.CLIENT_POLICY_ERROR_DETAIL, cpe.getErrorDetail());
            event.error(cpe.getError());
            throw new ErrorResponseException(OAuthErrorException.INSUFFICIENT_SCOPE, cpe.getMessage(), Response.Status.FORBIDDEN);
        }
        return RegistrationAuth.AUTHENTICATED;
    }

    // A SPIFFE-attested request's bearer is a JWT-SVID, not a Keycloak token: Keycloak's lazy token
    // decoding (reached through these accessors after the client is created) must not run on it.

    @Override
    public org.keycloak.representations.AccessToken getJwt() {
        return attested() ? null : super.getJwt();
    }

    @Override
    public boolean isInitialAccessToken() {
        return !attested() && super.isInitialAccessToken();
    }

    @Override
    public boolean isRegistrationAccessToken() {
        return !attested() && super.isRegistrationAccessToken();
    }

    @Override
    public String getToken() {
        return attested() ? null : super.getToken();
    }

    @Override
    public RegistrationAuth getRegistrationAuth() {
        return attested() ? RegistrationAuth.AUTHENTICATED : super.getRegistrationAuth();
    }

    private boolean attested() {
        return request.attestedSpiffeId() != null;
    }

    @Override
    public RegistrationAuth requireUpdate(ClientRegistrationContext context, ClientModel client) {
        if (client != null) {
            request.applyTo(context.getClient());
            // A SPIFFE binding is made by attestation only, never by an update.
            String bound = client.getAttribute(PackClientAttributes.SPIFFE_BINDING);
            if (bound != null && !bound.isBlank()) {
                context.getClient().getAttributes().put(PackClientAttributes.SPIFFE_BINDING, bound);
                context.getClient().setClientAuthenticatorType(client.getClientAuthenticatorType());
                context.getClient().setPublicClient(false);
            }
            // Whatever the update's metadata converts to, a workload client keeps no user-facing flow.
            if (SpiffeBindingRules.workloadOnly(client.getAttribute(SpiffeBindingRules.REGISTRATION_ATTRIBUTE),
                    SpiffeBindingRules.bound(client.getClientAuthenticatorType(), bound), SpiffeBindingRules.Shape.of(client))) {
                SpiffeBindingRules.keepWorkloadOnly(context.getClient());
            }
        }
        return super.requireUpdate(context, client);
    }
}
