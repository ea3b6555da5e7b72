package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import dev.workloadid.keycloak.spiffe.id.SpiffeIds;
import dev.workloadid.keycloak.spiffe.metrics.SpiffeMeters;
import io.spiffe.spiffeid.SpiffeId;
import org.jboss.logging.Logger;
import org.keycloak.OAuth2Constants;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.authentication.authenticators.client.ClientAuthUtil;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;

import java.util.Map;

/**
 * One client authentication request as a SPIFFE authenticator answers it: the flow context, which
 * authenticator answers, and the two ways the answer ends (success as a client, or invalid_client
 * with an event and a metric).
 */
final class SpiffeRequest {

    private static final Logger LOG = Logger.getLogger(SpiffeRequest.class);
    /** Event detail holding a refused SVID's stable reason code, also the metric's reason label. */
    private static final String REASON_DETAIL = "spiffe_reason";

    private final ClientAuthenticationFlowContext context;
    private final String authenticatorId;
    private boolean requestedClientRead;
    private ClientModel requestedClient;

    SpiffeRequest(ClientAuthenticationFlowContext context, String authenticatorId) {
        this.context = context;
        this.authenticatorId = authenticatorId;
    }

    ClientAuthenticationFlowContext context() {
        return context;
    }

    /** The id of the authenticator answering, also the clientAuthenticatorType of its clients. */
    String authenticatorId() {
        return authenticatorId;
    }

    /** The request's client_id form parameter, or null. */
    String requestedClientId() {
        try {
            return context.getHttpRequest().getDecodedFormParameters().getFirst(OAuth2Constants.CLIENT_ID);
        } catch (RuntimeException e) {
            return null; // not a form request
        }
    }

    /** The client the request's client_id names, or null; looked up once per request. */
    ClientModel requestedClient() {
        if (!requestedClientRead) {
            String requested = requestedClientId();
            requestedClient = requested == null || requested.isBlank() ? null
                    : context.getSession().clients().getClientByClientId(context.getRealm(), requested);
            requestedClientRead = true;
        }
        return requestedClient;
    }

    /** Marks the request as authenticated by this authenticator as {@code client}. */
    void succeed(ClientModel client, SpiffeId id) {
        context.setClient(client);
        context.getEvent().client(client).detail("spiffe_id", SpiffeIds.text(id))
                .detail(Details.CLIENT_AUTH_METHOD, authenticatorId);
        context.success();
        SpiffeMeters.authenticated(context.getRealm().getName(), authenticatorId);
    }

    /** A refused SVID: its reason goes into the event and the metric. */
    void refuse(SvidRejectedException e) {
        context.getEvent().detail(REASON_DETAIL, e.reason());
        reject(e.spiffeId(), e.getMessage());
    }

    /**
     * invalid_client with our description and a CLIENT_LOGIN_ERROR event carrying it. See
     * {@link RejectedClient} for why a stand-in client is set when no real one is known.
     */
    void reject(String spiffeId, String description) {
        EventBuilder event = context.getEvent();
        event.detail(Details.REASON, description);
        if (spiffeId != null) {
            event.detail("spiffe_id", spiffeId);
        }
        ClientModel current = context.getClient();
        if (current == null || !authenticatorId.equals(current.getClientAuthenticatorType()) || current.isPublicClient()) {
            String requested = requestedClientId();
            context.setClient(RejectedClient.of(authenticatorId,
                    spiffeId != null ? spiffeId : requested != null ? requested : "unknown"));
        }
        LOG.debugf("%s client authentication rejected in realm %s: %s", authenticatorId, context.getRealm().getName(),
                description);
        context.failure(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS,
                ClientAuthUtil.errorResponse(401, "invalid_client", description));
        Map<String, String> details = event.getEvent().getDetails();
        SpiffeMeters.rejected(context.getRealm().getName(), authenticatorId, details == null ? null : details.get(REASON_DETAIL));
    }
}
