package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.resolve.BackgroundFlight;
import dev.workloadid.keycloak.cimd.resolve.DocumentFetcher;
import dev.workloadid.keycloak.cimd.resolve.FailureThrottle;
import dev.workloadid.keycloak.common.keycloak.ServerFetcher;
import dev.workloadid.keycloak.common.net.SafeFetcher;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
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
 * client_id the database does not know, on every endpoint. Reads its server options and opens this
 * node's fetcher in one place, builds the {@link CimdResolver} its providers, the refresh task and
 * the stale-use listener share, owns the small background pool that revalidates documents used
 * after their lifetime, and schedules the cluster-wide refresh task.
 *
 * <p>Server-wide options ({@code --spi-client-storage--wi-cimd--<option>}); deliberately not realm
 * settings, so a realm administrator cannot point the fetcher at loopback:
 * <ul>
 *   <li>{@code dev-allow-loopback} (false): documents and jwks_uri may resolve to 127.0.0.0/8 or ::1.
 *       Development and tests only; logged loudly at start and on first use.</li>
 *   <li>{@code refresh-interval-seconds} (15): how often expired document clients are revalidated
 *       and idle ones removed, by one node of the cluster at a time (a client used after its
 *       lifetime is revalidated at once, see {@link StaleUseListenerFactory}).</li>
 *   <li>{@code allowed-ports} (443): the ports document URLs and their jwks_uri may name.</li>
 * </ul>
 */
public final class CimdClientStorageProviderFactory
        implements ClientStorageProviderFactory<CimdClientStorageProvider>, ServerInfoAwareProviderFactory {

    public static final String ID = "wi-cimd";
    static final String REFRESH_INTERVAL = "refresh-interval-seconds";
    private static final Logger LOG = Logger.getLogger(CimdClientStorageProviderFactory.class);
    /** Background revalidations of documents used after their lifetime: threads and waiting places. */
    private static final int REVALIDATION_THREADS = 2;
    private static final int REVALIDATION_QUEUE = 256;

    private final ServerFetcher fetcher = new ServerFetcher("client metadata documents",
            "client metadata document URLs and their jwks_uri");
    private long refreshIntervalSeconds = 15;
    private BackgroundFlight revalidations;
    private CimdResolver resolver;
    private CimdRefreshTask refreshTask;

    @Override
    public CimdClientStorageProvider create(KeycloakSession session, ComponentModel model) {
        return new CimdClientStorageProvider(session, resolver);
    }

    @Override
    public void init(Config.Scope config) {
        fetcher.init(config, "--spi-client-storage--" + ID + "--");
        refreshIntervalSeconds = Math.max(1, config.getLong(REFRESH_INTERVAL, 15L));
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        SafeFetcher safeFetcher = fetcher.open(factory);
        revalidations = new BackgroundFlight("wi-cimd-revalidate", REVALIDATION_THREADS, REVALIDATION_QUEUE);
        resolver = new CimdResolver(new DocumentFetcher(safeFetcher, fetcher.allowedPorts(), Clock.systemUTC()),
                fetcher.allowLoopback(), new FailureThrottle(Clock.systemUTC()), revalidations);
        refreshTask = new CimdRefreshTask(resolver);
        factory.register(event -> {
            if (event instanceof PostMigrationEvent) {
                long interval = refreshIntervalSeconds * 1000;
                KeycloakModelUtils.runJobInTransaction(factory, session -> session.getProvider(TimerProvider.class)
                        .schedule(new ClusterAwareScheduledTaskRunner(factory, refreshTask, interval),
                                interval, CimdRefreshTask.NAME));
            }
        });
    }

    /**
     * A document client used after its cache lifetime: revalidated now on this node's background
     * pool, once however many uses arrive meanwhile (see {@link StaleUseListenerFactory}). Not while a
     * failed fetch of the URL is being waited out: the refresh task tries it again after that.
     */
    void revalidateSoon(KeycloakSessionFactory sessions, RealmModel realm, ClientModel client) {
        if (resolver == null || resolver.failures().recent(CimdResolver.key(realm, client.getClientId())) != null) {
            return;
        }
        String realmId = realm.getId();
        String clientId = client.getId();
        if (!revalidations.start(CimdResolver.key(realmId, clientId), () -> refreshTask.revalidateNow(sessions, realmId, clientId))) {
            LOG.tracef("Realm %s: revalidation of %s already under way (or the pool is full)", realm.getName(), client.getClientId());
        }
    }

    @Override
    public void close() {
        if (revalidations != null) {
            revalidations.close();
        }
        fetcher.close();
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
        return fetcher.describe(ProviderConfigurationBuilder.create()
                .property().name(REFRESH_INTERVAL).type(ProviderConfigProperty.INTEGER_TYPE).defaultValue(15)
                .helpText("How often expired document clients are revalidated and idle ones removed.").add())
                .build();
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        return fetcher.operationalInfo(Map.of(REFRESH_INTERVAL, Long.toString(refreshIntervalSeconds),
                "version", String.valueOf(getClass().getPackage().getImplementationVersion())));
    }
}
