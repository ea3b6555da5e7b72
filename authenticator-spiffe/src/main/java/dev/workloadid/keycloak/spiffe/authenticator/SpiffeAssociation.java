package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.spiffe.id.SpiffeIdMatcher;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
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
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one association rule set of both SPIFFE authenticators (SCA-07, SCA-26, SCA-P1..P3): from an
 * authenticated SPIFFE ID to the client it may act as, and the common way of rejecting a request.
 *
 * <p>A {@code client_id} other than the SPIFFE ID names the client, which must authorize the SPIFFE
 * ID (exact or {@code /*} pattern). Otherwise the exact registration wins, then the most specific
 * pattern, then a registration-free client if the trust domain allows one. A client registered for
 * the other SPIFFE method is refused with a description saying so: Keycloak gives a client exactly
 * one authenticator.
 */
final class SpiffeAssociation {

    private static final Logger LOG = Logger.getLogger(SpiffeAssociation.class);
    /**
     * Stock authenticators that also accept SPIFFE credentials (federated-jwt with Keycloak's SPIFFE
     * identity provider); requests for their clients are left to them, so both can run in one realm.
     */
    static final Set<String> DEFER_TO = Set.of("federated-jwt");

    private SpiffeAssociation() {
    }

    /** The client this SPIFFE ID may authenticate as with {@code authenticatorId}, or null after rejecting. */
    static ClientModel clientFor(ClientAuthenticationFlowContext context, TrustDomainSettings settings, SpiffeId id,
                                 String authenticatorId, AssociationCache associations) {
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        String requested = requestedClientId(context);
        ClientModel client;
        if (requested != null && !requested.isBlank() && !requested.equals(id.toString())) {
            ClientModel named = session.clients().getClientByClientId(realm, requested);
            if (named != null && DEFER_TO.contains(named.getClientAuthenticatorType()) && !named.isPublicClient()) {
                // A client of stock federated-jwt, which also takes jwt-spiffe assertions: its call.
                context.setClient(named);
                context.attempted();
                return null;
            }
            if (named == null || !SpiffeAuthenticatorFactory.SPIFFE_AUTHENTICATORS.contains(named.getClientAuthenticatorType())
                    || !SpiffeClients.authorizes(named, id)) {
                reject(context, authenticatorId, id.toString(),
                        "SPIFFE ID " + id + " is not authorized to authenticate as client " + requested);
                return null;
            }
            client = named;
        } else {
            client = associated(context, settings, id, authenticatorId, associations);
        }
        if (client != null && !authenticatorId.equals(client.getClientAuthenticatorType())) {
            reject(context, authenticatorId, id.toString(), "client " + client.getClientId() + " is registered for "
                    + client.getClientAuthenticatorType() + " client authentication, not " + authenticatorId);
            return null;
        }
        if (client != null && !client.isEnabled()) {
            reject(context, authenticatorId, id.toString(), "client " + client.getClientId() + " is disabled");
            return null;
        }
        return client;
    }

    private static ClientModel associated(ClientAuthenticationFlowContext context, TrustDomainSettings settings,
                                          SpiffeId id, String authenticatorId, AssociationCache associations) {
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        ClientModel remembered = remembered(session, realm, id, associations);
        if (remembered != null) {
            return remembered;
        }
        SpiffeIdMatcher.Result<ClientModel> match;
        boolean deferred;
        try {
            match = SpiffeClients.associate(session, realm, id, SpiffeAuthenticatorFactory.SPIFFE_AUTHENTICATORS);
            deferred = !(match instanceof SpiffeIdMatcher.Match) && !(match instanceof SpiffeIdMatcher.Ambiguous)
                    && SpiffeClients.claimedBy(session, realm, id, DEFER_TO);
        } catch (SpiffeClients.TooManyBindingsException e) {
            reject(context, authenticatorId, id.toString(), "configuration error: " + e.getMessage());
            return null;
        }
        if (match instanceof SpiffeIdMatcher.Match<ClientModel> found) {
            associations.put(realm.getId(), id.toString(), found.owner().getId());
            return found.owner();
        }
        if (match instanceof SpiffeIdMatcher.Ambiguous<ClientModel> tie) {
            String owners = tie.owners().stream().map(ClientModel::getClientId).collect(Collectors.joining(", "));
            LOG.warnf("Realm %s: SPIFFE ID %s matches equally specific registrations of clients %s; "
                    + "fix their " + SpiffeClients.SPIFFE_ID_ATTRIBUTE + " attributes", realm.getName(), id, owners);
            reject(context, authenticatorId, id.toString(), "configuration error: SPIFFE ID " + id
                    + " matches several equally specific client registrations (" + owners + ")");
            return null;
        }
        if (deferred) {
            // The SPIFFE ID is bound to a stock federated-jwt client (same attribute): leave the
            // request to that authenticator rather than reject it or auto-register a second client.
            context.attempted();
            return null;
        }
        ClientModel sameId = session.clients().getClientByClientId(realm, id.toString());
        if (sameId != null && boundExactly(sameId, id)) {
            // Committed by a concurrent first request (this or another node) after the association
            // query above ran: an exact binding is the most specific match there can be, so it is the answer.
            return sameId;
        }
        if (sameId != null) {
            // A client whose clientId is the SPIFFE ID but that is not bound to it for SPIFFE auth.
            reject(context, authenticatorId, id.toString(),
                    "client " + id + " exists but is not registered for SPIFFE authentication");
            return null;
        }
        if (settings.allowsRegistrationFree(id)) {
            ClientModel created;
            try {
                created = RegistrationFreeClients.obtain(session, realm, settings, id, authenticatorId);
            } catch (RegistrationFreeClients.LimitReachedException e) {
                reject(context, authenticatorId, id.toString(), "no client is registered for SPIFFE ID " + id
                        + " and " + e.getMessage());
                return null;
            }
            if (created == null) {
                reject(context, authenticatorId, id.toString(), "could not create the registration-free client of " + id);
            }
            return created;
        }
        reject(context, authenticatorId, id.toString(), "no client is registered for SPIFFE ID " + id
                + (settings.registrationFree() ? " and it is not in the trust domain's registration-free allow-list" : ""));
        return null;
    }

    /**
     * The client this node last associated with the ID, if it still qualifies: read through Keycloak's
     * client cache and checked exactly as the attribute query's results are (see {@link AssociationCache}).
     */
    private static ClientModel remembered(KeycloakSession session, RealmModel realm, SpiffeId id,
                                          AssociationCache associations) {
        String internalId = associations.get(realm.getId(), id.toString());
        if (internalId == null) {
            return null;
        }
        ClientModel client = session.clients().getClientById(realm, internalId);
        if (client != null && SpiffeClients.qualifies(client, SpiffeAuthenticatorFactory.SPIFFE_AUTHENTICATORS)
                && SpiffeClients.authorizes(client, id)) {
            return client;
        }
        associations.forget(realm.getId(), id.toString());
        return null;
    }

    private static boolean boundExactly(ClientModel client, SpiffeId id) {
        return SpiffeAuthenticatorFactory.SPIFFE_AUTHENTICATORS.contains(client.getClientAuthenticatorType())
                && id.toString().equals(client.getAttribute(SpiffeClients.SPIFFE_ID_ATTRIBUTE));
    }

    /** Marks the request as authenticated by {@code authenticatorId} as {@code client}. */
    static void succeed(ClientAuthenticationFlowContext context, ClientModel client, SpiffeId id, String authenticatorId) {
        context.setClient(client);
        context.getEvent().client(client).detail("spiffe_id", id.toString())
                .detail(Details.CLIENT_AUTH_METHOD, authenticatorId);
        context.success();
        SpiffeMeters.authenticated(context.getRealm().getName(), authenticatorId);
    }

    /**
     * Runs an authenticator's body so that an unexpected error still ends as our invalid_client with
     * an event, never as Keycloak's generic unauthorized_client or a 5xx.
     */
    static void guarded(ClientAuthenticationFlowContext context, String authenticatorId, String svidKind,
                        java.util.function.Consumer<ClientAuthenticationFlowContext> body) {
        try {
            body.accept(context);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Unexpected error authenticating a %s client in realm %s", svidKind, context.getRealm().getName());
            reject(context, authenticatorId, null, "the " + svidKind + " could not be checked (server error, see the server log)");
        }
    }

    static String requestedClientId(ClientAuthenticationFlowContext context) {
        try {
            return context.getHttpRequest().getDecodedFormParameters().getFirst(OAuth2Constants.CLIENT_ID);
        } catch (RuntimeException e) {
            return null; // not a form request
        }
    }

    /**
     * invalid_client with our description and a CLIENT_LOGIN_ERROR event carrying it. See
     * {@link RejectedClient} for why a stand-in client is set when no real one is known.
     */
    static void reject(ClientAuthenticationFlowContext context, String authenticatorId, String spiffeId,
                       String description) {
        EventBuilder event = context.getEvent();
        event.detail(Details.REASON, description);
        if (spiffeId != null) {
            event.detail("spiffe_id", spiffeId);
        }
        ClientModel current = context.getClient();
        if (current == null || !authenticatorId.equals(current.getClientAuthenticatorType()) || current.isPublicClient()) {
            String requested = requestedClientId(context);
            context.setClient(RejectedClient.of(authenticatorId,
                    spiffeId != null ? spiffeId : requested != null ? requested : "unknown"));
        }
        LOG.debugf("%s client authentication rejected in realm %s: %s", authenticatorId, context.getRealm().getName(),
                description);
        context.failure(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS,
                ClientAuthUtil.errorResponse(401, "invalid_client", description));
        Map<String, String> details = event.getEvent().getDetails();
        SpiffeMeters.rejected(context.getRealm().getName(), authenticatorId, details == null ? null : details.get("spiffe_reason"));
    }
}
