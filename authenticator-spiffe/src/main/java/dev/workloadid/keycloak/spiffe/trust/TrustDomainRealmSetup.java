package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.common.keycloak.RealmSetup;
import dev.workloadid.keycloak.common.keycloak.RegistrationPolicies;
import dev.workloadid.keycloak.spiffe.authenticator.SpiffeJwtSvidAuthenticatorFactory;
import dev.workloadid.keycloak.spiffe.authenticator.SpiffeX509SvidAuthenticatorFactory;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.Set;

/**
 * What a realm with at least one SPIFFE trust domain needs: both SPIFFE authenticators in its client
 * authentication flow ({@link ClientFlowInstaller}) and dcr-policy's {@value #BINDING_POLICY}
 * registration policy in both policy sets (by id: no code dependency; only when that JAR is deployed).
 * Without the policy, Keycloak's own registration endpoints could bind a client to a workload's SPIFFE
 * ID or turn a workload client into a user-facing one before any attested client exists.
 *
 * <p>Run by the trust-domain page's save and, for realms that arrive as files, by {@link RealmSetup}'s
 * events; a client given a SPIFFE authenticator (partial import, admin REST) triggers it too.
 */
public final class TrustDomainRealmSetup extends RealmSetup {

    /** dcr-policy's SPIFFE binding registration policy, named by id. */
    static final String BINDING_POLICY = "wi-spiffe-binding";
    private static final Set<String> AUTHENTICATORS = Set.of(
            SpiffeX509SvidAuthenticatorFactory.ID, SpiffeJwtSvidAuthenticatorFactory.ID);

    public TrustDomainRealmSetup() {
        super("spiffe");
    }

    @Override
    public void reconcile(KeycloakSession session, RealmModel realm) {
        if (TrustDomainPageFactory.components(realm).findAny().isEmpty()) {
            return;
        }
        // Each authenticator acts only on its own requests, so their order does not matter.
        ClientFlowInstaller.ensureInstalled(realm, SpiffeX509SvidAuthenticatorFactory.ID);
        ClientFlowInstaller.ensureInstalled(realm, SpiffeJwtSvidAuthenticatorFactory.ID);
        if (RegistrationPolicies.deployed(session.getKeycloakSessionFactory(), BINDING_POLICY)) {
            RegistrationPolicies.ensureInstalled(realm, BINDING_POLICY, "SPIFFE binding", "a SPIFFE trust domain exists");
        }
    }

    @Override
    protected boolean concerns(ClientModel client) {
        return AUTHENTICATORS.contains(client.getClientAuthenticatorType());
    }
}
