package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.common.keycloak.ServerFetcher;
import dev.workloadid.keycloak.common.net.SafeFetcher;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.provider.ServerInfoAwareProviderFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Holds this node's {@link BundleRegistry} and the SSRF-safe fetcher it polls bundle endpoints
 * with. Server-wide options ({@code --spi-spiffe-trust--default--<option>}):
 * <ul>
 *   <li>{@code dev-allow-loopback} (default false): let bundle endpoints resolve to 127.0.0.0/8 or
 *       ::1. Development and tests only; logged loudly when on.</li>
 *   <li>{@code refresh-tick-millis} (default 1000): how often due bundles are looked for.</li>
 *   <li>{@code allowed-ports} (default 443): the ports bundle endpoint URLs may name.</li>
 * </ul>
 */
public final class DefaultSpiffeTrustProviderFactory implements SpiffeTrustProviderFactory, ServerInfoAwareProviderFactory {

    public static final String ID = "default";
    private final ServerFetcher fetcher = new ServerFetcher("SPIFFE bundle endpoints", "bundle endpoint URLs");
    private Duration tick = Duration.ofSeconds(1);
    private BundleRegistry registry;
    /** Parsed trust-domain settings by component id: derived from realm components, checked per use. */
    private final java.util.Map<String, DefaultSpiffeTrustProvider.Parsed> parsedSettings =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<String> warnedConflicts = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public SpiffeTrustProvider create(KeycloakSession session) {
        return new DefaultSpiffeTrustProvider(registry, parsedSettings, warnedConflicts);
    }

    @Override
    public void init(Config.Scope config) {
        fetcher.init(config, "--spi-spiffe-trust--" + ID + "--");
        tick = Duration.ofMillis(Math.max(100, config.getLong("refresh-tick-millis", 1000L)));
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        SafeFetcher safeFetcher = fetcher.open(factory);
        registry = new BundleRegistry(settings -> switch (settings.bundleSource()) {
            case HTTPS_WEB -> new HttpsWebBundleSource(settings.trustDomain(), settings.bundleEndpoint(), safeFetcher,
                    fetcher.allowLoopback(), fetcher.allowedPorts());
            case STATIC -> new StaticBundleSource(settings.trustDomain(), settings.staticBundle());
        }, Clock.systemUTC());
        registry.start(tick);
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
        fetcher.close();
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return fetcher.describe(ProviderConfigurationBuilder.create()
                .property().name("refresh-tick-millis").type(ProviderConfigProperty.INTEGER_TYPE).defaultValue(1000)
                .helpText("How often the background refresher looks for due bundles.").add())
                .build();
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return fetcher.operationalInfo(Map.of("refresh-tick-millis", Long.toString(tick.toMillis()),
                "version", String.valueOf(getClass().getPackage().getImplementationVersion())));
    }
}
