package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.cimd.resolve.CacheState;
import dev.workloadid.keycloak.cimd.resolve.DocumentFetcher;
import dev.workloadid.keycloak.cimd.settings.CimdSettings;
import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.timer.ScheduledTask;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps document clients current, on one node of the cluster at a time (Keycloak's cluster-aware
 * task runner): a client whose cache entry expired is revalidated with a conditional request (a 304
 * renews the expiry, a new valid document updates the client); a client whose document now fails
 * or is invalid is disabled (with the reason in {@value DocumentClients#REFRESH_ERROR}) until a
 * later fetch succeeds; and a client without user sessions for the realm's idle time is deleted.
 */
final class CimdRefreshTask implements ScheduledTask {

    static final String NAME = "wi-cimd-refresh";
    private static final Logger LOG = Logger.getLogger(CimdRefreshTask.class);
    /** The last-active stamp is written at most this often, to keep the database quiet. */
    private static final Duration ACTIVE_STAMP_GRANULARITY = Duration.ofMinutes(10);

    private final CimdClientStorageProviderFactory factory;

    CimdRefreshTask(CimdClientStorageProviderFactory factory) {
        this.factory = factory;
    }

    @Override
    public String getTaskName() {
        return NAME;
    }

    @Override
    public void run(KeycloakSession session) {
        session.realms().getRealmsStream().toList().forEach(realm -> {
            Optional<CimdSettings> settings = CimdSettingsPageFactory.enabledSettings(realm);
            if (settings.isEmpty()) {
                return;
            }
            session.getContext().setRealm(realm);
            // Not searchClientsByAttributes: the JPA store allows only configured searchable attributes.
            List<ClientModel> clients = session.clients().getClientsStream(realm)
                    .filter(c -> c.getClientId() != null && c.getClientId().startsWith("https://"))
                    .filter(DocumentClients::isManaged).toList();
            for (ClientModel client : clients) {
                try {
                    if (!removeIfIdle(session, realm, client, settings.get())) {
                        refreshIfExpired(session, realm, client, settings.get());
                    }
                } catch (RuntimeException e) {
                    LOG.warnf(e, "Realm %s: refreshing document client %s failed", realm.getName(), client.getClientId());
                }
            }
        });
    }

    private boolean removeIfIdle(KeycloakSession session, RealmModel realm, ClientModel client, CimdSettings settings) {
        Instant now = Instant.now();
        boolean active = session.sessions().getActiveUserSessions(realm, client) > 0
                || session.sessions().getOfflineSessionsCount(realm, client) > 0;
        long lastActive = DocumentClients.parseLong(client.getAttribute(DocumentClients.LAST_ACTIVE));
        if (active) {
            if (now.getEpochSecond() - lastActive > ACTIVE_STAMP_GRANULARITY.toSeconds()) {
                client.setAttribute(DocumentClients.LAST_ACTIVE, Long.toString(now.getEpochSecond()));
            }
            return false;
        }
        if (client.isServiceAccountsEnabled()) {
            // client_credentials leaves no session behind, so "no sessions" says nothing about use:
            // such clients are never removed as idle (an administrator removes them).
            return false;
        }
        if (settings.orphanIdle().isZero() || now.getEpochSecond() - lastActive < settings.orphanIdle().toSeconds()) {
            return false;
        }
        LOG.infof("Realm %s: removing document client %s, idle since %s", realm.getName(), client.getClientId(),
                Instant.ofEpochSecond(lastActive));
        realm.removeClient(client.getId());
        return true;
    }

    private void refreshIfExpired(KeycloakSession session, RealmModel realm, ClientModel client, CimdSettings settings) {
        CacheState cache = DocumentClients.cacheState(client);
        String url = client.getClientId();
        if (cache.isFresh(Instant.now()) || factory.failures().recent(realm.getId() + " " + url) != null) {
            return;
        }
        try {
            DocumentFetcher.Outcome outcome = factory.documents().fetch(url,
                    settings.fetchPolicy(factory.devAllowLoopback()), settings.cacheLifetime(),
                    client.isEnabled() ? cache : null);
            factory.failures().succeeded(realm.getId() + " " + url);
            if (outcome.unchanged()) {
                DocumentClients.storeCacheState(client, outcome.cache());
                LOG.debugf("Realm %s: document %s unchanged (304), fresh until %s", realm.getName(), url, outcome.cache().expiresAt());
            } else {
                DocumentClients.apply(session, realm, client, settings, outcome);
                LOG.debugf("Realm %s: document %s refreshed, fresh until %s", realm.getName(), url, outcome.cache().expiresAt());
            }
        } catch (DocumentRejectedException e) {
            factory.failures().failed(realm.getId() + " " + url, settings.failureRetry(), e.oauthError(), e.getMessage());
            if (client.isEnabled()) {
                LOG.warnf("Realm %s: document client %s disabled until its document is valid again: %s",
                        realm.getName(), url, e.getMessage());
            }
            client.setEnabled(false);
            client.setAttribute(DocumentClients.REFRESH_ERROR, e.rule() + ": " + e.getMessage());
        }
    }
}
