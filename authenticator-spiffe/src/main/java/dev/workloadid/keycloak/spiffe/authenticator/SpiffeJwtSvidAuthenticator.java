package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.spiffe.id.SpiffeIdMatcher;
import dev.workloadid.keycloak.spiffe.jwt.ValidatedSvid;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
import dev.workloadid.keycloak.spiffe.verify.JwtSvidVerification;
import io.spiffe.spiffeid.SpiffeId;
import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.logging.Logger;
import org.keycloak.OAuth2Constants;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.authentication.ClientAuthenticator;
import org.keycloak.authentication.authenticators.client.ClientAuthUtil;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.Urls;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates a JWT-SVID client assertion and finds the client it authenticates: SCA-01..10,
 * JSV-01..10, SID-01..06 and the association rules (exact, /* pattern, registration-free, and the
 * client named by client_id, SCA-P1). Stateless: one instance serves every request.
 */
final class SpiffeJwtSvidAuthenticator implements ClientAuthenticator {

    private static final Logger LOG = Logger.getLogger(SpiffeJwtSvidAuthenticator.class);
    static final Set<String> SPIFFE_AUTHENTICATORS = Set.of(SpiffeJwtSvidAuthenticatorFactory.ID);
    /** Stock authenticators that also accept jwt-spiffe assertions; their clients are left to them. */
    static final Set<String> DEFER_TO = Set.of("federated-jwt");

    @Override
    public void authenticateClient(ClientAuthenticationFlowContext context) {
        try {
            authenticate(context);
        } catch (RuntimeException e) {
            // Never let Keycloak turn our failure into a generic unauthorized_client / 5xx.
            LOG.errorf(e, "Unexpected error authenticating a JWT-SVID client in realm %s", context.getRealm().getName());
            reject(context, null, "the JWT-SVID could not be checked (server error, see the server log)");
        }
    }

    private void authenticate(ClientAuthenticationFlowContext context) {
        MultivaluedMap<String, String> form = context.getHttpRequest().getDecodedFormParameters();
        List<String> types = form.get(OAuth2Constants.CLIENT_ASSERTION_TYPE);
        if (types == null || !types.contains(SpiffeJwtSvidAuthenticatorFactory.ASSERTION_TYPE)) {
            // SCA-01: any other assertion type (jwt-bearer included) is not ours. But a client that is
            // configured for SPIFFE must not authenticate any other way, so say why it fails.
            context.attempted();
            ClientModel named = context.getClient();
            if (named != null && SpiffeJwtSvidAuthenticatorFactory.ID.equals(named.getClientAuthenticatorType())) {
                reject(context, null, "client " + named.getClientId() + " must authenticate with a JWT-SVID "
                        + "(client_assertion_type " + SpiffeJwtSvidAuthenticatorFactory.ASSERTION_TYPE + ")");
            }
            return;
        }
        List<String> assertions = form.get(OAuth2Constants.CLIENT_ASSERTION);
        if (types.size() > 1 || assertions == null || assertions.size() != 1 || assertions.get(0).isBlank()) {
            reject(context, null, "exactly one client_assertion_type and one client_assertion (a single JWT-SVID) are required");
            return;
        }
        if (context.getHttpRequest().getHttpHeaders().getHeaderString("Authorization") != null) {
            // RFC 6749 §2.3: one client authentication method per request.
            reject(context, null, "more than one client authentication method used (Authorization header and client_assertion)");
            return;
        }
        String assertion = assertions.get(0);
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        String issuer = Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName());
        JwtSvidVerification.Verified verified;
        try {
            verified = JwtSvidVerification.verify(session, realm, assertion, issuer);
        } catch (JwtSvidVerification.Rejected e) {
            if ("unknown_trust_domain".equals(e.reason()) && stockSpiffeProviderPresent(session)) {
                // Coexistence: a trust domain the pack does not know may belong to stock Keycloak's
                // SPIFFE identity provider (federated-jwt); let that authenticator have the request.
                context.attempted();
                return;
            }
            context.getEvent().detail("spiffe_reason", e.reason());
            reject(context, e.spiffeId(), e.getMessage());
            return;
        }
        TrustDomainSettings settings = verified.settings();
        ValidatedSvid svid = verified.svid();
        String spiffeId = svid.spiffeId().toString();
        context.getEvent().detail("spiffe_id", spiffeId);

        ClientModel client = associate(context, settings, svid.spiffeId());
        if (client == null) {
            return; // already rejected with the reason
        }
        if (!client.isEnabled()) {
            reject(context, spiffeId, "client " + client.getClientId() + " is disabled");
            return;
        }
        context.setClient(client);
        context.getEvent().client(client).detail(Details.CLIENT_AUTH_METHOD, SpiffeJwtSvidAuthenticatorFactory.ID);
        context.success();
    }

    /** SCA-07 / SCA-P1: the client this SPIFFE ID may authenticate as, or null after rejecting. */
    private ClientModel associate(ClientAuthenticationFlowContext context, TrustDomainSettings settings, SpiffeId id) {
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        String requested = context.getHttpRequest().getDecodedFormParameters().getFirst(OAuth2Constants.CLIENT_ID);
        if (requested != null && !requested.isBlank() && !requested.equals(id.toString())) {
            // The request names a client that is not the SPIFFE ID: that client, and only if it
            // authorizes this SPIFFE ID (post-02 §3.1, SCA-P1).
            ClientModel named = session.clients().getClientByClientId(realm, requested);
            if (named != null && DEFER_TO.contains(named.getClientAuthenticatorType()) && !named.isPublicClient()) {
                // A client of stock federated-jwt, which also takes jwt-spiffe assertions: its call.
                context.setClient(named);
                context.attempted();
                return null;
            }
            if (named == null || !SPIFFE_AUTHENTICATORS.contains(named.getClientAuthenticatorType())
                    || !SpiffeClients.authorizes(named, id)) {
                reject(context, id.toString(), "SPIFFE ID " + id + " is not authorized to authenticate as client " + requested);
                return null;
            }
            return named;
        }
        SpiffeIdMatcher.Result<ClientModel> match = SpiffeClients.associate(session, realm, id, SPIFFE_AUTHENTICATORS);
        if (match instanceof SpiffeIdMatcher.Match<ClientModel> found) {
            return found.owner();
        }
        if (match instanceof SpiffeIdMatcher.Ambiguous<ClientModel> tie) {
            String owners = tie.owners().stream().map(ClientModel::getClientId).collect(Collectors.joining(", "));
            LOG.warnf("Realm %s: SPIFFE ID %s matches equally specific registrations of clients %s; "
                    + "fix their spiffe.id attributes", realm.getName(), id, owners);
            reject(context, id.toString(), "configuration error: SPIFFE ID " + id
                    + " matches several equally specific client registrations (" + owners + ")");
            return null;
        }
        if (SpiffeClients.claimedBy(session, realm, id, DEFER_TO)) {
            // The SPIFFE ID is bound to a client of another authenticator (stock federated-jwt uses
            // the same attribute): leave the request to it rather than reject or auto-register.
            context.attempted();
            return null;
        }
        ClientModel sameId = session.clients().getClientByClientId(realm, id.toString());
        if (sameId != null) {
            // A client whose clientId is the SPIFFE ID but that is not bound to it for SPIFFE auth.
            reject(context, id.toString(), "client " + id + " exists but is not registered for SPIFFE authentication");
            return null;
        }
        if (settings.allowsRegistrationFree(id)) {
            ClientModel created = RegistrationFreeClients.obtain(session, realm, settings, id, SpiffeJwtSvidAuthenticatorFactory.ID);
            if (created == null) {
                reject(context, id.toString(), "could not create the registration-free client of " + id);
            }
            return created;
        }
        reject(context, id.toString(), "no client is registered for SPIFFE ID " + id
                + (settings.registrationFree() ? " and it is not in the trust domain's registration-free allow-list" : ""));
        return null;
    }

    /** Whether stock Keycloak's SPIFFE identity provider (feature spiffe) is configured in the realm. */
    private static boolean stockSpiffeProviderPresent(KeycloakSession session) {
        try {
            return session.identityProviders().count() > 0 && session.identityProviders().getAllStream()
                    .anyMatch(idp -> "spiffe".equals(idp.getProviderId()) && idp.isEnabled());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * invalid_client with our description and a CLIENT_LOGIN_ERROR event carrying it. See
     * {@link RejectedClient} for why a stand-in client is set when no real one is known.
     */
    private static void reject(ClientAuthenticationFlowContext context, String spiffeId, String description) {
        EventBuilder event = context.getEvent();
        event.detail(Details.REASON, description);
        if (spiffeId != null) {
            event.detail("spiffe_id", spiffeId);
        }
        ClientModel current = context.getClient();
        if (current == null || !SpiffeJwtSvidAuthenticatorFactory.ID.equals(current.getClientAuthenticatorType())
                || current.isPublicClient()) {
            String requested = context.getHttpRequest().getDecodedFormParameters().getFirst(OAuth2Constants.CLIENT_ID);
            context.setClient(RejectedClient.of(SpiffeJwtSvidAuthenticatorFactory.ID,
                    spiffeId != null ? spiffeId : requested != null ? requested : "unknown"));
        }
        LOG.debugf("JWT-SVID client authentication rejected in realm %s: %s", context.getRealm().getName(), description);
        context.failure(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS,
                ClientAuthUtil.errorResponse(401, "invalid_client", description));
    }

    @Override
    public void close() {
    }
}
