package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.resolve.DocumentFetcher;
import dev.workloadid.keycloak.cimd.resolve.FailureThrottle;
import dev.workloadid.keycloak.cimd.resolve.SingleFlight;
import dev.workloadid.keycloak.common.keycloak.ClientAttributeCount;
import dev.workloadid.keycloak.common.keycloak.PackFetchers;
import dev.workloadid.keycloak.common.net.PortList;
import dev.workloadid.keycloak.common.net.SafeFetcher;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.provider.ServerInfoAwareProviderFactory;
import org.keycloak.services.scheduled.ClusterAwareScheduledTaskRunner;
import org.keycloak.storage.client.ClientStorageProviderFactory;
import org.keycloak.timer.TimerProvider;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The client storage provider {@value #ID}: Keycloak's ClientStorageManager asks it for every
 * client_id the database does not know, on every endpoint. Holds this node's fetcher, its
 * single-flight map and its failure throttle, and schedules the cluster-wide refresh task.
 *
 * <p>Server-wide options ({@code --spi-client-storage--wi-cimd--<option>}); deliberately not realm
 * settings, so a realm administrator cannot point the fetcher at loopback:
 * <ul>
 *   <li>{@code dev-allow-loopback} (false): documents and jwks_uri may resolve to 127.0.0.0/8 or ::1.
 *       Development and tests only; logged loudly at start and on first use.</li>
 *   <li>{@code refresh-interval-seconds} (15): how often expired document clients are revalidated
 *       and idle ones removed, by one node of the cluster at a time.</li>
 *   <li>{@code allowed-ports} (443): the ports document URLs and their jwks_uri may name.</li>
 * </ul>
 */
public final class CimdClientStorageProviderFactory
        implements ClientStorageProviderFactory<CimdClientStorageProvider>, ServerInfoAwareProviderFactory {

    private static final String PURPOSE = "client metadata documents";

    public static final String ID = "wi-cimd";
    private static final Logger LOG = Logger.getLogger(CimdClientStorageProviderFactory.class);

    private boolean devAllowLoopback;
    private PortList allowedPorts = PortList.HTTPS;
    private long refreshIntervalSeconds = 15;
    private SafeFetcher fetcher;
    private DocumentFetcher documents;
    private final SingleFlight<Boolean> singleFlight = new SingleFlight<>();
    private final FailureThrottle failures = new FailureThrottle(Clock.systemUTC());
    private final ClientAttributeCount clientCount = new ClientAttributeCount(DocumentClients.MANAGED);
    /** Serializes this node's count-then-create of document clients (see DocumentClients). */
    private final Object creationLock = new Object();

    @Override
    public CimdClientStorageProvider create(KeycloakSession session, ComponentModel model) {
        return new CimdClientStorageProvider(session, this);
    }

    @Override
    public void init(Config.Scope config) {
        devAllowLoopback = config.getBoolean("dev-allow-loopback", false);
        refreshIntervalSeconds = Math.max(1, config.getLong("refresh-interval-seconds", 15L));
        allowedPorts = PackFetchers.allowedPorts(config, "--spi-client-storage--" + ID + "--" + PackFetchers.ALLOWED_PORTS);
        if (devAllowLoopback) {
            LOG.warn("**************************************************************************************");
            LOG.warn("CIMD: dev-allow-loopback=true - client metadata documents and jwks_uri may be fetched");
            LOG.warn("from 127.0.0.0/8 and ::1. DEVELOPMENT ONLY: never enable this in production.");
            LOG.warn("**************************************************************************************");
        }
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        fetcher = PackFetchers.open(factory, PURPOSE);
        documents = new DocumentFetcher(fetcher, allowedPorts, Clock.systemUTC());
        factory.register(event -> {
            if (event instanceof PostMigrationEvent) {
                long interval = refreshIntervalSeconds * 1000;
                KeycloakModelUtils.runJobInTransaction(factory, session -> session.getProvider(TimerProvider.class)
                        .schedule(new ClusterAwareScheduledTaskRunner(factory, new CimdRefreshTask(this), interval),
                                interval, CimdRefreshTask.NAME));
            }
        });
    }

    boolean devAllowLoopback() {
        return devAllowLoopback;
    }

    DocumentFetcher documents() {
        return documents;
    }

    SingleFlight<Boolean> singleFlight() {
        return singleFlight;
    }

    FailureThrottle failures() {
        return failures;
    }

    ClientAttributeCount clientCount() {
        return clientCount;
    }

    Object creationLock() {
        return creationLock;
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
    public String getHelpText() {
        return "Resolves HTTPS URL client_ids (Client ID Metadata Documents). Added and removed with the realm's "
                + "'wi-cimd-settings' admin page entry, which holds the settings.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return PackFetchers.describeAllowedPorts(ProviderConfigurationBuilder.create()
                .property().name("dev-allow-loopback").type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue(false)
                .helpText("Development only: allow client metadata documents and jwks_uri on loopback addresses.").add()
                .property().name("refresh-interval-seconds").type(ProviderConfigProperty.INTEGER_TYPE).defaultValue(15)
                .helpText("How often expired document clients are revalidated and idle ones removed.").add(),
                        "client metadata document URLs and their jwks_uri")
                .build();
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return Map.of("dev-allow-loopback", Boolean.toString(devAllowLoopback),
                PackFetchers.ALLOWED_PORTS, allowedPorts.toString(),
                "refresh-interval-seconds", Long.toString(refreshIntervalSeconds),
                "version", String.valueOf(getClass().getPackage().getImplementationVersion()));
    }
}
