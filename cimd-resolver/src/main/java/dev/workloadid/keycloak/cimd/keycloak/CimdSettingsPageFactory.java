package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.settings.CimdSettings;
import dev.workloadid.keycloak.common.keycloak.RealmSettingsPageFactory;
import dev.workloadid.keycloak.common.settings.SettingsCheck;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.storage.client.ClientStorageProvider;

import java.util.List;
import java.util.Map;

/**
 * The realm admin console page "wi-cimd-settings" (Client ID Metadata Documents): one entry holds
 * the realm's URL client_id settings. Stored as a realm component (providerType
 * {@code org.keycloak.services.ui.extend.UiPageProvider}), so admin REST and realm JSON carry it.
 * Saving it also adds the realm's client storage component {@value CimdClientStorageProviderFactory#ID},
 * the hook that makes every endpoint's client lookup reach this module (deleting it removes that), and
 * the client registration policy {@value ReservedClientIdsPolicyFactory#ID} to both policy sets, so no
 * registration endpoint can create a client that takes a document's URL first (it stays on delete).
 */
public final class CimdSettingsPageFactory extends RealmSettingsPageFactory {

    public static final String ID = "wi-cimd-settings";

    /** What a save adds to the realm ({@link CimdRealmSetup}); also run for realms that arrive as files. */
    public CimdSettingsPageFactory() {
        super(new CimdRealmSetup());
    }

