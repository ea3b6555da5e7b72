package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.cimd.resolve.CacheState;
import dev.workloadid.keycloak.cimd.resolve.DocumentFetcher;
import dev.workloadid.keycloak.cimd.settings.CimdSettings;
import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
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
 * later fetch succeeds; a client the realm's current settings no longer admit is disabled; and a
 * client without user sessions for the realm's idle time is deleted.
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

    /**
     * One transaction per document client, not one for the whole run: a realm or client that an
     * administrator deletes (or edits) while the task works on it then fails only that client's
     * transaction, which is expected and logged at DEBUG; the other clients are still refreshed.
     */
    @Override
    public void run(KeycloakSession session) {
        KeycloakSessionFactory sessions = session.getKeycloakSessionFactory();
        List<String> realmIds = session.realms().getRealmsStream().map(RealmModel::getId).toList();
        for (String realmId : realmIds) {
            List<String> clientIds;
            try {
                clientIds = KeycloakModelUtils.runJobInTransactionWithResult(sessions, tx -> documentClients(tx, realmId));
            } catch (RuntimeException e) {
                report(sessions, realmId, null, e);
                continue;
            }
            for (String clientId : clientIds) {
                try {
                    KeycloakModelUtils.runJobInTransaction(sessions, tx -> refresh(tx, realmId, clientId));
                } catch (RuntimeException e) {
                    report(sessions, realmId, clientId, e);
                }
            }
        }
    }

    /** Ids of the realm's document clients, if URL client_ids are on there. */
    private static List<String> documentClients(KeycloakSession session, String realmId) {
        RealmModel realm = session.realms().getRealm(realmId);
        if (realm == null || CimdSettingsPageFactory.enabledSettings(realm).isEmpty()) {
            return List.of();
        }
        session.getContext().setRealm(realm);
        // Not searchClientsByAttributes: the JPA store allows only configured searchable attributes.
        return session.clients().getClientsStream(realm)
                .filter(c -> c.getClientId() != null && c.getClientId().startsWith("https://"))
                .filter(DocumentClients::isManaged).map(ClientModel::getId).toList();
    }

    private void refresh(KeycloakSession session, String realmId, String clientId) {
        RealmModel realm = session.realms().getRealm(realmId);
        Optional<CimdSettings> settings = realm == null ? Optional.empty() : CimdSettingsPageFactory.enabledSettings(realm);
        if (settings.isEmpty()) {
            return; // removed, or switched off, since the list was read
        }
        session.getContext().setRealm(realm);
        ClientModel client = realm.getClientById(clientId);
        if (!DocumentClients.isManaged(client)) {
            return;
        }
        if (!removeIfIdle(session, realm, client, settings.get()) && !disableIfRevoked(realm, client, settings.get())) {
            refreshIfExpired(session, realm, client, settings.get());
        }
    }

    /**
     * A failed client (or realm) transaction. If the realm or client is gone, or another transaction
     * changed the same rows, an administrator's change won the race: nothing to do, DEBUG. Anything
     * else is worth a WARN; the next run tries again either way.
     */
    private static void report(KeycloakSessionFactory sessions, String realmId, String clientId, RuntimeException e) {
        boolean gone;
        try {
            gone = KeycloakModelUtils.runJobInTransactionWithResult(sessions, tx -> {
                RealmModel realm = tx.realms().getRealm(realmId);
                return realm == null || (clientId != null && realm.getClientById(clientId) == null);
            });
        } catch (RuntimeException lookup) {
            gone = false;
        }
        if (gone || ConcurrentChange.causedBy(e)) {
            LOG.debugf("Realm %s (client %s) was removed or changed while its document clients were being refreshed: %s",
                    realmId, clientId, e);
        } else {
            LOG.warnf(e, "Realm %s: refreshing document client %s failed", realmId, clientId);
        }
    }

    /**
     * The realm's settings changed since the document was accepted (host lists, client_credentials
     * opt-in): the client is disabled at once, its service account switched off, and its cache entry
     * expired, so that it is fetched and judged afresh (and enabled again) once the settings allow it.
     */
    private static boolean disableIfRevoked(RealmModel realm, ClientModel client, CimdSettings settings) {
        String revoked = settings.revoked(client.getClientId(), client.isServiceAccountsEnabled());
        if (revoked == null) {
            return false;
        }
        if (client.isEnabled() || !revoked.equals(client.getAttribute(DocumentClients.REFRESH_ERROR))) {
            LOG.warnf("Realm %s: document client %s disabled by the realm's settings: %s", realm.getName(),
                    client.getClientId(), revoked);
            client.setEnabled(false);
            client.setServiceAccountsEnabled(false);
            client.setAttribute(DocumentClients.REFRESH_ERROR, revoked);
            client.setAttribute(DocumentClients.EXPIRES_AT, "0");
        }
        return true;
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
            DocumentFetcher.Outcome outcome = factory.documents().fetch(url, settings, factory.devAllowLoopback(),
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
