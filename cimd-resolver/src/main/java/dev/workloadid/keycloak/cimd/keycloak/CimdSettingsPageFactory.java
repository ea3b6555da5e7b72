package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.settings.CimdSettings;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.ui.extend.UiPageProvider;
import org.keycloak.services.ui.extend.UiPageProviderFactory;
import org.keycloak.storage.client.ClientStorageProvider;

import java.util.List;
import java.util.Optional;

/**
 * The realm admin console page "wi-cimd-settings" (Client ID Metadata Documents): one entry holds
 * the realm's URL client_id settings. Stored as a realm component (providerType
 * {@code org.keycloak.services.ui.extend.UiPageProvider}), so admin REST and realm JSON carry it.
 * Saving it also adds the realm's client storage component {@value CimdClientStorageProviderFactory#ID},
 * the hook that makes every endpoint's client lookup reach this module (deleting it removes that), and
 * the client registration policy {@value ReservedClientIdsPolicyFactory#ID} to both policy sets, so no
 * registration endpoint can create a client that takes a document's URL first (it stays on delete).
 */
public final class CimdSettingsPageFactory implements UiPageProviderFactory<ComponentModel>, UiPageProvider {

    public static final String ID = "wi-cimd-settings";
    public static final String PROVIDER_TYPE = UiPageProvider.class.getName();
    private static final Logger LOG = Logger.getLogger(CimdSettingsPageFactory.class);
    /** What a save adds to the realm; also run for realms that arrive as files. */
    private static final CimdRealmSetup SETUP = new CimdRealmSetup();

