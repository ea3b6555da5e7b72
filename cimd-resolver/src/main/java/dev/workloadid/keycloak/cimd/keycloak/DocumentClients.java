package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.document.AuthMethod;
import dev.workloadid.keycloak.cimd.document.ClientDocument;
import dev.workloadid.keycloak.cimd.resolve.CacheState;
import dev.workloadid.keycloak.cimd.resolve.DocumentFetcher;
import dev.workloadid.keycloak.cimd.settings.CimdSettings;
import dev.workloadid.keycloak.common.keycloak.ClientAttributeCount;
import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import dev.workloadid.keycloak.common.keycloak.TemplateClients;
import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.protocol.oidc.OIDCConfigAttributes;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.managers.RealmManager;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a validated document into a persisted Keycloak client (clientId = the URL, marked
 * document-managed by {@value #MANAGED}) and keeps it in step with later versions of the document.
 *
 * <p>Creation is cluster-safe: it runs in its own transaction, and the database's unique
 * (realm, clientId) constraint decides between concurrent first uses on any number of nodes; the
 * loser reads the winner's client. A failed creation rolls back whole, so nothing is half-created.
 */
final class DocumentClients {

    static final String MANAGED = PackClientAttributes.DOCUMENT_MANAGED;
    static final String URL = "cimd.url";
    static final String EXPIRES_AT = "cimd.expires_at";
    static final String ETAG = "cimd.etag";
    static final String LAST_MODIFIED = "cimd.last_modified";
    static final String FETCHED_AT = "cimd.fetched_at";
    static final String CREATED_AT = "cimd.created_at";
    static final String LAST_ACTIVE = "cimd.last_active";
    static final String REFRESH_ERROR = "cimd.refresh_error";
    /** The document's jwks_uri (its keys are stored inline) and when those keys must be fetched again. */
    static final String JWKS_URI = "cimd.jwks_uri";
    static final String KEYS_EXPIRE_AT = "cimd.keys_expire_at";
    /** {@value #KEYS_EXPIRE_AT} of a client whose document carries its keys itself. */
    static final String KEYS_INLINE = "inline";
    /** authenticator-spiffe's client authenticator id and client attribute (no code dependency). */
    static final String SPIFFE_AUTHENTICATOR = dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators.JWT_SVID;
    static final String DEVICE_GRANT_ATTRIBUTE = "oauth2.device.authorization.grant.enabled";
    private static final Logger LOG = Logger.getLogger(DocumentClients.class);

    private DocumentClients() {
    }

    static boolean isManaged(ClientModel client) {
        return client != null && "true".equals(client.getAttribute(MANAGED));
    }

    /**
     * Disabled by someone other than the pack (an administrator): the pack marks every client it
     * disables with {@value #REFRESH_ERROR}, and never enables, refreshes or removes one without it.
     */
    static boolean disabledByAdmin(ClientModel client) {
        return !client.isEnabled() && client.getAttribute(REFRESH_ERROR) == null;
    }

    static CacheState cacheState(ClientModel client) {
        String expires = client.getAttribute(EXPIRES_AT);
        long epoch = expires == null ? 0 : parseLong(expires);
        return new CacheState(Instant.ofEpochSecond(epoch), client.getAttribute(ETAG), client.getAttribute(LAST_MODIFIED));
    }

    /**
     * The local (database) client with this clientId, without asking client storage providers. Only a
     * row whose client ID is byte-equal to the URL: a case-, accent- or width-insensitive collation
     * answers SQL {@code =} with look-alikes ({@code httpś://...}), which must never stand in for the document.
     */
    static ClientModel local(KeycloakSession session, RealmModel realm, String clientId) {
        ClientModel row = session.getProvider(ClientProvider.class).getClientByClientId(realm, clientId);
        if (row != null && !sameClientId(clientId, row.getClientId())) {
            LOG.warnf("Realm %s: the database returned client '%s' for client_id '%s' (a case- or accent-insensitive "
                    + "collation?); not using it", realm.getName(), row.getClientId(), clientId);
            return null;
        }
        return row;
    }

    /** Whether a stored client ID is exactly (byte for byte) the requested one. */
    static boolean sameClientId(String requested, String stored) {
        return requested != null && requested.equals(stored);
    }

    /** What {@link #createInOwnTransaction} did. */
    enum Creation {
        CREATED,
        /** Another request (this node or another) created it first, or the insert did not commit: re-read. */
        NOT_CREATED,
        /** The realm has {@code maxDocumentClients} document clients already. */
        REALM_FULL
    }

    /** The realm's document clients, counted up to {@code limit} (see {@link ClientAttributeCount}). */
    static long countManaged(KeycloakSession session, RealmModel realm, ClientAttributeCount counter, int limit) {
        return counter.count(session, realm, "true", limit);
    }

    /**
     * Creates the client in its own transaction unless it exists or the realm is full.
     *
     * <p>The cap is counted again here, inside the creating transaction and under this node's
     * {@code creationLock}, so creations on one node never overshoot it. Across nodes two
     * transactions can still each count "one below the cap" and both commit: Keycloak has no
     * conditional insert, and a cluster-wide lock around every first use would put an Infinispan
     * round trip on each one for the sake of a DoS limit. So a burst can exceed the cap by at most
     * one client per additional node, and never grows further: the next count sees them all.
     */
    static Creation createInOwnTransaction(KeycloakSession session, RealmModel realm, CimdSettings settings,
                                           DocumentFetcher.Outcome outcome, ClientAttributeCount counter, Object creationLock) {
        String realmId = realm.getId();
        String url = outcome.document().clientId();
        try {
            synchronized (creationLock) {
                return KeycloakModelUtils.runJobInTransactionWithResult(session.getKeycloakSessionFactory(), tx -> {
                    RealmModel txRealm = tx.realms().getRealm(realmId);
                    tx.getContext().setRealm(txRealm);
                    if (local(tx, txRealm, url) != null) {
                        return Creation.NOT_CREATED;
                    }
                    if (settings.capped() && countManaged(tx, txRealm, counter, settings.maxDocumentClients())
                            >= settings.maxDocumentClients()) {
                        return Creation.REALM_FULL;
                    }
                    create(tx, txRealm, settings, outcome);
                    return Creation.CREATED;
                });
            }
        } catch (RuntimeException e) {
            // A concurrent first use (this node or another) won the unique constraint, or the insert
            // failed; either way this transaction rolled back whole. The caller re-reads.
            LOG.debugf(e, "Realm %s: creating the client of %s did not commit", realm.getName(), url);
            return Creation.NOT_CREATED;
        }
    }

    private static void create(KeycloakSession session, RealmModel realm, CimdSettings settings, DocumentFetcher.Outcome outcome) {
        ClientDocument doc = outcome.document();
        ClientRepresentation rep = new ClientRepresentation();
        rep.setClientId(doc.clientId());
        rep.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
        rep.setEnabled(true);
        rep.setFullScopeAllowed(false);
        ClientModel client = ClientManager.createClient(session, realm, rep);
        client.setAttribute(MANAGED, "true");
        client.setAttribute(URL, doc.clientId());
        client.setAttribute(CREATED_AT, Long.toString(Instant.now().getEpochSecond()));
        client.setAttribute(LAST_ACTIVE, Long.toString(Instant.now().getEpochSecond()));
        apply(session, realm, client, settings, outcome);
        applyTemplate(session, realm, settings.templateClient(), client);
    }

    /** Writes the document's content and cache state onto the client (creation and refresh). */
    static void apply(KeycloakSession session, RealmModel realm, ClientModel client, CimdSettings settings,
                      DocumentFetcher.Outcome outcome) {
        ClientDocument doc = outcome.document();
        String previousName = client.getName();
        Set<String> previousRedirects = client.getRedirectUris() == null ? Set.of() : Set.copyOf(client.getRedirectUris());
        client.setName(displayName(doc));
        client.setDescription("Client ID Metadata Document client, managed by Keycloak from " + doc.clientId());
        client.setConsentRequired(settings.consentRequired());
        // Only the pack's own disabling (marked by REFRESH_ERROR) is undone: a client an administrator
        // disabled stays disabled.
        client.setEnabled(client.isEnabled() || client.getAttribute(REFRESH_ERROR) != null);
        client.removeAttribute(REFRESH_ERROR);
        boolean isPublic = doc.authMethod() == AuthMethod.NONE;
        client.setPublicClient(isPublic);
        client.setBearerOnly(false);
        client.setClientAuthenticatorType(switch (doc.authMethod()) {
            case NONE -> "client-secret"; // ignored for public clients
            case PRIVATE_KEY_JWT -> "client-jwt";
            case SPIFFE_JWT -> SPIFFE_AUTHENTICATOR;
        });
        client.setStandardFlowEnabled(doc.allows(ClientDocument.AUTHORIZATION_CODE));
        client.setImplicitFlowEnabled(false);
        client.setDirectAccessGrantsEnabled(false);
        boolean serviceAccount = !isPublic && doc.allows(ClientDocument.CLIENT_CREDENTIALS);
        if (serviceAccount && !client.isServiceAccountsEnabled()) {
            client.setServiceAccountsEnabled(true);
            if (session.users().getServiceAccount(client) == null) {
                new ClientManager(new RealmManager(session)).enableServiceAccount(client);
                // A service account made on a refresh gets the template's roles, as one made at creation does.
                ClientModel template = template(session, realm, settings.templateClient());
                if (template != null) {
                    TemplateClients.grantServiceAccountRoles(session, template, client);
                }
            }
        } else if (!serviceAccount) {
            client.setServiceAccountsEnabled(false);
        }
        client.setRedirectUris(new LinkedHashSet<>(doc.redirectUris()));
        if (previousName != null && (!previousName.equals(client.getName())
                || !previousRedirects.equals(Set.copyOf(doc.redirectUris())))) {
            revokeConsents(session, realm, client);
        }
        client.setWebOrigins(doc.redirectUris().isEmpty() ? Set.of() : Set.of("+"));
        client.setAttribute(OIDCConfigAttributes.PKCE_CODE_CHALLENGE_METHOD, "S256");
        client.setAttribute(OIDCConfigAttributes.USE_REFRESH_TOKEN, Boolean.toString(doc.allows(ClientDocument.REFRESH_TOKEN)));
        client.setAttribute(DEVICE_GRANT_ATTRIBUTE, Boolean.toString(doc.allows(ClientDocument.DEVICE_CODE)));
        if (doc.authMethod() == AuthMethod.PRIVATE_KEY_JWT) {
            // The keys Keycloak's client-jwt authenticator checks; jwks_uri was fetched by the safe
            // fetcher, so Keycloak itself never fetches a URL the document named.
            client.setAttribute(OIDCConfigAttributes.USE_JWKS_URL, "false");
            client.removeAttribute(OIDCConfigAttributes.JWKS_URL);
            client.setAttribute(OIDCConfigAttributes.USE_JWKS_STRING, "true");
            client.setAttribute(OIDCConfigAttributes.JWKS_STRING, outcome.jwks());
        } else {
            client.removeAttribute(OIDCConfigAttributes.USE_JWKS_STRING);
            client.removeAttribute(OIDCConfigAttributes.JWKS_STRING);
        }
        if (outcome.keysExpireAt() != null) {
            storeKeys(client, doc.jwksUri(), new DocumentFetcher.Keys(outcome.jwks(), outcome.keysExpireAt()));
        } else {
            client.removeAttribute(JWKS_URI);
            setOrRemove(client, KEYS_EXPIRE_AT, doc.authMethod() == AuthMethod.PRIVATE_KEY_JWT ? KEYS_INLINE : null);
        }
        if (doc.authMethod() == AuthMethod.SPIFFE_JWT) {
            client.setAttribute(PackClientAttributes.DOCUMENT_SPIFFE_ID, doc.spiffeId());
        } else {
            client.removeAttribute(PackClientAttributes.DOCUMENT_SPIFFE_ID);
        }
        // Never the searchable binding: a document host must not be able to crowd or claim another
        // workload's SPIFFE ID in the client_id-less search (clients made by 0.1.0 carried it).
        client.removeAttribute(PackClientAttributes.SPIFFE_BINDING);
        storeCacheState(client, outcome.cache());
    }

    /**
     * What users consented to was this name and these redirect URIs: once either changes, every
     * user is asked again. Keycloak's own removal of a client's consents (all users, this node's
     * user cache and the cluster's), without removing the client.
     */
    private static void revokeConsents(KeycloakSession session, RealmModel realm, ClientModel client) {
        LOG.infof("Realm %s: the document of %s changed its name or redirect URIs; users' consents to it are revoked",
                realm.getName(), client.getClientId());
        session.users().preRemove(realm, client);
    }

    /** Keys fetched from the document's jwks_uri, kept until their own cache lifetime ends. */
    static void storeKeys(ClientModel client, String jwksUri, DocumentFetcher.Keys keys) {
        client.setAttribute(OIDCConfigAttributes.JWKS_STRING, keys.jwks());
        client.setAttribute(JWKS_URI, jwksUri);
        client.setAttribute(KEYS_EXPIRE_AT, Long.toString(keys.expiresAt().getEpochSecond()));
    }

    /** The jwks_uri whose keys are due for a fetch, or null (no fetched keys, or still fresh). */
    static String keysDue(ClientModel client, Instant now) {
        String uri = client.getAttribute(JWKS_URI);
        return uri != null && parseLong(client.getAttribute(KEYS_EXPIRE_AT)) <= now.getEpochSecond() ? uri : null;
    }

    /**
     * A private_key_jwt client stored by a build that did not record where its keys came from: its
     * document is fetched in full once (no conditional request), so that its keys get a lifetime.
     */
    static boolean keysUnrecorded(ClientModel client) {
        return "client-jwt".equals(client.getClientAuthenticatorType()) && client.getAttribute(KEYS_EXPIRE_AT) == null;
    }

    static void storeCacheState(ClientModel client, CacheState cache) {
        client.setAttribute(EXPIRES_AT, Long.toString(cache.expiresAt().getEpochSecond()));
        client.setAttribute(FETCHED_AT, Long.toString(Instant.now().getEpochSecond()));
        setOrRemove(client, ETAG, cache.etag());
        setOrRemove(client, LAST_MODIFIED, cache.lastModified());
    }

    /**
     * MCP-14 / CIMD-44: the consent screen shows the client's name, so the name carries the host of
     * the client_id and the hosts it redirects to; a document cannot pose as another site.
     */
    static String displayName(ClientDocument doc) {
        String host = URI.create(doc.clientId()).getHost();
        String name = doc.clientName() == null || doc.clientName().isBlank() ? host : doc.clientName().strip();
        if (name.length() > 100) {
            name = name.substring(0, 100) + "...";
        }
        Set<String> redirectHosts = doc.redirectUris().stream().map(DocumentClients::hostOf)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        String redirects = redirectHosts.isEmpty() ? "" : ", redirects to " + String.join(", ", redirectHosts);
        return name + " (" + host + redirects + ")";
    }

    private static String hostOf(String uri) {
        URI u = URI.create(uri);
        return u.getHost() != null ? u.getHost() : u.getScheme() + ":";
    }

    /** Client scopes, scope mappings and service-account roles of the realm's template client. */
    private static void applyTemplate(KeycloakSession session, RealmModel realm, String templateClientId, ClientModel client) {
        ClientModel template = template(session, realm, templateClientId);
        if (template != null) {
            TemplateClients.copy(session, realm, template, client);
        }
    }

    /** The realm's template client, or null when none is set or it is gone (logged). */
    private static ClientModel template(KeycloakSession session, RealmModel realm, String templateClientId) {
        if (templateClientId == null) {
            return null;
        }
        ClientModel template = local(session, realm, templateClientId);
        if (template == null) {
            LOG.warnf("Realm %s: CIMD template client '%s' does not exist; using the realm's default client scopes",
                    realm.getName(), templateClientId);
        }
        return template;
    }

    private static void setOrRemove(ClientModel client, String name, String value) {
        if (value == null) {
            client.removeAttribute(name);
        } else {
            client.setAttribute(name, value);
        }
    }

    static long parseLong(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException | NullPointerException e) {
            return 0;
        }
    }
}