    /** The read-only list column naming the entry: its host lists in words. */
    static final String HOSTS_COLUMN = "hosts";

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        SettingsCheck.validate(getConfigProperties(), model.getConfig(), check -> {
            List<String> allowed = check.hosts(CimdSettings.ALLOWED_HOSTS);
            List<String> denied = check.hosts(CimdSettings.DENIED_HOSTS);
            CimdSettings settings = CimdSettings.from(model.getConfig());
            boolean another = CimdRealmSettings.component(realm).filter(c -> model.getId() == null || !c.getId().equals(model.getId())).isPresent();
            if (another) {
                throw new IllegalArgumentException("this realm already has URL client ID settings; edit that entry");
            }
            if (settings.templateClient() != null && DocumentClients.local(session, realm, settings.templateClient()) == null) {
                throw new IllegalArgumentException(CimdSettings.TEMPLATE_CLIENT + " '" + settings.templateClient()
                        + "' is not a client of this realm");
            }
            model.getConfig().putSingle(HOSTS_COLUMN, hostsInWords(settings.enabled(), settings.hosts().anyPublicHost(),
                    allowed, denied));
        });
        if (model.getName() == null || model.getName().isBlank()) {
            model.setName("URL client IDs");
        }
    }

    /** What the settings list shows for the entry (the console links it, so it is never empty). */
    static String hostsInWords(boolean enabled, boolean anyPublicHost, List<String> allowed, List<String> denied) {
        String hosts = anyPublicHost ? "any public host" : allowed.isEmpty() ? "no host allowed yet" : String.join(", ", allowed);
        String except = denied.isEmpty() ? "" : " except " + String.join(", ", denied);
        return (enabled ? "On: " : "Off: ") + hosts + except;
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
        return "HTTPS URLs as client IDs (OAuth Client ID Metadata Documents, used by MCP clients): Keycloak fetches the "
                + "document at the URL, validates it and keeps a client for it. One entry per realm holds the settings.";
    }

    /** The list column of the console's page: the entry's hosts, in words. */
    @Override
    public Map<String, Object> getTypeMetadata() {
        return Map.of("displayFields", List.of(HOSTS_COLUMN));
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return PROPERTIES;
    }

    /** The admin page shows the defaults the settings apply: declared once, in {@link CimdSettings#DEFAULTS}. */
    private static String defaultOf(String setting) {
        return CimdSettings.DEFAULTS.get(setting);
    }

    private static final List<ProviderConfigProperty> PROPERTIES = ProviderConfigurationBuilder.create()
            .property(SettingsCheck.column(HOSTS_COLUMN, "Document hosts"))
            .property().name(CimdSettings.ENABLED).label("Enabled").type(ProviderConfigProperty.BOOLEAN_TYPE)
            .defaultValue(defaultOf(CimdSettings.ENABLED))
            .helpText("Resolve HTTPS URL client IDs in this realm. Off: such client IDs are unknown "
                    + "clients, and existing document clients stop working.").add()
            .property().name(CimdSettings.ANY_PUBLIC_HOST).label("Any public host").type(ProviderConfigProperty.BOOLEAN_TYPE)
            .defaultValue(defaultOf(CimdSettings.ANY_PUBLIC_HOST))
            .helpText("Accept documents from any host whose addresses are all public (the denied "
                    + "hosts still apply). Off: only the allowed hosts.").add()
            .property().name(CimdSettings.ALLOWED_HOSTS).label("Allowed hosts").type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
            .helpText("Host names that may serve client metadata documents, one per line: exact (app.example.com) or "
                    + "*.example.com for any subdomain (not example.com itself). Only the host: no https://, path or "
                    + "port. Internationalised names may be written in Unicode.").add()
            .property().name(CimdSettings.DENIED_HOSTS).label("Denied hosts").type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
            .helpText("Host names never fetched from, same syntax as allowed hosts; wins over the allowed hosts and "
                    + "over any public host.").add()
            .property().name(CimdSettings.ALLOW_QUERY).label("Allow query in client ID").type(ProviderConfigProperty.BOOLEAN_TYPE)
            .defaultValue(defaultOf(CimdSettings.ALLOW_QUERY))
            .helpText("The CIMD specification says a client ID URL SHOULD NOT have a query "
                    + "(?...). Off refuses such client IDs.").add()
            .property().name(CimdSettings.DEFAULT_LIFETIME).label("Default cache lifetime (s)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue(defaultOf(CimdSettings.DEFAULT_LIFETIME))
            .helpText("Seconds a document is kept when its response has no Cache-Control max-age "
                    + "or Expires. 0 to 31536000, kept within the cache floor and ceiling.").add()
            .property().name(CimdSettings.CACHE_FLOOR).label("Cache floor (s)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue(defaultOf(CimdSettings.CACHE_FLOOR))
            .helpText("Seconds a document is kept at least, whatever its cache headers say. "
                    + "0 to 31536000, at most the cache ceiling.").add()
            .property().name(CimdSettings.CACHE_CEILING).label("Cache ceiling (s)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue(defaultOf(CimdSettings.CACHE_CEILING))
            .helpText("Seconds after which a document is revalidated at the latest, whatever its "
                    + "cache headers say. 0 to 31536000.").add()
            .property().name(CimdSettings.MAX_BYTES).label("Maximum document size (bytes)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue(defaultOf(CimdSettings.MAX_BYTES))
            .helpText("Larger responses (documents and the jwks_uri they name) are refused; the "
                    + "CIMD specification recommends 5 KB. 256 to 1048576.").add()
            .property().name(CimdSettings.CONNECT_TIMEOUT).label("Connect timeout (ms)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue(defaultOf(CimdSettings.CONNECT_TIMEOUT))
            .helpText("Milliseconds to wait for the TCP and TLS connection to a document host. "
                    + "1 to 60000, at most the total fetch timeout.").add()
            .property().name(CimdSettings.TOTAL_TIMEOUT).label("Total fetch timeout (ms)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue(defaultOf(CimdSettings.TOTAL_TIMEOUT))
            .helpText("Milliseconds for a whole fetch, defeating slow-drip responses. 1 to 120000.").add()
            .property().name(CimdSettings.FAILURE_RETRY).label("Retry after failure (s)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue(defaultOf(CimdSettings.FAILURE_RETRY))
            .helpText("Seconds. After a failed fetch or an invalid document (never cached), the URL "
                    + "is not fetched again on a node for this long; requests are refused with the same reason meanwhile. "
                    + "1 to 86400.").add()
            .property().name(CimdSettings.CONSENT_REQUIRED).label("Consent required").type(ProviderConfigProperty.BOOLEAN_TYPE)
            .defaultValue(defaultOf(CimdSettings.CONSENT_REQUIRED))
            .helpText("Users confirm each document client; the consent screen shows its host and "
                    + "redirect hosts.").add()
            .property().name(CimdSettings.TEMPLATE_CLIENT).label("Template client").type(ProviderConfigProperty.STRING_TYPE)
            .helpText("Client ID of a client of this realm whose client scopes, scope mappings and service-account roles "
                    + "document clients get. Empty: the realm's default client scopes, no roles.").add()
            .property().name(CimdSettings.ORPHAN_IDLE).label("Remove idle clients after (days)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue(defaultOf(CimdSettings.ORPHAN_IDLE))
            .helpText("Days. Document clients without sessions for this long are deleted (0 = never; "
                    + "at most 3650); they are created again on their next use.").add()
            .property().name(CimdSettings.ALLOW_CLIENT_CREDENTIALS).label("Allow client_credentials").type(ProviderConfigProperty.BOOLEAN_TYPE)
            .defaultValue(defaultOf(CimdSettings.ALLOW_CLIENT_CREDENTIALS))
            .helpText("Let documents ask for the client_credentials grant (a service account acting on its "
                    + "own, with the template client's service-account roles). Off: such documents are refused, and existing "
                    + "document clients with a service account are disabled.").add()
            .property().name(CimdSettings.MAX_CLIENTS).label("Maximum document clients").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue(defaultOf(CimdSettings.MAX_CLIENTS))
            .helpText("New URL client IDs are refused while the realm has this many document clients "
                    + "(0 = no limit; at most 1000000); existing ones keep working.").add()
            .build();
}
