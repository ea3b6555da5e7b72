package dev.workloadid.keycloak.common.keycloak;

import org.jboss.logging.Logger;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicyFactory;

import java.util.List;

/**
 * Puts one of the pack's client registration policies into a realm's anonymous and authenticated
 * policy sets. Used where a capability turned on in a realm makes registration through any endpoint
 * (Keycloak's {@code default} and {@code openid-connect} included) a way around it: the protection is
 * not left to an administrator remembering to add the policy.
 */
public final class RegistrationPolicies {

    public static final String PROVIDER_TYPE = ClientRegistrationPolicy.class.getName();
    private static final Logger LOG = Logger.getLogger(RegistrationPolicies.class);

    private RegistrationPolicies() {
    }

    /** Whether the policy's provider is deployed (its JAR may not be). */
    public static boolean deployed(KeycloakSessionFactory factory, String providerId) {
        return factory.getProviderFactory(ClientRegistrationPolicy.class, providerId) instanceof ClientRegistrationPolicyFactory;
    }

    /**
     * Adds the policy to each set where it is missing. Callers run this whenever the capability that
     * needs it is saved or used, so a removed policy comes back then (logged at INFO).
     *
     * @param why for the log: what made the realm need it
     */
    public static void ensureInstalled(RealmModel realm, String providerId, String name, String why) {
        for (String subType : List.of("anonymous", "authenticated")) {
            boolean present = realm.getComponentsStream(realm.getId(), PROVIDER_TYPE)
                    .anyMatch(c -> providerId.equals(c.getProviderId()) && subType.equals(c.getSubType()));
            if (!present) {
                ComponentModel policy = new ComponentModel();
                policy.setName(name);
                policy.setProviderId(providerId);
                policy.setProviderType(PROVIDER_TYPE);
                policy.setSubType(subType);
                policy.setParentId(realm.getId());
                policy.setConfig(new MultivaluedHashMap<>());
                realm.addComponentModel(policy);
                LOG.infof("Realm %s: added client registration policy %s to the %s set (%s)",
                        realm.getName(), providerId, subType, why);
            }
        }
    }
}
