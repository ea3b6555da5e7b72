package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.cimd.metrics.CimdMeters;
import dev.workloadid.keycloak.cimd.resolve.FailureThrottle;
import dev.workloadid.keycloak.cimd.resolve.Refusal;
import dev.workloadid.keycloak.cimd.settings.CimdSettings;
import dev.workloadid.keycloak.cimd.url.ClientIdUrl;
import dev.workloadid.keycloak.cimd.url.UrlRuleException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ErrorPageException;
import org.keycloak.storage.client.ClientLookupProvider;
import org.keycloak.storage.client.ClientStorageProvider;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Called by Keycloak's ClientStorageManager for a client_id the database does not know, from every
 * endpoint that looks a client up (authorization, PAR, token, device, introspection, revocation,
 * the client authenticators). For an HTTPS URL in a realm with URL client_ids switched on, it
 * checks the URL, fetches and validates the document once per node (concurrent first uses wait for
 * that one fetch), creates the persisted client and returns it. From then on the database lookup
 * finds the client and this provider is not asked again; {@link CimdRefreshTask} keeps it current,
 * and a use after the document's lifetime has it revalidated at once ({@link StaleUseListenerFactory}).
 * The fetch-validate-create core is {@link FirstUse}; what it runs with, the node's {@link CimdResolver}.
 *
 * <p>A refusal returns no client, so each endpoint answers with its own "unknown client" error
 * ({@code invalid_client}); the reason goes to a {@code CLIENT_REGISTER_ERROR} event and the log.
 * At the authorization endpoint the user sees an error page with a fixed text, never the reason.
 */
public final class CimdClientStorageProvider implements ClientStorageProvider, ClientLookupProvider {

    private static final Logger LOG = Logger.getLogger(CimdClientStorageProvider.class);
    /** RFC 7591's error code, used as the Keycloak event error. */
    static final String INVALID_CLIENT_METADATA = "invalid_client_metadata";

    private final KeycloakSession session;
    private final CimdResolver resolver;
    private final FirstUse firstUse;

    CimdClientStorageProvider(KeycloakSession session, CimdResolver resolver) {
        this.session = session;
        this.resolver = resolver;
        this.firstUse = new FirstUse(session, resolver);
    }

    @Override
    public ClientModel getClientByClientId(RealmModel realm, String clientId) {
        if (!ClientIdUrl.looksLikeUrl(clientId) || FirstUse.underWay(clientId)) {
            return null;
        }
        Optional<CimdSettings> settings = CimdRealmSettings.enabled(realm);
        if (settings.isEmpty()) {
            return null;
        }
        try {
            URI url = ClientIdUrl.check(clientId, settings.get().allowQuery());
            settings.get().hosts().check(url.getHost());
        } catch (UrlRuleException e) {
            return refuse(realm, clientId, new Refusal(e.rule(), "invalid_client", e.getMessage()), true);
        }
        String key = CimdResolver.key(realm, clientId);
        FailureThrottle.Failure recent = resolver.failures().recent(key);
        if (recent != null) {
            CimdMeters.cacheHit(realm.getName(), "negative");
            return refuse(realm, clientId, new Refusal("CIMD-34", recent.oauthError(), recent.description()
                    + " (not fetched again before " + recent.retryAfter() + ")"), false);
        }
        CimdSettings s = settings.get();
        Refusal full = firstUse.realmFull(realm, s);
        if (full != null) {
            return refuse(realm, clientId, full, false);
        }
        Duration wait = s.totalTimeout().multipliedBy(3).plusSeconds(5);
        try {
            resolver.firstUses().run(key, wait, () -> created(realm, clientId, firstUse.create(realm, s, clientId)));
        } catch (DocumentRejectedException e) {
            resolver.failures().failed(key, s.failureRetry(), e.oauthError(), e.getMessage());
            return refuse(realm, clientId, Refusal.of(e), true);
        } catch (TimeoutException e) {
            return refuse(realm, clientId, new Refusal("CIMD-32", "invalid_client", e.getMessage()), true);
        } catch (Exception e) {
            LOG.warnf(e, "Realm %s: resolving client_id %s failed unexpectedly", realm.getName(), clientId);
            return refuse(realm, clientId, new Refusal("CIMD-32", "invalid_client",
                    "the client metadata document could not be processed"), false);
        }
        ClientModel client = DocumentClients.local(session, realm, clientId);
        if (client == null) {
            return refuse(realm, clientId, new Refusal("CIMD-32", "invalid_client",
                    "the client for this document could not be stored"), true);
        }
        return client;
    }

