package dev.workloadid.keycloak.spiffe.trust;

import org.jboss.logging.Logger;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.AuthenticationFlowModel;
import org.keycloak.models.RealmModel;

import java.util.Comparator;
import java.util.List;

/**
 * Puts a client authenticator into the realm's client-authentication flow, so that adding a trust
 * domain is the only step an administrator takes. Built-in flows cannot be edited, so a built-in
 * flow is first copied (as "{name} with SPIFFE") and the copy bound as the realm's client
 * authentication flow. The authenticator goes first, as ALTERNATIVE: it acts only on its own
 * assertion type and leaves every other request to the authenticators after it.
 *
 * <p>An execution already in the flow is left as it is, whatever its requirement: a DISABLED one
 * is an administrator's decision, and saving a trust domain must not undo it.
 */
public final class ClientFlowInstaller {

    private static final Logger LOG = Logger.getLogger(ClientFlowInstaller.class);
    static final String COPY_SUFFIX = " with SPIFFE";

    private ClientFlowInstaller() {
    }

    /** Returns true when the flow was changed. */
    public static boolean ensureInstalled(RealmModel realm, String authenticatorId) {
        AuthenticationFlowModel flow = realm.getClientAuthenticationFlow();
        if (flow == null) {
            LOG.warnf("Realm %s has no client authentication flow; add %s to one by hand", realm.getName(), authenticatorId);
            return false;
        }
        if (present(realm, flow, authenticatorId)) {
            return false;
        }
        if (flow.isBuiltIn()) {
            String alias = flow.getAlias() + COPY_SUFFIX;
            AuthenticationFlowModel copy = realm.getFlowByAlias(alias);
            if (copy == null) {
                copy = copyFlow(realm, flow, alias);
            }
            realm.setClientAuthenticationFlow(copy);
            LOG.infof("Realm %s: client authentication flow is now '%s' (copy of built-in '%s')",
                    realm.getName(), alias, flow.getAlias());
            flow = copy;
            if (present(realm, flow, authenticatorId)) {
                return true;
            }
        }
        int first = realm.getAuthenticationExecutionsStream(flow.getId())
                .mapToInt(AuthenticationExecutionModel::getPriority).min().orElse(10);
        AuthenticationExecutionModel execution = new AuthenticationExecutionModel();
        execution.setParentFlow(flow.getId());
        execution.setAuthenticator(authenticatorId);
        execution.setRequirement(AuthenticationExecutionModel.Requirement.ALTERNATIVE);
        execution.setPriority(first - 1);
        execution.setAuthenticatorFlow(false);
        realm.addAuthenticatorExecution(execution);
        LOG.infof("Realm %s: added %s to client authentication flow '%s'", realm.getName(), authenticatorId, flow.getAlias());
        return true;
    }

    /** Whether the authenticator is in the flow, in any requirement state (DISABLED included). */
    static boolean present(RealmModel realm, AuthenticationFlowModel flow, String authenticatorId) {
        return realm.getAuthenticationExecutionsStream(flow.getId()).anyMatch(e -> authenticatorId.equals(e.getAuthenticator()));
    }

    /** Whether the authenticator is in the flow and not disabled, i.e. requests can reach it. */
    public static boolean contains(RealmModel realm, AuthenticationFlowModel flow, String authenticatorId) {
        return realm.getAuthenticationExecutionsStream(flow.getId()).anyMatch(e -> authenticatorId.equals(e.getAuthenticator())
                && e.getRequirement() != AuthenticationExecutionModel.Requirement.DISABLED);
    }

    private static AuthenticationFlowModel copyFlow(RealmModel realm, AuthenticationFlowModel source, String alias) {
        AuthenticationFlowModel copy = new AuthenticationFlowModel();
        copy.setAlias(alias);
        copy.setDescription(source.getDescription());
        copy.setProviderId(source.getProviderId());
        copy.setBuiltIn(false);
        copy.setTopLevel(source.isTopLevel());
        copy = realm.addAuthenticationFlow(copy);
        copyExecutions(realm, source, copy);
        return copy;
    }

    private static void copyExecutions(RealmModel realm, AuthenticationFlowModel from, AuthenticationFlowModel to) {
        List<AuthenticationExecutionModel> executions = realm.getAuthenticationExecutionsStream(from.getId())
                .sorted(Comparator.comparingInt(AuthenticationExecutionModel::getPriority)).toList();
        for (AuthenticationExecutionModel source : executions) {
            AuthenticationExecutionModel execution = new AuthenticationExecutionModel();
            execution.setParentFlow(to.getId());
            execution.setAuthenticator(source.getAuthenticator());
            execution.setAuthenticatorConfig(source.getAuthenticatorConfig());
            execution.setRequirement(source.getRequirement());
            execution.setPriority(source.getPriority());
            execution.setAuthenticatorFlow(source.isAuthenticatorFlow());
            if (source.isAuthenticatorFlow()) {
                AuthenticationFlowModel subFlow = realm.getAuthenticationFlowById(source.getFlowId());
                AuthenticationFlowModel subCopy = copyFlow(realm, subFlow, to.getAlias() + " " + subFlow.getAlias());
                execution.setFlowId(subCopy.getId());
            }
            realm.addAuthenticatorExecution(execution);
        }
    }
}
