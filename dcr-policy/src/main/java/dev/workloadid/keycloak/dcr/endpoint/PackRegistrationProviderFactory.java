package dev.workloadid.keycloak.dcr.endpoint;

import dev.workloadid.keycloak.common.keycloak.ServerFetcher;
import dev.workloadid.keycloak.dcr.statement.JwksFetcher;
import dev.workloadid.keycloak.dcr.statement.ServerJwks;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.provider.ServerInfoAwareProviderFactory;
import org.keycloak.services.clientregistration.ClientRegistrationProvider;
import org.keycloak.services.clientregistration.ClientRegistrationProviderFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The pack's registration endpoint, {@code /realms/{realm}/clients-registrations/}{@value #ID}.
 * Holds the one SSRF-safe fetcher this module uses (statement issuers' and clients' JWK sets) and
 * hands it to each provider it creates, and to the {@code wi-jwks} policy ({@link ServerJwks}).
 * Server-wide options {@code --spi-client-registration--rfc7591--dev-allow-loopback} (default
 * false): let fetched URLs resolve to loopback; development and tests only, logged loudly; and
 * {@code --spi-client-registration--rfc7591--allowed-ports} (default 443): the ports jwks_uri and
 * statement issuer JWKS URLs may name.
 */
public final class PackRegistrationProviderFactory
        implements ClientRegistrationProviderFactory, ServerInfoAwareProviderFactory, ServerJwks {

    public static final String ID = "rfc7591";

    private final ServerFetcher fetcher = new ServerFetcher("software-statement issuer JWKS URLs",
            "jwks_uri and statement issuer JWKS URLs");
    private JwksFetcher jwks;

    @Override
    public JwksFetcher jwks() {
        if (jwks == null) {
            throw new IllegalStateException("the " + ID + " registration provider is not initialised");
        }
        return jwks;
    }

    @Override
    public ClientRegistrationProvider create(KeycloakSession session) {
        return new PackRegistrationProvider(session, jwks());
    }

    @Override
    public void init(Config.Scope config) {
        fetcher.init(config, "--spi-client-registration--" + ID + "--");
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        jwks = new JwksFetcher(fetcher.open(factory), fetcher.allowLoopback(), fetcher.allowedPorts(), Clock.systemUTC());
    }

    @Override
    public void close() {
        fetcher.close();
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return fetcher.describe(ProviderConfigurationBuilder.create()).build();
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return fetcher.operationalInfo(Map.of("spiffe-attestation", Boolean.toString(SpiffeSupport.available()),
                "version", String.valueOf(getClass().getPackage().getImplementationVersion())));
    }
}