    /** Logs, records and counts a creation (inside the flight, so once however many requests waited). */
    private Boolean created(RealmModel realm, String url, boolean created) {
        if (created) {
            LOG.infof("Realm %s: created client for client metadata document %s", realm.getName(), url);
            event(realm, url).detail("cimd", "created").success();
            CimdMeters.documentClientCreated(realm.getName());
        }
        return created;
    }

    /**
     * Records a refusal (event with the detail; server log) and, at the authorization endpoint,
     * shows the user a fixed text (see {@link Refusal}). Returns null: each other endpoint answers
     * with its own unknown-client error, Keycloak's generic {@code invalid_client}.
     *
     * @param fresh true when this request decided the refusal (logged at INFO); false when it repeats
     *              a remembered one (DEBUG, so a flood of retries does not flood the log)
     */
    private ClientModel refuse(RealmModel realm, String clientId, Refusal refusal, boolean fresh) {
        if (fresh) {
            LOG.infof("Realm %s: client_id %s refused (%s, %s): %s", realm.getName(), clientId, refusal.rule(),
                    refusal.oauthError(), refusal.detail());
        } else {
            LOG.debugf("Realm %s: client_id %s refused (%s, %s): %s", realm.getName(), clientId, refusal.rule(),
                    refusal.oauthError(), refusal.detail());
        }
        event(realm, clientId).detail("cimd_rule", refusal.rule()).detail("oauth_error", refusal.oauthError())
                .detail(Details.REASON, refusal.detail()).error(INVALID_CLIENT_METADATA);
        if (atAuthorizationEndpoint()) {
            // No redirect: the redirect URI cannot be trusted (RFC 6749 4.1.2.1). Not a message-bundle
            // key, so the theme shows the text as it is.
            throw new ErrorPageException(session, Response.Status.BAD_REQUEST, refusal.userMessage());
        }
        return null;
    }

    private EventBuilder event(RealmModel realm, String clientId) {
        return new EventBuilder(realm, session, session.getContext().getConnection())
                // The event's client column is as long as the client_id column: an overlong URL is cut there.
                .event(EventType.CLIENT_REGISTER)
                .client(clientId.length() > ClientIdUrl.MAX_LENGTH ? clientId.substring(0, ClientIdUrl.MAX_LENGTH) : clientId)
                .detail("client_id_metadata_document", clientId);
    }

    private boolean atAuthorizationEndpoint() {
        try {
            return session.getContext().getUri() != null
                    && session.getContext().getUri().getPath().endsWith("/protocol/openid-connect/auth");
        } catch (RuntimeException e) {
            return false; // not in an HTTP request
        }
    }

    @Override
    public ClientModel getClientById(RealmModel realm, String id) {
        return null; // document clients are local clients with local ids
    }

    @Override
    public Stream<ClientModel> searchClientsByClientIdStream(RealmModel realm, String clientId, Integer firstResult, Integer maxResults) {
        return Stream.empty();
    }

    @Override
    public Stream<ClientModel> searchClientsByAttributes(RealmModel realm, Map<String, String> attributes, Integer firstResult, Integer maxResults) {
        return Stream.empty();
    }

    @Override
    public Map<String, ClientScopeModel> getClientScopes(RealmModel realm, ClientModel client, boolean defaultScopes) {
        return Map.of();
    }

    @Override
    public void close() {
    }
}
