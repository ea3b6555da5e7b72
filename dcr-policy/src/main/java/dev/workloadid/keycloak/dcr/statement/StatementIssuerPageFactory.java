package dev.workloadid.keycloak.dcr.statement;

import dev.workloadid.keycloak.common.keycloak.StatelessFactory;
import dev.workloadid.keycloak.common.settings.SettingsCheck;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.ui.extend.UiPageProvider;
import org.keycloak.services.ui.extend.UiPageProviderFactory;

import java.util.List;
import java.util.Map;

/**
 * The realm admin console page "Software statement issuers": one entry per issuer whose software
 * statements the realm trusts, stored as a realm component (providerType
 * {@code org.keycloak.services.ui.extend.UiPageProvider}, providerId {@value #ID}).
 */
public final class StatementIssuerPageFactory implements UiPageProviderFactory<ComponentModel>, UiPageProvider, StatelessFactory<UiPageProvider> {

    public static final String ID = "dcr-statement-issuer";

    /** The read-only list column naming the entry (an issuer of key source spiffe may have no iss value). */
    static final String NAME_COLUMN = "name";

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        SettingsCheck.validate(getConfigProperties(), model.getConfig(), check -> {
            StatementIssuer issuer = StatementIssuer.from(model.getConfig());
            String name = issuer.keySource() == StatementIssuer.KeySource.SPIFFE && issuer.issuer() == null
                    ? "SPIFFE trust domain " + issuer.trustDomain() : issuer.name();
            model.getConfig().putSingle(NAME_COLUMN, name);
            if (model.getName() == null || model.getName().isBlank()) {
                model.setName(name);
            }
        });
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "Issuers whose software statements (RFC 7591 §2.3) this realm trusts on the pack's registration endpoint "
                + "(/realms/{realm}/clients-registrations/rfc7591). A statement from an issuer not listed here is refused "
                + "with unapproved_software_statement.";
    }

    /** The list columns of the console's page: the issuer (the link) and its key source. */
    @Override
    public Map<String, Object> getTypeMetadata() {
        return Map.of("displayFields", List.of(NAME_COLUMN, StatementIssuer.KEY_SOURCE));
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return PROPERTIES;
    }

    private static final String JWKS_URL = StatementIssuer.KeySource.JWKS_URI.label();
    private static final String STATIC = StatementIssuer.KeySource.STATIC.label();
    private static final String SPIFFE = StatementIssuer.KeySource.SPIFFE.label();

    private static final List<ProviderConfigProperty> PROPERTIES = ProviderConfigurationBuilder.create()
            .property(SettingsCheck.column(NAME_COLUMN, "Issuer"))
            .property().name(StatementIssuer.ISSUER).label("Issuer").type(ProviderConfigProperty.STRING_TYPE)
            .helpText("The iss value of the statements, e.g. https://software.example.com. Required for key sources "
                    + JWKS_URL + " and " + STATIC + "; optional for " + SPIFFE + ".").add()
            .property().name(StatementIssuer.KEY_SOURCE).label("Key source").type(ProviderConfigProperty.LIST_TYPE)
            .options(JWKS_URL, STATIC, SPIFFE).defaultValue(JWKS_URL)
            .helpText(JWKS_URL + ": Keycloak fetches the issuer's JWK set over https (SSRF-safe fetcher). " + STATIC
                    + ": a JWK set pasted below. " + SPIFFE + ": JWT-SVIDs of a SPIFFE trust domain serve as statements "
                    + "(needs the authenticator-spiffe JAR and that trust domain under SPIFFE trust domains). In realm "
                    + "JSON the values jwks_uri, static and spiffe work too.").add()
            .property().name(StatementIssuer.JWKS_URI).label("JWKS URL").type(ProviderConfigProperty.STRING_TYPE)
            .helpText("Only for key source " + JWKS_URL + " (ignored otherwise): the https URL of the issuer's JWK set.").add()
            .property().name(StatementIssuer.STATIC_JWKS).label("Static JWK set").type(ProviderConfigProperty.SCRIPT_TYPE)
            .helpText("Only for key source " + STATIC + " (ignored otherwise): the issuer's public JWK set as JSON, "
                    + "{\"keys\":[...]}.").add()
            .property().name(StatementIssuer.TRUST_DOMAIN).label("SPIFFE trust domain").type(ProviderConfigProperty.STRING_TYPE)
            .helpText("Only for key source " + SPIFFE + " (ignored otherwise): the trust domain, e.g. example.org. Its "
                    + "JWT-SVIDs must name the registration endpoint URL as their only audience.").add()
            .build();

    /** Both a factory and its own provider: nothing to release as either. */
    @Override
    public void close() {
    }
}
