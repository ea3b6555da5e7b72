package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.cimd.resolve.BackgroundFlight;
import dev.workloadid.keycloak.cimd.resolve.CacheState;
import dev.workloadid.keycloak.cimd.resolve.DocumentFetcher;
import dev.workloadid.keycloak.cimd.resolve.FailureThrottle;
import dev.workloadid.keycloak.cimd.resolve.SingleFlight;
import dev.workloadid.keycloak.cimd.settings.CimdSettings;
import dev.workloadid.keycloak.common.keycloak.ClientAttributeCount;
import org.keycloak.models.RealmModel;

/**
 * This node's means of resolving documents, built once by {@link CimdClientStorageProviderFactory}
 * and handed to the lookup provider, the refresh task and the stale-use listener: the document
 * fetcher (with the server's loopback option), the failure throttle, the single flights of first
 * uses and of background revalidations, the document-client counter and the creation lock.
 */
final class CimdResolver {

    private final DocumentFetcher documents;
    private final boolean devAllowLoopback;
    private final FailureThrottle failures;
    private final SingleFlight<Boolean> firstUses = new SingleFlight<>();
    private final BackgroundFlight revalidations;
    private final ClientAttributeCount clientCount = new ClientAttributeCount(DocumentClients.MANAGED);
    /** Serializes this node's count-then-create of document clients (see DocumentClients). */
    private final Object creationLock = new Object();

    CimdResolver(DocumentFetcher documents, boolean devAllowLoopback, FailureThrottle failures, BackgroundFlight revalidations) {
        this.documents = documents;
        this.devAllowLoopback = devAllowLoopback;
        this.failures = failures;
        this.revalidations = revalidations;
    }

    /** The key of a URL in a realm, for the throttle and the flights. */
    static String key(RealmModel realm, String url) {
        return key(realm.getId(), url);
    }

    static String key(String realmId, String url) {
        return realmId + " " + url;
    }

    DocumentFetcher.Outcome fetch(String url, CimdSettings settings, CacheState previous) throws DocumentRejectedException {
        return documents.fetch(url, settings, devAllowLoopback, previous);
    }

    DocumentFetcher.Keys fetchKeys(String jwksUri, CimdSettings settings) throws DocumentRejectedException {
        return documents.fetchKeys(jwksUri, settings, devAllowLoopback);
    }

    FailureThrottle failures() {
        return failures;
    }

    SingleFlight<Boolean> firstUses() {
        return firstUses;
    }

    BackgroundFlight revalidations() {
        return revalidations;
    }

    ClientAttributeCount clientCount() {
        return clientCount;
    }

    Object creationLock() {
        return creationLock;
    }
}
