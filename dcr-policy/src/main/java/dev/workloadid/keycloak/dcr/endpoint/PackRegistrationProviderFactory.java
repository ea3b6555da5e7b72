package dev.workloadid.keycloak.dcr.endpoint;

import dev.workloadid.keycloak.common.keycloak.PackFetchers;
import dev.workloadid.keycloak.common.net.PortList;
import dev.workloadid.keycloak.common.net.SafeFetcher;
import dev.workloadid.keycloak.dcr.statement.JwksFetcher;
import org.jboss.logging.Logger;
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
 * Holds the one SSRF-safe fetcher this module uses (statement issuers' and clients' JWK sets).
 * Server-wide options {@code --spi-client-registration--rfc7591--dev-allow-loopback} (default
 * false): let fetched URLs resolve to loopback; development and tests only, logged loudly; and
 * {@code --spi-client-registration--rfc7591--allowed-ports} (default 443): the ports jwks_uri and
 * statement issuer JWKS URLs may name.
 */
public final class PackRegistrationProviderFactory implements ClientRegistrationProviderFactory, ServerInfoAwareProviderFactory {

    private static final String PURPOSE = "software-statement issuer JWKS URLs";

    public static final String ID = "rfc7591";
    private static final Logger LOG = Logger.getLogger(PackRegistrationProviderFactory.class);

    private boolean allowLoopback;
    private PortList allowedPorts = PortList.HTTPS;
    private SafeFetcher fetcher;
    private JwksFetcher jwks;

    /** This server's JWK set fetcher (the factory is a singleton per node). */
    public static JwksFetcher jwks(KeycloakSession session) {
        PackRegistrationProviderFactory factory = (PackRegistrationProviderFactory) session.getKeycloakSessionFactory()
                .getProviderFactory(ClientRegistrationProvider.class, ID);
        if (factory == null || factory.jwks == null) {
            throw new IllegalStateException("the " + ID + " registration provider is not initialised");
        }
        return factory.jwks;
    }

    @Override
    public ClientRegistrationProvider create(KeycloakSession session) {
        return new PackRegistrationProvider(session);
    }

    @Override
    public void init(Config.Scope config) {
        allowLoopback = config.getBoolean("dev-allow-loopback", false);
        allowedPorts = PackFetchers.allowedPorts(config, "--spi-client-registration--" + ID + "--" + PackFetchers.ALLOWED_PORTS);
        if (allowLoopback) {
            LOG.warn("DCR: jwks_uri and software statement issuer JWKS URLs may resolve to loopback "
                    + "(dev-allow-loopback=true). DEVELOPMENT ONLY: never enable this in production.");
        }
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        fetcher = PackFetchers.open(factory, PURPOSE);
        jwks = new JwksFetcher(fetcher, allowLoopback, allowedPorts, Clock.systemUTC());
    }

    @Override
    public void close() {
        PackFetchers.close(fetcher, PURPOSE);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return PackFetchers.describeAllowedPorts(ProviderConfigurationBuilder.create()
                .property().name("dev-allow-loopback").type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue(false)
                .helpText("Development only: allow jwks_uri and statement issuer JWKS URLs on loopback addresses.").add(),
                        "jwks_uri and statement issuer JWKS URLs")
                .build();
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return Map.of("dev-allow-loopback", Boolean.toString(allowLoopback),
                PackFetchers.ALLOWED_PORTS, allowedPorts.toString(),
                "spiffe-attestation", Boolean.toString(SpiffeSupport.available()),
                "version", String.valueOf(getClass().getPackage().getImplementationVersion()));
    }
}
