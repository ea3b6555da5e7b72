package dev.workloadid.keycloak.spiffe.authenticator;

import org.keycloak.Config;
import org.keycloak.authentication.ClientAuthenticator;
import org.keycloak.authentication.ClientAuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.provider.ServerInfoAwareProviderFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OAuth client authentication with a JWT-SVID ({@code client_assertion_type=
 * urn:ietf:params:oauth:client-assertion-type:jwt-spiffe}), draft-ietf-oauth-spiffe-client-auth §3.1.
 * Advertised in discovery as {@value #AUTH_METHOD} (SCA-41).
 */
public final class SpiffeJwtSvidAuthenticatorFactory implements ClientAuthenticatorFactory, ServerInfoAwareProviderFactory {

    /** Provider id, also the clientAuthenticatorType of clients that use it. */
    public static final String ID = "spiffe-jwt-svid";
    /** The AS metadata / DCR token_endpoint_auth_method name (draft §4). */
    public static final String AUTH_METHOD = "spiffe_jwt";
    public static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe";

    private static final SpiffeJwtSvidAuthenticator INSTANCE = new SpiffeJwtSvidAuthenticator();

    @Override
    public ClientAuthenticator create() {
        return INSTANCE;
    }

    @Override
    public ClientAuthenticator create(KeycloakSession session) {
        return INSTANCE;
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getDisplayType() {
        return "SPIFFE JWT-SVID";
    }

    @Override
    public String getHelpText() {
        return "Client authentication with a SPIFFE JWT-SVID (client_assertion_type jwt-spiffe), validated against the "
                + "realm's SPIFFE trust domains. The client is found by its SPIFFE ID, a spiffe.id pattern, or created "
                + "on first use when the trust domain allows registration-free workloads.";
    }

    @Override
    public String getReferenceCategory() {
        return null;
    }

    @Override
    public boolean isConfigurable() {
        return false;
    }

    @Override
    public AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
        return REQUIREMENT_CHOICES;
    }

    @Override
    public boolean isUserSetupAllowed() {
        return false;
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }

    /** Shown on the client's Credentials tab when this authenticator is chosen; stored as a client attribute. */
    @Override
    public List<ProviderConfigProperty> getConfigPropertiesPerClient() {
        return ProviderConfigurationBuilder.create()
                .property().name(SpiffeClients.SPIFFE_ID_ATTRIBUTE).label("SPIFFE ID")
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("The workload's SPIFFE ID, e.g. spiffe://example.org/ns/prod/sa/payments, or a pattern ending "
                        + "in /* that matches whole path segments, e.g. spiffe://example.org/ns/prod/*. The most "
                        + "specific registration wins; two equally specific ones are a configuration error.")
                .add().build();
    }

    @Override
    public Map<String, Object> getAdapterConfiguration(KeycloakSession session, ClientModel client) {
        return Map.of();
    }

    // Older 26.x ClientAuthenticatorFactory versions declare this single-argument form.
    public Map<String, Object> getAdapterConfiguration(ClientModel client) {
        return Map.of();
    }

    @Override
    public Set<String> getProtocolAuthenticatorMethods(String loginProtocol) {
        return OIDCLoginProtocol.LOGIN_PROTOCOL.equals(loginProtocol) ? Set.of(AUTH_METHOD) : Set.of();
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

    @Override
    public Map<String, String> getOperationalInfo() {
        return Map.of("assertion-type", ASSERTION_TYPE, "auth-method", AUTH_METHOD);
    }
}
