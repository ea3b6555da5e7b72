package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.common.keycloak.RealmSetup;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.storage.client.ClientStorageProvider;
import org.keycloak.storage.client.ClientStorageProviderModel;

/**
 * What a realm with a {@value CimdSettingsPageFactory#ID} entry needs: the client storage component
 * {@value CimdClientStorageProviderFactory#ID} (the hook that makes every endpoint's client lookup
 * reach this module) and the registration policy {@value ReservedClientIdsPolicyFactory#ID} in both
 * policy sets, so no registration endpoint can create a client that takes a document's URL first.
 * Run by the settings page's save and, for realms that arrive as files, by {@link RealmSetup}'s events.
 */
final class CimdRealmSetup extends RealmSetup {

    private static final Logger LOG = Logger.getLogger(CimdRealmSetup.class);

    CimdRealmSetup() {
        super("cimd");
    }

    @Override
    public void reconcile(KeycloakSession session, RealmModel realm) {
        if (CimdRealmSettings.component(realm).isEmpty()) {
            return;
        }
        ensureLookupComponent(realm);
        ReservedClientIdsPolicyFactory.ensureInstalled(realm);
    }

    /** Adds the client storage component that routes unknown client_ids to this module. */
    static void ensureLookupComponent(RealmModel realm) {
        boolean present = realm.getComponentsStream(realm.getId(), ClientStorageProvider.class.getName())
                .anyMatch(c -> CimdClientStorageProviderFactory.ID.equals(c.getProviderId()));
        if (present) {
            return;
        }
        ClientStorageProviderModel lookup = new ClientStorageProviderModel();
        lookup.setName("Client ID Metadata Documents");
        lookup.setProviderId(CimdClientStorageProviderFactory.ID);
        lookup.setProviderType(ClientStorageProvider.class.getName());
        lookup.setParentId(realm.getId());
        lookup.setEnabled(true);
        realm.addComponentModel(lookup);
        LOG.infof("Realm %s: added client storage component %s for URL client_ids", realm.getName(),
                CimdClientStorageProviderFactory.ID);
    }
}
