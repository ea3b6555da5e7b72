package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.cimd.metrics.CimdMeters;
import dev.workloadid.keycloak.cimd.resolve.CacheState;
import dev.workloadid.keycloak.cimd.resolve.DocumentFetcher;
import dev.workloadid.keycloak.cimd.resolve.FailurePolicy;
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
 * renews the expiry, a new valid document updates the client); a client whose document is now
 * invalid or refused is disabled (with the reason in {@value DocumentClients#REFRESH_ERROR}) until a
 * later fetch succeeds, while a transient fetch failure keeps it as it is for up to the realm's cache
 * ceiling ({@link FailurePolicy}); a client the realm's current settings no longer admit is disabled; and a
 * client without user sessions for the realm's idle time is deleted. In a realm whose settings are
 * gone, switched off or invalid, every enabled document client is disabled (and judged afresh once
 * they are back). Clients an administrator disabled are left alone (see
 * {@link DocumentClients#disabledByAdmin}). The same pass over one client also runs at once, in the
 * background, when a client is used after its lifetime ({@link #revalidateNow}).
 */
final class CimdRefreshTask implements ScheduledTask {

    static final String NAME = "wi-cimd-refresh";
    private static final Logger LOG = Logger.getLogger(CimdRefreshTask.class);
    /** The last-active stamp is written at most this often, to keep the database quiet. */
    private static final Duration ACTIVE_STAMP_GRANULARITY = Duration.ofMinutes(10);

    private final CimdResolver resolver;

    CimdRefreshTask(CimdResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public String getTaskName() {
        return NAME;
    }

    /**
     * One read-only transaction per realm finds the document clients with something to do (see
     * {@link #due}), then one transaction per such client, not one for the whole run: a realm or client
     * that an administrator deletes (or edits) while the task works on it then fails only that client's
     * transaction, which is expected and logged at DEBUG; the other clients are still refreshed. A run
     * with nothing due costs one transaction per realm, however many document clients it holds.
     */
    @Override
    public void run(KeycloakSession session) {
        KeycloakSessionFactory sessions = session.getKeycloakSessionFactory();
        List<String> realmIds = session.realms().getRealmsStream().map(RealmModel::getId).toList();
        for (String realmId : realmIds) {
            List<String> clientIds;
            try {
                clientIds = KeycloakModelUtils.runJobInTransactionWithResult(sessions, tx -> dueClients(tx, realmId));
            } catch (RuntimeException e) {
                report(sessions, realmId, null, e);
                continue;
            }
            for (String clientId : clientIds) {
                if (resolver.revalidations().running(CimdResolver.key(realmId, clientId))) {
                    continue; // a use of the expired client is having it revalidated this moment
                }
                refreshInOwnTransaction(sessions, realmId, clientId, true);
            }
        }
    }

    /**
     * A document client used after its cache lifetime, revalidated at once rather than on the next
     * run: the same pass over the one client, in its own session and transaction (called on a
     * background thread), except that a client in use is never removed as idle.
     */
    void revalidateNow(KeycloakSessionFactory sessions, String realmId, String clientId) {
        refreshInOwnTransaction(sessions, realmId, clientId, false);
    }

    private void refreshInOwnTransaction(KeycloakSessionFactory sessions, String realmId, String clientId, boolean mayRemoveIdle) {
        try {
            KeycloakModelUtils.runJobInTransaction(sessions, tx -> refresh(tx, realmId, clientId, mayRemoveIdle));
        } catch (RuntimeException e) {
            report(sessions, realmId, clientId, e);
        }
    }

    /** Reason stored on the clients of a realm whose URL client_ids are off. */
    static final String SWITCHED_OFF = "enabled: URL client_ids are off in this realm (settings removed, disabled or invalid)";

    /**
     * Ids of the realm's document clients with something to do now. Read whether or not URL client_ids
     * are on there: when they are off, the clients the database still holds must be stopped (see
     * {@link #refresh}).
     */
    private List<String> dueClients(KeycloakSession session, String realmId) {
        RealmModel realm = session.realms().getRealm(realmId);
        if (realm == null) {
            return List.of();
        }
        session.getContext().setRealm(realm);
        Optional<CimdSettings> settings = CimdRealmSettings.enabled(realm);
        if (settings.isEmpty() && resolver.clientCount().count(session, realm, "true", 1) == 0) {
            // Off, and no document client to stop: realms that never used URL client_ids are not
            // read in full on every run (one indexed query where cimd.managed is searchable).
            return List.of();
        }
        Instant now = Instant.now();
        // Not searchClientsByAttributes: the JPA store allows only configured searchable attributes.
        return session.clients().getClientsStream(realm)
                .filter(c -> c.getClientId() != null && c.getClientId().startsWith("https://"))
                .filter(c -> due(session, realm, c, settings, now)).map(ClientModel::getId).toList();
    }

    /**
     * Whether {@link #refresh} (with idle removal) would write, remove or fetch anything for this client
     * now; it reads the same state and writes nothing, and the client's own transaction decides again.
     */
    private boolean due(KeycloakSession session, RealmModel realm, ClientModel client, Optional<CimdSettings> settings,
                        Instant now) {
        if (!DocumentClients.isManaged(client) || DocumentClients.disabledByAdmin(client)) {
            return false;
        }
        if (settings.isEmpty()) {
            return client.isEnabled();
        }
        Idle idle = idle(session, realm, client, settings.get(), now);
        if (idle == Idle.STAMP || idle == Idle.REMOVE) {
            return true;
        }
        String revoked = settings.get().revoked(client.getClientId(), client.isServiceAccountsEnabled());
        if (revoked != null) {
            return client.isEnabled() || !revoked.equals(client.getAttribute(DocumentClients.REFRESH_ERROR));
        }
        return expiryDue(realm, client, now);
    }

    private void refresh(KeycloakSession session, String realmId, String clientId, boolean mayRemoveIdle) {
        RealmModel realm = session.realms().getRealm(realmId);
        if (realm == null) {
            return;
        }
        session.getContext().setRealm(realm);
        ClientModel client = realm.getClientById(clientId);
        if (!DocumentClients.isManaged(client) || DocumentClients.disabledByAdmin(client)) {
            return; // an administrator's "disabled" is never undone, so the client is not even fetched
        }
        Optional<CimdSettings> settings = CimdRealmSettings.enabled(realm);
        if (settings.isEmpty()) {
            disableWhileOff(realm, client);
            return;
        }
        if (!(mayRemoveIdle && removeIfIdle(session, realm, client, settings.get()))
                && !disableIfRevoked(realm, client, settings.get())) {
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

    /**
     * URL client_ids are off in the realm, but the database still finds its document clients: they
     * are disabled, marked, and their cache entry expired, so that once the feature is on again
     * they are fetched and judged afresh (and enabled if their documents still validate).
     */
    private static void disableWhileOff(RealmModel realm, ClientModel client) {
        if (!client.isEnabled()) {
            return; // already disabled by the pack (an administrator's clients never get here)
        }
        LOG.warnf("Realm %s: document client %s disabled: URL client_ids are off in this realm", realm.getName(),
                client.getClientId());
        client.setEnabled(false);
        client.setAttribute(DocumentClients.REFRESH_ERROR, SWITCHED_OFF);
        client.setAttribute(DocumentClients.EXPIRES_AT, "0");
    }

    /** What the idle rule asks for a client: nothing, a fresh last-active stamp, or its removal. */
    private enum Idle { IN_USE_STAMPED, STAMP, KEEP, REMOVE }

    private static Idle idle(KeycloakSession session, RealmModel realm, ClientModel client, CimdSettings settings, Instant now) {
        boolean active = session.sessions().getActiveUserSessions(realm, client) > 0
                || session.sessions().getOfflineSessionsCount(realm, client) > 0;
        long lastActive = DocumentClients.parseLong(client.getAttribute(DocumentClients.LAST_ACTIVE));
        if (active) {
            return now.getEpochSecond() - lastActive > ACTIVE_STAMP_GRANULARITY.toSeconds() ? Idle.STAMP : Idle.IN_USE_STAMPED;
        }
        if (client.isServiceAccountsEnabled()) {
            // client_credentials leaves no session behind, so "no sessions" says nothing about use:
            // such clients are never removed as idle (an administrator removes them).
            return Idle.KEEP;
        }
        if (settings.orphanIdle().isZero() || now.getEpochSecond() - lastActive < settings.orphanIdle().toSeconds()) {
            return Idle.KEEP;
        }
        return Idle.REMOVE;
    }

    private boolean removeIfIdle(KeycloakSession session, RealmModel realm, ClientModel client, CimdSettings settings) {
        Instant now = Instant.now();
        switch (idle(session, realm, client, settings, now)) {
            case STAMP -> client.setAttribute(DocumentClients.LAST_ACTIVE, Long.toString(now.getEpochSecond()));
            case REMOVE -> {
                LOG.infof("Realm %s: removing document client %s, idle since %s", realm.getName(), client.getClientId(),
                        Instant.ofEpochSecond(DocumentClients.parseLong(client.getAttribute(DocumentClients.LAST_ACTIVE))));
                realm.removeClient(client.getId());
                CimdMeters.documentClientRemoved(realm.getName());
                return true;
            }
            default -> {
                // in use and stamped recently, or kept
            }
        }
        return false;
    }

    /**
     * Whether the client's document (or its jwks_uri keys) is past its lifetime and no failed fetch of
     * it is being waited out. Keys from jwks_uri live by their own cache lifetime: a document that stays
     * fresh (or answers 304) does not keep keys its host has rotated or withdrawn.
     */
    private boolean expiryDue(RealmModel realm, ClientModel client, Instant now) {
        boolean keysDue = client.isEnabled() && DocumentClients.keysDue(client, now) != null;
        return !(DocumentClients.cacheState(client).isFresh(now) && !keysDue)
                && resolver.failures().recent(CimdResolver.key(realm, client.getClientId())) == null;
    }

    private void refreshIfExpired(KeycloakSession session, RealmModel realm, ClientModel client, CimdSettings settings) {
        if (!expiryDue(realm, client, Instant.now())) {
            return;
        }
        CacheState cache = DocumentClients.cacheState(client);
        String url = client.getClientId();
        String keysDue = client.isEnabled() ? DocumentClients.keysDue(client, Instant.now()) : null;
        String key = CimdResolver.key(realm, url);
        try {
            if (cache.isFresh(Instant.now())) {
                DocumentClients.storeKeys(client, keysDue, resolver.fetchKeys(keysDue, settings));
                resolver.failures().succeeded(key);
                LOG.debugf("Realm %s: keys of %s fetched again from %s", realm.getName(), url, keysDue);
                return;
            }
            DocumentFetcher.Outcome outcome = resolver.fetch(url, settings,
                    client.isEnabled() && !DocumentClients.keysUnrecorded(client) ? cache : null);
            if (outcome.unchanged() && keysDue != null) {
                DocumentClients.storeKeys(client, keysDue, resolver.fetchKeys(keysDue, settings));
            }
            resolver.failures().succeeded(key);
            if (outcome.unchanged()) {
                DocumentClients.storeCacheState(client, outcome.cache());
                LOG.debugf("Realm %s: document %s unchanged (304), fresh until %s", realm.getName(), url, outcome.cache().expiresAt());
            } else {
                DocumentClients.apply(session, realm, client, settings, outcome);
                LOG.debugf("Realm %s: document %s refreshed, fresh until %s", realm.getName(), url, outcome.cache().expiresAt());
            }
        } catch (DocumentRejectedException e) {
            resolver.failures().failed(key, settings.failureRetry(), e.oauthError(), e.getMessage());
            Instant now = Instant.now();
            Instant lastSuccess = Instant.ofEpochSecond(DocumentClients.parseLong(client.getAttribute(DocumentClients.FETCHED_AT)));
            if (FailurePolicy.decide(e.transientFailure(), lastSuccess, settings.cacheCeiling(), now) == FailurePolicy.Decision.KEEP) {
                // Kept as it is (enabled or not); the next try is stored with the client, so any
                // node's run of this task honours it.
                client.setAttribute(DocumentClients.EXPIRES_AT, Long.toString(now.plus(settings.failureRetry()).getEpochSecond()));
                LOG.warnf("Realm %s: revalidating document client %s failed, kept until its last fetch is older than %s: %s",
                        realm.getName(), url, settings.cacheCeiling(), e.getMessage());
                return;
            }
            if (client.isEnabled()) {
                LOG.warnf("Realm %s: document client %s disabled until its document is valid again: %s",
                        realm.getName(), url, e.getMessage());
            }
            client.setEnabled(false);
            client.setAttribute(DocumentClients.REFRESH_ERROR, e.rule() + ": " + e.getMessage());
        }
    }
}
