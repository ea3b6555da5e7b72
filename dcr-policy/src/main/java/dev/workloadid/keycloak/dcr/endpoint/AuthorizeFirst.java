package dev.workloadid.keycloak.dcr.endpoint;

import dev.workloadid.keycloak.common.keycloak.WriteCheckPolicy;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyManager;
import org.keycloak.services.clientregistration.ClientRegistrationAuth;
import org.keycloak.services.clientregistration.DefaultClientRegistrationContext;
import org.keycloak.services.clientregistration.oidc.OIDCClientRegistrationProvider;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;

/**
 * Keycloak's answer to "may this caller register a client at all?", asked before the pack acts on a
 * registration body: reading it fetches jwks_uri and verifies software statements (fetching the
 * issuer's keys), which a caller without a valid initial access token, or refused by the realm's
 * anonymous policies (trusted hosts, client limit, ...), must not be able to trigger.
 *
 * <p>It is Keycloak's own {@link ClientRegistrationAuth#requireCreate} (token checks, then the
 * registration policies of the caller's set) on an empty client. The pack's policies (they judge the
 * metadata: {@link WriteCheckPolicy#AUTHORIZATION_ONLY}) and Keycloak's client policies (executors
 * judge the metadata too) sit this pass out; all of them, and Keycloak's checks again, run on the
 * real client before it is created. An initial access token is only counted then.
 */
final class AuthorizeFirst {

    private AuthorizeFirst() {
    }

    /** @throws org.keycloak.services.ErrorResponseException Keycloak's 401 / 403 for a caller that may not register */
    static void create(KeycloakSession session, EventBuilder event, String endpoint) {
        OIDCClientRegistrationProvider provider = new OIDCClientRegistrationProvider(session);
        provider.setEvent(event);
        event.event(EventType.CLIENT_REGISTER);
        ClientRepresentation nothingYet = new ClientRepresentation();
        nothingYet.setRedirectUris(new ArrayList<>());
        nothingYet.setWebOrigins(new ArrayList<>());
        nothingYet.setDefaultClientScopes(new ArrayList<>());
        nothingYet.setOptionalClientScopes(new ArrayList<>());
        nothingYet.setProtocolMappers(new ArrayList<>());
        nothingYet.setAttributes(new HashMap<>());
        session.setAttribute(WriteCheckPolicy.AUTHORIZATION_ONLY, Boolean.TRUE);
        try {
            new ClientRegistrationAuth(withoutClientPolicies(session), provider, event, endpoint)
                    .requireCreate(new DefaultClientRegistrationContext(session, nothingYet, provider));
        } finally {
            session.removeAttribute(WriteCheckPolicy.AUTHORIZATION_ONLY);
        }
    }

    /** The session as it is, except that client policies are not triggered (see the class comment). */
    private static KeycloakSession withoutClientPolicies(KeycloakSession session) {
        ClientPolicyManager none = (ClientPolicyManager) Proxy.newProxyInstance(ClientPolicyManager.class.getClassLoader(),
                new Class<?>[] {ClientPolicyManager.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "client policies (not run while authorizing)";
                    default -> null;
                });
        return Delegation.around(KeycloakSession.class, session, (method, args) ->
                method.getName().equals("clientPolicy") && method.getParameterCount() == 0 ? none : Delegation.PASS);
    }
}
