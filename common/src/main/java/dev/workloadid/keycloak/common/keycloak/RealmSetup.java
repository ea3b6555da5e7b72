package dev.workloadid.keycloak.common.keycloak;

import org.jboss.logging.Logger;
import org.keycloak.cluster.ClusterProvider;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderEvent;

import java.util.List;

/**
 * What saving a module's realm admin page adds to the realm (flow bindings, registration policies,
 * helper components), as one idempotent {@link #reconcile} that the page's save calls and that also
 * runs for realms that never went through the page:
 * <ul>
 *   <li>{@link RealmModel.RealmPostCreateEvent}: fired by Keycloak's {@code RealmManager.importRealm}
 *       at the end of every realm creation, i.e. {@code POST /admin/realms} (with or without a full
 *       representation), {@code --import-realm}, {@code kc.sh import}. The realm's components, flows
 *       and Keycloak's default registration policies exist by then; it runs in the creating
 *       transaction, so the realm is created with what the reconcile adds or not at all.</li>
 *   <li>{@link ClientModel.ClientUpdatedEvent} of a client the module {@linkplain #concerns cares
 *       about}: {@code partialImport} (which brings clients, roles, groups, users and identity
 *       providers, never components) and admin updates of a client. Ignored while its realm is being
 *       created: the realm import creates clients before it binds flows and adds Keycloak's default
 *       registration policies, which it skips if any policy exists; the post-create event follows.</li>
 *   <li>{@link PostMigrationEvent} (server start, after migration and {@code --import-realm}): every
 *       realm, one transaction per realm, under the cluster task lock so that two nodes starting at
 *       once do not both add the same flow execution or policy. Realms imported with the
 *       {@code IGNORE_EXISTING} strategy, or from before this reconcile existed, get it here.</li>
 * </ul>
 * Providers' {@code postInit} runs before Keycloak's start-up import, so a factory that calls
 * {@link #register} from {@code postInit} sees that import's events.
 */
public abstract class RealmSetup {

    private static final Logger LOG = Logger.getLogger(RealmSetup.class);
    /** Session attribute prefix marking a realm whose creation (import) is still under way. */
    private static final String CREATING = "wi.realm-setup.creating.";
    /** Longest a start-up reconcile of all realms may hold the cluster task lock. */
    private static final int STARTUP_LOCK_SECONDS = 300;

    private final String name;

    /** @param name short name for logs and the cluster task key, e.g. "spiffe" */
    protected RealmSetup(String name) {
        this.name = name;
    }

    /**
     * Adds what the realm needs and lacks, in the caller's transaction; changes nothing when all is
     * there (the start-up run calls it for every realm).
     */
    public abstract void reconcile(KeycloakSession session, RealmModel realm);

    /** Whether a created or updated client makes its realm worth reconciling; none by default. */
    protected boolean concerns(ClientModel client) {
        return false;
    }

    /** Listens for the events above; call once, from a provider factory's {@code postInit}. */
    public final void register(KeycloakSessionFactory factory) {
        factory.register(event -> onEvent(factory, event));
    }

    void onEvent(KeycloakSessionFactory factory, ProviderEvent event) {
        if (event instanceof RealmModel.RealmCreationEvent creation) {
            creation.getKeycloakSession().setAttribute(CREATING + creation.getCreatedRealm().getId(), Boolean.TRUE);
        } else if (event instanceof RealmModel.RealmPostCreateEvent created) {
            created.getKeycloakSession().removeAttribute(CREATING + created.getCreatedRealm().getId());
            run(created.getKeycloakSession(), created.getCreatedRealm(), "created");
        } else if (event instanceof ClientModel.ClientUpdatedEvent updated) {
            ClientModel client = updated.getUpdatedClient();
            KeycloakSession session = updated.getKeycloakSession();
            RealmModel realm = client.getRealm();
            if (realm != null && session.getAttribute(CREATING + realm.getId()) == null && concerns(client)) {
                run(session, realm, "client " + client.getClientId() + " changed");
            }
        } else if (event instanceof PostMigrationEvent) {
            reconcileAll(factory);
        }
    }

    /** Every realm, each in its own transaction, by one node of the cluster at a time. */
    void reconcileAll(KeycloakSessionFactory factory) {
        KeycloakModelUtils.runJobInTransaction(factory, session -> {
            ClusterProvider cluster = session.getProvider(ClusterProvider.class);
            if (cluster == null) {
                reconcileEach(factory);
                return;
            }
            var result = cluster.executeIfNotExecuted("wi-realm-setup-" + name, STARTUP_LOCK_SECONDS, () -> {
                reconcileEach(factory);
                return null;
            });
            if (!result.isExecuted()) {
                LOG.debugf("%s realm set-up: another node is running it", name);
            }
        });
    }

    private void reconcileEach(KeycloakSessionFactory factory) {
        List<String> realmIds = KeycloakModelUtils.runJobInTransactionWithResult(factory,
                session -> session.realms().getRealmsStream().map(RealmModel::getId).toList());
        for (String realmId : realmIds) {
            try {
                KeycloakModelUtils.runJobInTransaction(factory, session -> {
                    RealmModel realm = session.realms().getRealm(realmId);
                    if (realm != null) {
                        session.getContext().setRealm(realm);
                        reconcile(session, realm);
                    }
                });
            } catch (RuntimeException e) {
                // One broken realm must not keep the others (or the server start) from their set-up.
                LOG.warnf(e, "%s realm set-up of realm %s failed at start; saving its page in the admin console retries",
                        name, realmId);
            }
        }
    }

    private void run(KeycloakSession session, RealmModel realm, String why) {
        LOG.debugf("%s realm set-up of %s (%s)", name, realm.getName(), why);
        reconcile(session, realm);
    }
}