    /** The realm's settings component (the first one, if an admin made several). */
    static Optional<ComponentModel> component(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), PROVIDER_TYPE).filter(c -> ID.equals(c.getProviderId())).findFirst();
    }

    /** The realm's settings if URL client_ids are switched on there, else empty. */
    static Optional<CimdSettings> enabledSettings(RealmModel realm) {
        return component(realm).map(c -> {
            try {
                return CimdSettings.from(c.getConfig());
            } catch (IllegalArgumentException e) {
                LOG.warnf("Realm %s: invalid CIMD settings (%s); URL client_ids are off", realm.getName(), e.getMessage());
                return null;
            }
        }).filter(CimdSettings::enabled);
    }

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        CimdSettings settings;
        try {
            settings = CimdSettings.from(model.getConfig());
        } catch (IllegalArgumentException e) {
            throw new ComponentValidationException(e.getMessage());
        }
        boolean another = component(realm).filter(c -> model.getId() == null || !c.getId().equals(model.getId())).isPresent();
        if (another) {
            throw new ComponentValidationException("this realm already has Client ID Metadata Document settings; edit that entry");
        }
        if (settings.templateClient() != null && DocumentClients.local(session, realm, settings.templateClient()) == null) {
            throw new ComponentValidationException("templateClient '" + settings.templateClient() + "' is not a client of this realm");
        }
    }

    @Override
    public void onCreate(KeycloakSession session, RealmModel realm, ComponentModel model) {
        SETUP.reconcile(session, realm);
    }

    @Override
    public void onUpdate(KeycloakSession session, RealmModel realm, ComponentModel oldModel, ComponentModel newModel) {
        SETUP.reconcile(session, realm);
    }

    @Override
    public void preRemove(KeycloakSession session, RealmModel realm, ComponentModel model) {
        realm.getComponentsStream(realm.getId(), ClientStorageProvider.class.getName())
                .filter(c -> CimdClientStorageProviderFactory.ID.equals(c.getProviderId()))
                .toList().forEach(realm::removeComponent);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "HTTPS URLs as client_id (OAuth Client ID Metadata Documents, used by MCP clients): Keycloak fetches the "
                + "document at the URL, validates it and keeps a client for it. One entry per realm.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return ProviderConfigurationBuilder.create()
                .property().name(CimdSettings.ENABLED).label("Enabled").type(ProviderConfigProperty.BOOLEAN_TYPE)
                .defaultValue("true").helpText("Resolve HTTPS URL client_ids in this realm. Off: such client_ids are unknown clients.").add()
                .property().name(CimdSettings.ANY_PUBLIC_HOST).label("Any public host").type(ProviderConfigProperty.BOOLEAN_TYPE)
                .defaultValue("false").helpText("Accept documents from any host whose addresses are all public. Off: only the allow-list.").add()
                .property().name(CimdSettings.ALLOWED_HOSTS).label("Allowed hosts").type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
                .helpText("Host names that may serve documents: exact (app.example.com) or *.example.com for any subdomain.").add()
                .property().name(CimdSettings.DENIED_HOSTS).label("Denied hosts").type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
                .helpText("Host names never fetched from, same syntax; wins over the allow-list.").add()
                .property().name(CimdSettings.ALLOW_QUERY).label("Allow query in client_id").type(ProviderConfigProperty.BOOLEAN_TYPE)
                .defaultValue("false").helpText("CIMD says a client_id URL SHOULD NOT have a query; off refuses them.").add()
                .property().name(CimdSettings.DEFAULT_LIFETIME).label("Default cache lifetime (s)").type(ProviderConfigProperty.INTEGER_TYPE)
                .defaultValue("300").helpText("Used when the document response has no Cache-Control max-age or Expires.").add()
                .property().name(CimdSettings.CACHE_FLOOR).label("Cache floor (s)").type(ProviderConfigProperty.INTEGER_TYPE)
                .defaultValue("60").helpText("A document is kept at least this long, whatever its cache headers say.").add()
                .property().name(CimdSettings.CACHE_CEILING).label("Cache ceiling (s)").type(ProviderConfigProperty.INTEGER_TYPE)
                .defaultValue("86400").helpText("A document is revalidated at least this often.").add()
                .property().name(CimdSettings.MAX_BYTES).label("Maximum document size (bytes)").type(ProviderConfigProperty.INTEGER_TYPE)
                .defaultValue("5120").helpText("Larger responses (documents and jwks_uri) are refused (CIMD recommends 5 KB).").add()
                .property().name(CimdSettings.CONNECT_TIMEOUT).label("Connect timeout (ms)").type(ProviderConfigProperty.INTEGER_TYPE)
                .defaultValue("2000").add()
                .property().name(CimdSettings.TOTAL_TIMEOUT).label("Total fetch timeout (ms)").type(ProviderConfigProperty.INTEGER_TYPE)
                .defaultValue("5000").helpText("Deadline for a whole fetch, defeating slow-drip responses.").add()
                .property().name(CimdSettings.FAILURE_RETRY).label("Retry after failure (s)").type(ProviderConfigProperty.INTEGER_TYPE)
                .defaultValue("30").helpText("After a failed fetch or invalid document (never cached), the URL is not fetched again "
                        + "on a node for this long; requests are refused with the same reason meanwhile.").add()
                .property().name(CimdSettings.CONSENT_REQUIRED).label("Consent required").type(ProviderConfigProperty.BOOLEAN_TYPE)
                .defaultValue("true").helpText("Users confirm each document client; the consent screen shows its host and redirect hosts.").add()
                .property().name(CimdSettings.TEMPLATE_CLIENT).label("Template client").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Client ID of a client whose client scopes, scope mappings and service-account roles document clients get. "
                        + "Empty: the realm's default client scopes, no roles.").add()
                .property().name(CimdSettings.ORPHAN_IDLE).label("Remove idle clients after (days)").type(ProviderConfigProperty.INTEGER_TYPE)
                .defaultValue("30").helpText("Document clients without sessions for this long are deleted (0 = never); "
                        + "they are created again on their next use.").add()
                .property().name(CimdSettings.ALLOW_CLIENT_CREDENTIALS).label("Allow client_credentials").type(ProviderConfigProperty.BOOLEAN_TYPE)
                .defaultValue("false").helpText("Let documents ask for the client_credentials grant (a service account acting on its "
                        + "own, with the template client's service-account roles). Off: such documents are refused, and existing "
                        + "document clients with a service account are disabled.").add()
                .property().name(CimdSettings.MAX_CLIENTS).label("Maximum document clients").type(ProviderConfigProperty.INTEGER_TYPE)
                .defaultValue("1000").helpText("New URL client_ids are refused while the realm has this many document clients "
                        + "(0 = no limit); existing ones keep working.").add()
                .build();
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        SETUP.register(factory);
    }

    @Override
    public void close() {
    }
}
