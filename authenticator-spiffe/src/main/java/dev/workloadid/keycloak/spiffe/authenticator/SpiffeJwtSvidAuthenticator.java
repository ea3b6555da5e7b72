package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators;
import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import dev.workloadid.keycloak.spiffe.verify.JwtSvidVerifier;
import dev.workloadid.keycloak.spiffe.verify.TrustedSvid;
import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.OAuth2Constants;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.models.ClientModel;
import org.keycloak.models.IdentityProviderQuery;
import org.keycloak.models.IdentityProviderType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.Urls;

import java.util.List;

/**
 * Validates a JWT-SVID client assertion and finds the client it authenticates: SCA-01..10,
 * JSV-01..10, SID-01..06 and the association rules (exact, /* pattern, registration-free, and the
 * client named by client_id, SCA-P1).
 */
final class SpiffeJwtSvidAuthenticator extends SpiffeAuthenticator<String> {

    /** The client_assertion_type of a JWT-SVID, draft-ietf-oauth-spiffe-client-auth §3.1. */
    static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe";

    SpiffeJwtSvidAuthenticator(AssociationCache associations) {
        super(SpiffeAuthenticators.JWT_SVID, "JWT-SVID", associations);
    }

    /** The request's single JWT-SVID; SCA-01/02 and one authentication method per request. */
    @Override
    String credential(SpiffeRequest request) {
        ClientAuthenticationFlowContext context = request.context();
        MultivaluedMap<String, String> form = context.getHttpRequest().getDecodedFormParameters();
        List<String> types = form.get(OAuth2Constants.CLIENT_ASSERTION_TYPE);
        if (types == null || !types.contains(ASSERTION_TYPE)) {
            // SCA-01: any other assertion type (jwt-bearer included) is not ours. But a client that is
            // configured for SPIFFE must not authenticate any other way, so say why it fails.
            context.attempted();
            ClientModel named = context.getClient();
            if (named != null && request.authenticatorId().equals(named.getClientAuthenticatorType())) {
                request.reject(null, "client " + named.getClientId() + " must authenticate with a JWT-SVID "
                        + "(client_assertion_type " + ASSERTION_TYPE + ")");
            }
            return null;
        }
        List<String> assertions = form.get(OAuth2Constants.CLIENT_ASSERTION);
        if (types.size() > 1 || assertions == null || assertions.size() != 1 || assertions.get(0).isBlank()) {
            request.reject(null, "exactly one client_assertion_type and one client_assertion (a single JWT-SVID) are required");
            return null;
        }
        String other = otherMethod(form, context.getHttpRequest().getHttpHeaders().getHeaderString("Authorization"));
        if (other != null) {
            request.reject(null, "more than one client authentication method used (" + other + " and client_assertion)");
            return null;
        }
        return assertions.get(0);
    }

    /** Against the realm's trust domains, with the realm issuer as the only audience (SCA-05). */
    @Override
    TrustedSvid<?> verify(ClientAuthenticationFlowContext context, String assertion) throws SvidRejectedException {
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        String issuer = Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName());
        return new JwtSvidVerifier(session, realm).verify(assertion, issuer);
    }

    /**
     * Coexistence: a trust domain the pack does not know may belong to stock Keycloak's SPIFFE
     * identity provider (federated-jwt); that authenticator gets the request.
     */
    @Override
    boolean leavesToOthers(ClientAuthenticationFlowContext context, SvidRejectedException rejection) {
        return rejection.why() == SvidRejectedException.Reason.UNKNOWN_TRUST_DOMAIN
                && stockSpiffeProviderPresent(context.getSession());
    }

    /**
     * The other client authentication method a JWT-SVID request also carries, or null. RFC 6749
     * §2.3: one method per request; a client_secret next to the assertion is refused even if empty,
     * rather than letting whichever authenticator runs first decide what the request meant.
     */
    static String otherMethod(MultivaluedMap<String, String> form, String authorizationHeader) {
        if (authorizationHeader != null) {
            return "Authorization header";
        }
        if (form.containsKey(OAuth2Constants.CLIENT_SECRET)) {
            return "client_secret";
        }
        return null;
    }

    /** Whether stock Keycloak's SPIFFE identity provider (feature spiffe) is configured in the realm. */
    private static boolean stockSpiffeProviderPresent(KeycloakSession session) {
        // getAllStream() alone lists only user-login providers; SPIFFE ones are client-assertion type.
        return session.identityProviders()
                .getAllStream(IdentityProviderQuery.type(IdentityProviderType.CLIENT_ASSERTION), 0, 100)
                .anyMatch(idp -> "spiffe".equals(idp.getProviderId()) && idp.isEnabled());
    }
}
