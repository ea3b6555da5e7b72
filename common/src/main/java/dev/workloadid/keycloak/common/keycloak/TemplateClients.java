package dev.workloadid.keycloak.common.keycloak;

import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

import java.util.HashSet;
import java.util.Set;

/**
 * Gives a client created on first use (registration-free SPIFFE workloads, document clients) what
 * an admin-chosen template client has: its default and optional client scopes (replacing the
 * realm defaults), full-scope setting, scope mappings and service-account roles.
 */
public final class TemplateClients {

    private TemplateClients() {
    }

    public static void copy(KeycloakSession session, RealmModel realm, ClientModel template, ClientModel client) {
        for (boolean defaultScope : new boolean[] {true, false}) {
            client.getClientScopes(defaultScope).values().forEach(client::removeClientScope);
        }
        for (boolean defaultScope : new boolean[] {true, false}) {
            Set<ClientScopeModel> scopes = new HashSet<>(template.getClientScopes(defaultScope).values());
            session.clients().addClientScopes(realm, client, scopes, defaultScope);
        }
        // Never copied: a template made in the console has full scope on by default, and clients
        // created by machines must carry only the scope mappings the administrator listed.
        client.setFullScopeAllowed(false);
        template.getScopeMappingsStream().forEach(client::addScopeMapping);
        grantServiceAccountRoles(session, template, client);
    }

    /**
     * The template's service-account roles for the client's service account, when both have one:
     * also for a service account a client gets after its creation (a document that adds
     * client_credentials later). Granting is idempotent.
     */
    public static void grantServiceAccountRoles(KeycloakSession session, ClientModel template, ClientModel client) {
        UserModel templateAccount = session.users().getServiceAccount(template);
        UserModel account = client.isServiceAccountsEnabled() ? session.users().getServiceAccount(client) : null;
        if (templateAccount != null && account != null) {
            templateAccount.getRoleMappingsStream().forEach(account::grantRole);
        }
    }
}
