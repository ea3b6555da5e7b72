package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdMatcher;
import dev.workloadid.keycloak.spiffe.id.SpiffeIds;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
import io.spiffe.spiffeid.SpiffeId;
import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one association rule set of both SPIFFE authenticators (SCA-07, SCA-26, SCA-P1..P3), for one
 * request: from an authenticated SPIFFE ID to the client it may act as.
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

    private final SpiffeRequest request;
    private final AssociationCache associations;
    private final KeycloakSession session;
    private final RealmModel realm;

    SpiffeAssociation(SpiffeRequest request, AssociationCache associations) {
        this.request = request;
        this.associations = associations;
        this.session = request.context().getSession();
        this.realm = request.context().getRealm();
    }

    /** The client this SPIFFE ID may authenticate as with the request's authenticator, or null after rejecting or passing. */
    ClientModel clientFor(TrustDomainSettings settings, SpiffeId id) {
        String requested = request.requestedClientId();
        ClientModel client = requested != null && !requested.isBlank() && !requested.equals(SpiffeIds.text(id))
                ? named(requested, id)
                : associated(settings, id);
        return client == null ? null : usable(client, id);
    }

    /** The client the request names by client_id, if it authorizes the SPIFFE ID (SCA-P1). */
    private ClientModel named(String requested, SpiffeId id) {
        ClientModel named = request.requestedClient();
        if (named != null && DEFER_TO.contains(named.getClientAuthenticatorType()) && !named.isPublicClient()) {
            // A client of stock federated-jwt, which also takes jwt-spiffe assertions: its call.
            request.context().setClient(named);
            request.context().attempted();
            return null;
        }
        if (named == null || !SpiffeAuthenticators.IDS.contains(named.getClientAuthenticatorType())
                || !SpiffeClients.authorizes(named, id)) {
            return refused(id, "SPIFFE ID " + id + " is not authorized to authenticate as client " + requested);
        }
        return named;
    }

    /** Keycloak gives a client exactly one authenticator, and a disabled client none. */
    private ClientModel usable(ClientModel client, SpiffeId id) {
        String authenticatorId = request.authenticatorId();
        if (!authenticatorId.equals(client.getClientAuthenticatorType())) {
            return refused(id, "client " + client.getClientId() + " is registered for "
                    + client.getClientAuthenticatorType() + " client authentication, not " + authenticatorId);
        }
        if (!client.isEnabled()) {
            return refused(id, "client " + client.getClientId() + " is disabled");
        }
        return client;
    }

    /** Without a client_id: the remembered client, else the best registration, else the fallbacks. */
    private ClientModel associated(TrustDomainSettings settings, SpiffeId id) {
        // Read before the query: a change committed after it then makes what the query found stale.
        String generation = associations.generation(realm.getId(), () -> AssociationGenerations.read(session, realm.getId()));
        ClientModel remembered = remembered(id, generation);
        if (remembered != null) {
            return remembered;
        }
        SpiffeIdMatcher.Result<ClientModel> match;
        boolean deferred;
        try {
            match = SpiffeClients.associate(session, realm, id, SpiffeAuthenticators.IDS);
            deferred = !(match instanceof SpiffeIdMatcher.Match) && !(match instanceof SpiffeIdMatcher.Ambiguous)
                    && SpiffeClients.claimedBy(session, realm, id, DEFER_TO);
        } catch (SpiffeClients.TooManyBindingsException e) {
            return refused(id, "configuration error: " + e.getMessage());
        }
        if (match instanceof SpiffeIdMatcher.Match<ClientModel> found) {
            associations.put(realm.getId(), SpiffeIds.text(id), found.owner().getId(), generation);
            return found.owner();
        }
        if (match instanceof SpiffeIdMatcher.Ambiguous<ClientModel> tie) {
            return ambiguous(id, tie);
        }
        if (deferred) {
            // The SPIFFE ID is bound to a stock federated-jwt client (same attribute): leave the
            // request to that authenticator rather than reject it or auto-register a second client.
            request.context().attempted();
            return null;
        }
        return unregistered(settings, id);
    }

    private ClientModel ambiguous(SpiffeId id, SpiffeIdMatcher.Ambiguous<ClientModel> tie) {
        String owners = tie.owners().stream().map(ClientModel::getClientId).collect(Collectors.joining(", "));
        LOG.warnf("Realm %s: SPIFFE ID %s matches equally specific registrations of clients %s; "
                + "fix their " + SpiffeClients.SPIFFE_ID_ATTRIBUTE + " attributes", realm.getName(), id, owners);
        return refused(id, "configuration error: SPIFFE ID " + id
                + " matches several equally specific client registrations (" + owners + ")");
    }

    /** No registration matched: a client committed meanwhile, or a registration-free one, or a refusal. */
    private ClientModel unregistered(TrustDomainSettings settings, SpiffeId id) {
        ClientModel sameId = session.clients().getClientByClientId(realm, id.toString());
        if (sameId != null && boundExactly(sameId, id)) {
            // Committed by a concurrent first request (this or another node) after the association
            // query above ran: an exact binding is the most specific match there can be, so it is the answer.
            return sameId;
        }
        if (sameId != null) {
            // A client whose clientId is the SPIFFE ID but that is not bound to it for SPIFFE auth.
            return refused(id, "client " + id + " exists but is not registered for SPIFFE authentication");
        }
        if (settings.allowsRegistrationFree(id)) {
            return registrationFree(settings, id);
        }
        return refused(id, "no client is registered for SPIFFE ID " + id
                + (settings.registrationFree() ? " and it is not in the trust domain's registration-free allow-list" : ""));
    }

    private ClientModel registrationFree(TrustDomainSettings settings, SpiffeId id) {
        ClientModel created;
        try {
            created = RegistrationFreeClients.obtain(session, realm, settings, id, request.authenticatorId());
        } catch (RegistrationFreeClients.LimitReachedException e) {
            return refused(id, "no client is registered for SPIFFE ID " + id + " and " + e.getMessage());
        }
        return created != null ? created : refused(id, "could not create the registration-free client of " + id);
    }

    /**
     * The client this node last associated with the ID, if it still qualifies: read through Keycloak's
     * client cache and checked exactly as the attribute query's results are (see {@link AssociationCache}).
     */
    private ClientModel remembered(SpiffeId id, String generation) {
        String internalId = associations.get(realm.getId(), SpiffeIds.text(id), generation);
        if (internalId == null) {
            return null;
        }
        ClientModel client = session.clients().getClientById(realm, internalId);
        if (client != null && SpiffeClients.qualifies(client, SpiffeAuthenticators.IDS)
                && SpiffeClients.authorizes(client, id)) {
            return client;
        }
        associations.forget(realm.getId(), id.toString());
        return null;
    }

    private static boolean boundExactly(ClientModel client, SpiffeId id) {
        return SpiffeAuthenticators.IDS.contains(client.getClientAuthenticatorType())
                && id.toString().equals(client.getAttribute(SpiffeClients.SPIFFE_ID_ATTRIBUTE))
                && SpiffeClients.trustedBinding(client);
    }

    private ClientModel refused(SpiffeId id, String description) {
        request.reject(id.toString(), description);
        return null;
    }
}
