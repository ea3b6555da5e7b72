package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.cimd.metrics.CimdMeters;
import dev.workloadid.keycloak.cimd.resolve.DocumentFetcher;
import dev.workloadid.keycloak.cimd.resolve.FailureThrottle;
import dev.workloadid.keycloak.cimd.resolve.Refusal;
import dev.workloadid.keycloak.cimd.settings.CimdSettings;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.HashSet;
import java.util.Set;

/**
 * The first use of a URL client_id on this node: whether the realm may take one more document
 * client, and the fetch-validate-create core that {@link CimdClientStorageProvider} runs once per
 * node per URL at a time (in its single flight).
 */
final class FirstUse {

    private static final Logger LOG = Logger.getLogger(FirstUse.class);
    /** Session attribute prefix: this request fetched the document (see {@link #fetchedInThisRequest}). */
    private static final String FETCHED = "wi-cimd.fetched:";
    /** Lookups of the URL being created, from inside the creation (Keycloak re-reads clients). */
    private static final ThreadLocal<Set<String>> RESOLVING = ThreadLocal.withInitial(HashSet::new);

    private final KeycloakSession session;
    private final CimdResolver resolver;

    FirstUse(KeycloakSession session, CimdResolver resolver) {
        this.session = session;
        this.resolver = resolver;
    }

    /** Whether this thread is creating (or only looking up) {@code url}: the lookup provider then answers nothing. */
    static boolean underWay(String url) {
        return RESOLVING.get().contains(url);
    }

    /** Runs {@code lookup} with the lookup provider answering nothing for {@code url} (no fetch, no creation). */
    static <T> T withoutResolving(String url, java.util.function.Supplier<T> lookup) {
        Set<String> resolving = RESOLVING.get();
        boolean added = resolving.add(url);
        try {
            return lookup.get();
        } finally {
            if (added) {
                resolving.remove(url);
            }
        }
    }

    /**
     * Whether this request fetched the document itself: its own use is then no reason to fetch it
     * again, however long the fetch took compared with the document's lifetime.
     */
    static boolean fetchedInThisRequest(KeycloakSession session, RealmModel realm, String url) {
        return session.getAttribute(FETCHED + CimdResolver.key(realm, url)) != null;
    }

    /**
     * {@value CimdSettings#MAX_CLIENTS}: a realm that has that many document clients takes no new
     * URL (existing document clients are found in the database and never get here). Checked before
     * any fetch, so a full realm fetches nothing; a full count is remembered on this node for the
     * realm's failure retry time, so a flood of new URLs costs one count per node per interval.
     */
    Refusal realmFull(RealmModel realm, CimdSettings settings) {
        if (!settings.capped()) {
            return null;
        }
        String key = CimdResolver.key(realm, CimdSettings.MAX_CLIENTS);
        FailureThrottle.Failure remembered = resolver.failures().recent(key);
        if (remembered != null) {
            return new Refusal(CimdSettings.MAX_CLIENTS, remembered.oauthError(), remembered.description());
        }
        long count = DocumentClients.countManaged(session, realm, resolver.clientCount(), settings.maxDocumentClients());
        if (count < settings.maxDocumentClients()) {
            return null;
        }
        return full(realm, settings);
    }

    private Refusal full(RealmModel realm, CimdSettings settings) {
        String description = "this realm has reached its limit of " + settings.maxDocumentClients()
                + " document clients (setting " + CimdSettings.MAX_CLIENTS + ")";
        resolver.failures().failed(CimdResolver.key(realm, CimdSettings.MAX_CLIENTS), settings.failureRetry(),
                "invalid_client", description);
        LOG.warnf("Realm %s: %s; new URL client_ids are refused until document clients are removed or the limit is raised",
                realm.getName(), description);
        return new Refusal(CimdSettings.MAX_CLIENTS, "invalid_client", description);
    }

    /**
     * Fetches, validates and creates.
     *
     * @return true when this call created the client; false when it exists already (another node,
     *         or an earlier flight) or a concurrent creation won
     */
    boolean create(RealmModel realm, CimdSettings settings, String url) throws DocumentRejectedException {
        if (DocumentClients.local(session, realm, url) != null) {
            CimdMeters.cacheHit(realm.getName(), "positive");
            return false;
        }
        DocumentFetcher.Outcome outcome = resolver.fetch(url, settings, null);
        session.setAttribute(FETCHED + CimdResolver.key(realm, url), Boolean.TRUE);
        resolver.failures().succeeded(CimdResolver.key(realm, url));
        DocumentClients.Creation creation = withoutResolving(url, () -> DocumentClients.createInOwnTransaction(session,
                realm, settings, outcome, resolver.clientCount(), resolver.creationLock()));
        if (creation == DocumentClients.Creation.REALM_FULL) {
            Refusal full = full(realm, settings);
            throw new DocumentRejectedException(full.rule(), full.oauthError(), full.detail());
        }
        return creation == DocumentClients.Creation.CREATED;
    }
}
