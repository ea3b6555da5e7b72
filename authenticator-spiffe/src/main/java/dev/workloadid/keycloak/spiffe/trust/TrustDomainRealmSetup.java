package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.common.keycloak.RealmSetup;
import dev.workloadid.keycloak.common.keycloak.RegistrationPolicies;
import dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators;
import dev.workloadid.keycloak.spiffe.registration.SpiffeRegistrationGuardPolicyFactory;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.Set;

/**
 * What a realm with at least one SPIFFE trust domain needs: both SPIFFE authenticators in its client
 * authentication flow ({@link ClientFlowInstaller}), this JAR's {@value SpiffeRegistrationGuardPolicyFactory#ID}
 * and dcr-policy's {@value #BINDING_POLICY} registration policy in both policy sets (the latter by id: no
 * code dependency; only when that JAR is deployed). Without them, Keycloak's own registration endpoints
 * could bind a client to a workload's SPIFFE ID, take its client ID, or turn a workload client into a
 * user-facing one before any attested client exists.
 *
 * <p>Run by the trust-domain page's save and, for realms that arrive as files, by {@link RealmSetup}'s
 * events; a client given a SPIFFE authenticator (partial import, admin REST) triggers it too.
 */
public final class TrustDomainRealmSetup extends RealmSetup {

    /** dcr-policy's SPIFFE binding registration policy, named by id. */
    static final String BINDING_POLICY = "wi-spiffe-binding";
    private static final Set<String> AUTHENTICATORS = SpiffeAuthenticators.IDS;

    public TrustDomainRealmSetup() {
        super("spiffe");
    }

    @Override
    public void reconcile(KeycloakSession session, RealmModel realm) {
        if (TrustDomainComponents.in(realm).findAny().isEmpty()) {
            return;
        }
        // Each authenticator acts only on its own requests, so their order does not matter.
        ClientFlowInstaller.ensureInstalled(realm, SpiffeAuthenticators.X509_SVID);
        ClientFlowInstaller.ensureInstalled(realm, SpiffeAuthenticators.JWT_SVID);
        // This JAR's own guard, so SPIFFE bindings are protected without dcr-policy too.
        SpiffeRegistrationGuardPolicyFactory.ensureInstalled(realm);
        if (RegistrationPolicies.deployed(session.getKeycloakSessionFactory(), BINDING_POLICY)) {
            RegistrationPolicies.ensureInstalled(realm, BINDING_POLICY, "SPIFFE binding", "a SPIFFE trust domain exists");
        }
    }

    @Override
    protected boolean concerns(ClientModel client) {
        return AUTHENTICATORS.contains(client.getClientAuthenticatorType());
    }
}
