package dev.workloadid.keycloak.common.keycloak;

import org.keycloak.Config;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ui.extend.UiPageProvider;
import org.keycloak.services.ui.extend.UiPageProviderFactory;

import java.util.stream.Stream;

/**
 * A realm admin console page (Keycloak's {@link UiPageProvider}) whose entries hold a module's realm
 * settings, stored as realm components (providerType {@code org.keycloak.services.ui.extend.UiPageProvider}), so admin REST, realm
 * files and every node see them. Saving an entry runs the module's {@link RealmSetup}, which is also
 * registered at start for realms that never go through the page.
 */
public abstract class RealmSettingsPageFactory implements UiPageProviderFactory<ComponentModel>, UiPageProvider {

    public static final String PROVIDER_TYPE = UiPageProvider.class.getName();

    private final RealmSetup setup;

    protected RealmSettingsPageFactory(RealmSetup setup) {
        this.setup = setup;
    }

    /** The realm's entries of the page {@code pageId}. */
    public static Stream<ComponentModel> entries(RealmModel realm, String pageId) {
        return realm.getComponentsStream(realm.getId(), PROVIDER_TYPE).filter(c -> pageId.equals(c.getProviderId()));
    }

    @Override
    public void onCreate(KeycloakSession session, RealmModel realm, ComponentModel model) {
        setup.reconcile(session, realm);
    }

    @Override
    public void onUpdate(KeycloakSession session, RealmModel realm, ComponentModel oldModel, ComponentModel newModel) {
        setup.reconcile(session, realm);
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        setup.register(factory);
    }

    @Override
    public void close() {
    }
}
