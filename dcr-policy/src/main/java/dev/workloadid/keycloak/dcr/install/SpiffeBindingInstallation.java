package dev.workloadid.keycloak.dcr.install;

import dev.workloadid.keycloak.common.keycloak.RegistrationPolicies;
import org.keycloak.models.RealmModel;

/**
 * Puts the {@value #POLICY_ID} registration policy into a realm's policy sets when the realm gets (or
 * updates) a SPIFFE-attested client: the protection of attested clients is not left to an
 * administrator remembering to configure it. Apart from the policy itself, so that the endpoint that
 * installs it and the policy that runs need not know each other.
 */
public final class SpiffeBindingInstallation {

    public static final String POLICY_ID = "wi-spiffe-binding";

    private SpiffeBindingInstallation() {
    }

    /** Adds the policy to the realm's anonymous and authenticated sets, where it is missing. */
    public static void ensureInstalled(RealmModel realm) {
        RegistrationPolicies.ensureInstalled(realm, POLICY_ID, "SPIFFE binding", "a SPIFFE-attested client exists");
    }
}
