package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.spiffe.jwt.ValidatedSvid;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
import dev.workloadid.keycloak.spiffe.verify.JwtSvidVerification;
import dev.workloadid.keycloak.spiffe.verify.SvidRejection;
import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.OAuth2Constants;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.authentication.ClientAuthenticator;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.Urls;

import java.util.List;

/**
 * Validates a JWT-SVID client assertion and finds the client it authenticates: SCA-01..10,
 * JSV-01..10, SID-01..06 and the association rules (exact, /* pattern, registration-free, and the
 * client named by client_id, SCA-P1). One instance serves every request; its only state is the
 * node-local association hint.
 */
final class SpiffeJwtSvidAuthenticator implements ClientAuthenticator {

    private final AssociationCache associations;

    SpiffeJwtSvidAuthenticator(AssociationCache associations) {
        this.associations = associations;
    }

    @Override
    public void authenticateClient(ClientAuthenticationFlowContext context) {
        SpiffeAssociation.guarded(context, SpiffeJwtSvidAuthenticatorFactory.ID, "JWT-SVID", this::authenticate);
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
        String other = otherMethod(form, context.getHttpRequest().getHttpHeaders().getHeaderString("Authorization"));
        if (other != null) {
            reject(context, null, "more than one client authentication method used (" + other + " and client_assertion)");
            return;
        }
        String assertion = assertions.get(0);
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        String issuer = Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName());
        JwtSvidVerification.Verified verified;
        try {
            verified = JwtSvidVerification.verify(session, realm, assertion, issuer);
        } catch (SvidRejection e) {
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
        ClientModel client = SpiffeAssociation.clientFor(context, settings, svid.spiffeId(), SpiffeJwtSvidAuthenticatorFactory.ID, associations);
        if (client != null) {
            SpiffeAssociation.succeed(context, client, svid.spiffeId(), SpiffeJwtSvidAuthenticatorFactory.ID);
        }
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
                .getAllStream(org.keycloak.models.IdentityProviderQuery.type(
                        org.keycloak.models.IdentityProviderType.CLIENT_ASSERTION), 0, 100)
                .anyMatch(idp -> "spiffe".equals(idp.getProviderId()) && idp.isEnabled());
    }

    private static void reject(ClientAuthenticationFlowContext context, String spiffeId, String description) {
        SpiffeAssociation.reject(context, SpiffeJwtSvidAuthenticatorFactory.ID, spiffeId, description);
    }

    @Override
    public void close() {
    }
}
