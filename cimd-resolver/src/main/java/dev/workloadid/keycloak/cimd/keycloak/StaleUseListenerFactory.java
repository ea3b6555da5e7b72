package dev.workloadid.keycloak.cimd.keycloak;

import org.keycloak.Config;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.storage.client.ClientStorageProvider;

import java.time.Instant;

/**
 * Starts the revalidation of a document client as soon as it is used after its cache lifetime,
 * instead of leaving it to the next run of {@link CimdRefreshTask}. Keycloak records every use of a
 * client as an event naming it (authorization, code and refresh token exchanges, client_credentials,
 * PAR, device, introspection, revocation, and their errors), and a global listener hears them in
 * every realm, whatever the realm's own event settings. The listener only checks the client's
 * stored cache state (a cached read) and hands the work to the storage factory's bounded
 * background pool: the request is answered from the client as it is, never waits for the host.
 */
public final class StaleUseListenerFactory implements EventListenerProviderFactory {

    public static final String ID = "wi-cimd-stale-use";

    /** The lookup factory, which owns the resolver and the background pool; found once, at start. */
    private CimdClientStorageProviderFactory storage;

    @Override
    public String getId() {
        return ID;
    }

    /** Heard in every realm without being added to its event listeners. */
    @Override
    public boolean isGlobal() {
        return true;
    }

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new Listener(session, storage);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        if (factory.getProviderFactory(ClientStorageProvider.class, CimdClientStorageProviderFactory.ID)
                instanceof CimdClientStorageProviderFactory found) {
            storage = found;
        }
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void close() {
    }

    private record Listener(KeycloakSession session, CimdClientStorageProviderFactory storage) implements EventListenerProvider {

        @Override
        public void onEvent(Event event) {
            String clientId = event.getClientId();
            if (storage == null || clientId == null || !clientId.startsWith("https://") || event.getRealmId() == null) {
                return;
            }
            RealmModel realm = session.realms().getRealm(event.getRealmId());
            if (realm == null) {
                return;
            }
            // Only the stored client: a URL the database does not know is the lookup provider's business.
            ClientModel client = FirstUse.withoutResolving(clientId, () -> session.clients().getClientByClientId(realm, clientId));
            if (!DocumentClients.isManaged(client) || !DocumentClients.sameClientId(clientId, client.getClientId())
                    || DocumentClients.disabledByAdmin(client) || !DocumentClients.revalidationDue(client, Instant.now())
                    || FirstUse.fetchedInThisRequest(session, realm, clientId)) {
                return;
            }
            storage.revalidateSoon(session.getKeycloakSessionFactory(), realm, client);
        }

        @Override
        public void onEvent(AdminEvent event, boolean includeRepresentation) {
        }

        @Override
        public void close() {
        }
    }
}
