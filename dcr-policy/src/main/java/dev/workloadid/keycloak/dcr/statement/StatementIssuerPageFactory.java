package dev.workloadid.keycloak.dcr.statement;

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

import java.util.ArrayList;
import java.util.List;

/**
 * The realm admin console page "Software statement issuers": one entry per issuer whose software
 * statements the realm trusts, stored as a realm component (providerType
 * {@code org.keycloak.services.ui.extend.UiPageProvider}, providerId {@value #ID}).
 */
public final class StatementIssuerPageFactory implements UiPageProviderFactory<ComponentModel>, UiPageProvider {

    public static final String ID = "dcr-statement-issuer";
    public static final String PROVIDER_TYPE = UiPageProvider.class.getName();

    /** The realm's trusted issuers; entries that fail to parse are skipped (validation refuses them on save). */
    public static List<StatementIssuer> issuers(RealmModel realm) {
        List<StatementIssuer> out = new ArrayList<>();
        realm.getComponentsStream(realm.getId(), PROVIDER_TYPE).filter(c -> ID.equals(c.getProviderId())).forEach(c -> {
            try {
                out.add(StatementIssuer.from(c.getConfig()));
            } catch (IllegalArgumentException ignored) {
                // refused by validateConfiguration; an imported broken entry trusts nothing
            }
        });
        return out;
    }

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        try {
            StatementIssuer.from(model.getConfig());
        } catch (IllegalArgumentException e) {
            throw new ComponentValidationException(e.getMessage());
        }
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

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return ProviderConfigurationBuilder.create()
                .property().name(StatementIssuer.ISSUER).label("Issuer").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("The iss value of the statements, e.g. https://software.example.com. Optional for key source spiffe.").add()
                .property().name(StatementIssuer.KEY_SOURCE).label("Key source").type(ProviderConfigProperty.LIST_TYPE)
                .options("jwks_uri", "static", "spiffe").defaultValue("jwks_uri")
                .helpText("jwks_uri: fetch the issuer's JWK set over https (SSRF-safe fetcher). static: a JWK set pasted below. "
                        + "spiffe: JWT-SVIDs of a SPIFFE trust domain (needs the authenticator-spiffe JAR and that trust domain "
                        + "configured under SPIFFE trust domains).").add()
                .property().name(StatementIssuer.JWKS_URI).label("JWKS URL").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("For key source jwks_uri: https URL of the issuer's JWK set.").add()
                .property().name(StatementIssuer.STATIC_JWKS).label("Static JWKS").type(ProviderConfigProperty.TEXT_TYPE)
                .helpText("For key source static: the issuer's public JWK set, {\"keys\":[...]}.").add()
                .property().name(StatementIssuer.TRUST_DOMAIN).label("SPIFFE trust domain").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("For key source spiffe: the trust domain, e.g. example.org. Its JWT-SVIDs must name the registration "
                        + "endpoint URL as their only audience.").add()
                .build();
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
