package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.common.settings.SettingsCheck;
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

import java.util.List;
import java.util.Map;

/**
 * The realm admin console page "SPIFFE trust domains": one entry per trust domain, stored as a realm
 * component (providerType {@code org.keycloak.services.ui.extend.UiPageProvider}, providerId
 * {@value #ID}), so admin REST, realm export/import and every cluster node see the same list.
 */
public final class TrustDomainPageFactory implements UiPageProviderFactory<ComponentModel>, UiPageProvider {

    public static final String ID = TrustDomainComponents.PROVIDER_ID;
    /** What a save adds to the realm; also run for realms that arrive as files. */
    private static final TrustDomainRealmSetup SETUP = new TrustDomainRealmSetup();
    public static final String PROVIDER_TYPE = TrustDomainComponents.PROVIDER_TYPE;

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        SettingsCheck.validate(getConfigProperties(), model.getConfig(), check -> validate(session, realm, model));
        // The console's page form sends no name: the entry is named after its trust domain.
        if (model.getName() == null || model.getName().isBlank()) {
            model.setName(trustDomainOrNull(model).getName());
        }
    }

    private static void validate(KeycloakSession session, RealmModel realm, ComponentModel model) {
        TrustDomainSettings settings = TrustDomainSettings.from(model.getId(), model.getConfig());
        // BND-07 / SCA-60: one configuration, and so one bundle, per trust domain. Compared parsed, so
        // "spiffe://example.org" and "Example.org" count as example.org. Import and concurrent saves
        // can still get a duplicate past this; the lookup then refuses the trust domain.
        boolean duplicate = TrustDomainComponents.in(realm)
                .filter(c -> model.getId() == null || !model.getId().equals(c.getId()))
                .anyMatch(c -> settings.trustDomain().equals(trustDomainOrNull(c)));
        if (duplicate) {
            throw new IllegalArgumentException("trust domain " + settings.trustDomain().getName()
                    + " is already configured in this realm");
        }
        if (settings.bundleSource() == TrustDomainSettings.BundleSourceType.STATIC) {
            try {
                new StaticBundleSource(settings.trustDomain(), settings.staticBundle()).load();
            } catch (BundleUnavailableException e) {
                throw new IllegalArgumentException(TrustDomainSettings.STATIC_BUNDLE + ": " + e.getMessage(), e);
            }
        }
        if (settings.registrationFreeTemplateClient() != null
                && session.clients().getClientByClientId(realm, settings.registrationFreeTemplateClient()) == null) {
            throw new IllegalArgumentException(TrustDomainSettings.REGISTRATION_FREE_TEMPLATE_CLIENT + " '"
                    + settings.registrationFreeTemplateClient() + "' is not a client of this realm");
        }
    }

    private static io.spiffe.spiffeid.TrustDomain trustDomainOrNull(ComponentModel component) {
        try {
            return TrustDomainSettings.trustDomainOf(key -> component.getConfig().getOrDefault(key, List.of()));
        } catch (IllegalArgumentException e) {
            return null; // an invalid entry names no trust domain; the lookup skips it too
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
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "SPIFFE trust domains this realm trusts for workload client authentication (JWT-SVID and X.509-SVID). "
                + "Each entry names a trust domain, where its bundle comes from and how its workloads may authenticate. "
                + "Adding one also puts the SPIFFE JWT-SVID and X.509-SVID authenticators into the realm's client authentication flow.";
    }

    /** The list columns of the console's page: trust domain (the link), bundle source, endpoint. */
    @Override
    public Map<String, Object> getTypeMetadata() {
        return Map.of("displayFields", List.of(TrustDomainSettings.TRUST_DOMAIN, TrustDomainSettings.BUNDLE_SOURCE,
                TrustDomainSettings.BUNDLE_ENDPOINT_URL));
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return PROPERTIES;
    }

    private static final String HTTPS_WEB = TrustDomainSettings.BundleSourceType.HTTPS_WEB.label();
    private static final String STATIC = TrustDomainSettings.BundleSourceType.STATIC.label();

    private static final List<ProviderConfigProperty> PROPERTIES = ProviderConfigurationBuilder.create()
            .property().name(TrustDomainSettings.TRUST_DOMAIN).label("Trust domain").type(ProviderConfigProperty.STRING_TYPE)
            .required(true)
            .helpText("Trust domain name, e.g. example.org (no spiffe:// prefix). One entry per trust domain.").add()
            .property().name(TrustDomainSettings.BUNDLE_SOURCE).label("Bundle source").type(ProviderConfigProperty.LIST_TYPE)
            .options(HTTPS_WEB, STATIC).defaultValue(HTTPS_WEB)
            .helpText(HTTPS_WEB + ": Keycloak polls the trust domain's SPIFFE bundle endpoint (https_web profile; "
                    + "recommended). " + STATIC + ": a bundle pasted below, for air-gapped sites; refresh it by editing "
                    + "this entry. In realm JSON the values https_web and static work too.").add()
            .property().name(TrustDomainSettings.BUNDLE_ENDPOINT_URL).label("Bundle endpoint URL").type(ProviderConfigProperty.STRING_TYPE)
            .helpText("Only for bundle source " + HTTPS_WEB + " (ignored otherwise): the https URL of the trust domain's "
                    + "SPIFFE bundle endpoint. Its TLS certificate is checked against Keycloak's truststore; private and "
                    + "loopback addresses are refused.").add()
            .property().name(TrustDomainSettings.STATIC_BUNDLE).label("Static bundle").type(ProviderConfigProperty.SCRIPT_TYPE)
            .helpText("Only for bundle source " + STATIC + " (ignored otherwise): the SPIFFE bundle as JSON (a JWK Set "
                    + "whose keys have use jwt-svid or x509-svid), or PEM CA certificates for X.509-SVIDs.").add()
            .property().name(TrustDomainSettings.REFRESH_FLOOR).label("Refresh floor (s)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue("30").helpText("Seconds. Never poll the bundle endpoint more often than this, whatever its "
                    + "spiffe_refresh_hint says. 1 to 86400.").add()
            .property().name(TrustDomainSettings.REFRESH_CEILING).label("Refresh ceiling (s)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue("3600").helpText("Seconds. Poll the bundle endpoint at least this often, whatever "
                    + "spiffe_refresh_hint says (without a hint: every 300 s). From the refresh floor to 604800.").add()
            .property().name(TrustDomainSettings.MAX_STALENESS).label("Maximum staleness (s)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue("86400").helpText("Seconds. While the bundle endpoint fails, keep using the last good bundle "
                    + "this long after it was fetched; then refuse the trust domain's workloads (fail closed). Longer "
                    + "than the refresh ceiling, at most 2592000 (30 days).").add()
            .property().name(TrustDomainSettings.MAX_SVID_LIFETIME).label("Maximum JWT-SVID lifetime (s)")
            .type(ProviderConfigProperty.INTEGER_TYPE).defaultValue("300")
            .helpText("Seconds. Refuse JWT-SVIDs whose exp is further than this from now (counted from now, not from "
                    + "iat). 1 to 86400.").add()
            .property().name(TrustDomainSettings.CLOCK_SKEW).label("Clock skew (s)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue("30").helpText("Seconds of leeway for exp, nbf and iat. 0 to 300.").add()
            .property().name(TrustDomainSettings.REPLAY_PROTECTION).label("Replay protection").type(ProviderConfigProperty.BOOLEAN_TYPE)
            .defaultValue("false").helpText("Require a jti and accept each JWT-SVID once, across all nodes. Off by "
                    + "default: SPIFFE agents cache and reuse JWT-SVIDs.").add()
            .property().name(TrustDomainSettings.REGISTRATION_FREE).label("Registration-free workloads")
            .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue("false")
            .helpText("Create a client (client ID = SPIFFE ID) on the first request of a workload that has none, if "
                    + "its SPIFFE ID matches the registration-free allow-list.").add()
            .property().name(TrustDomainSettings.REGISTRATION_FREE_ALLOW_LIST).label("Registration-free allow-list")
            .type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
            .helpText("SPIFFE IDs, or patterns ending in /* (whole path segments), of this trust domain that may get a "
                    + "client on first use, e.g. spiffe://example.org/ns/prod/*. Needed when registration-free "
                    + "workloads is on.").add()
            .property().name(TrustDomainSettings.REGISTRATION_FREE_TEMPLATE_CLIENT).label("Template client")
            .type(ProviderConfigProperty.STRING_TYPE)
            .helpText("Client ID of a client of this realm whose client scopes, scope mappings and service-account "
                    + "roles registration-free clients get. Empty: the realm's default client scopes and no roles.").add()
            .property().name(TrustDomainSettings.REGISTRATION_FREE_MAX_CLIENTS).label("Registration-free client limit")
            .type(ProviderConfigProperty.INTEGER_TYPE).defaultValue(TrustDomainSettings.DEFAULT_REGISTRATION_FREE_MAX_CLIENTS)
            .helpText("At most this many clients are created on first use for this trust domain (0: no limit; at most "
                    + "1000000). Beyond it, new SPIFFE IDs are refused with invalid_client; existing ones keep working.").add()
            .property().name(TrustDomainSettings.ATTESTED_REGISTRATION).label("Attested registration")
            .type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue("false")
            .helpText("Let workloads register a client themselves at the pack's registration endpoint (rfc7591) with "
                    + "their JWT-SVID as the bearer token, if their SPIFFE ID matches the attested registration "
                    + "allow-list. Such clients are client_credentials only, without full scope.").add()
            .property().name(TrustDomainSettings.ATTESTED_REGISTRATION_ALLOW_LIST).label("Attested registration allow-list")
            .type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
            .helpText("SPIFFE IDs, or patterns ending in /*, of this trust domain that may register themselves. Needed "
                    + "when attested registration is on.").add()
            .build();

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
