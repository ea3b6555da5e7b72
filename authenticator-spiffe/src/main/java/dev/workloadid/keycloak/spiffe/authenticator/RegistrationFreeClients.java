package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.common.keycloak.ClientAttributeCount;
import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators;
import dev.workloadid.keycloak.common.keycloak.TemplateClients;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
import io.spiffe.spiffeid.SpiffeId;
import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.managers.RealmManager;

import java.util.Map;

/**
 * Creates the client of a registration-free workload on its first authenticated request: clientId =
 * the SPIFFE ID, bound to it through {@link SpiffeClients#SPIFFE_ID_ATTRIBUTE}, confidential, service
 * account on, scopes and service-account roles copied from the trust domain's template client.
 *
 * <p>Cluster-safe: the insert runs in its own transaction and the database's unique constraint on
 * (realm, clientId) decides between concurrent first requests on any number of nodes; the loser
 * reads the winner's client. No JVM lock is involved.
 */
final class RegistrationFreeClients {

    static final String REGISTRATION_ATTRIBUTE = PackClientAttributes.SPIFFE_REGISTRATION;
    static final String REGISTRATION_FREE = PackClientAttributes.REGISTRATION_FREE;
    static final String TRUST_DOMAIN_ATTRIBUTE = PackClientAttributes.SPIFFE_TRUST_DOMAIN;
    private static final Logger LOG = Logger.getLogger(RegistrationFreeClients.class);
    /** Session attribute: this session creates a registration-free client (see {@link #creating}). */
    private static final String CREATING = RegistrationFreeClients.class.getName() + ".creating";
    /** Remembers only whether the attribute is searchable on this server (a server-wide option). */
    private static final ClientAttributeCount COUNT = new ClientAttributeCount(TRUST_DOMAIN_ATTRIBUTE,
            c -> REGISTRATION_FREE.equals(c.getAttribute(REGISTRATION_ATTRIBUTE)) && c.getRegistrationToken() == null);

    private RegistrationFreeClients() {
    }

    /**
     * The workload's client, created now if it does not exist yet. A client with that client ID that
     * this class did not create (see {@link #ours}) is never returned: null, and the caller refuses.
     */
    static ClientModel obtain(KeycloakSession session, RealmModel realm, TrustDomainSettings settings,
                              SpiffeId id, String authenticatorType) {
        String clientId = id.toString();
        ClientModel existing = session.clients().getClientByClientId(realm, clientId);
        if (existing != null) {
            return ours(existing, id) ? existing : notOurs(realm, existing);
        }
        String realmId = realm.getId();
        try {
            KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), tx -> {
                RealmModel txRealm = tx.realms().getRealm(realmId);
                tx.getContext().setRealm(txRealm);
                if (tx.clients().getClientByClientId(txRealm, clientId) == null) {
                    tx.setAttribute(CREATING, Boolean.TRUE);
                    checkLimit(tx, txRealm, settings);
                    create(tx, txRealm, settings, id, authenticatorType);
                }
            });
            LOG.infof("Realm %s: created registration-free client for %s", realm.getName(), clientId);
        } catch (LimitReachedException e) {
            ClientModel raced = session.clients().getClientByClientId(realm, clientId);
            if (raced != null) {
                return raced;
            }
            LOG.warnf("Realm %s: %s; refused a client for %s", realm.getName(), e.getMessage(), clientId);
            throw e;
        } catch (RuntimeException e) {
            // Most likely a concurrent first request (this or another node) won the unique constraint.
            LOG.debugf(e, "Realm %s: creating the client of %s did not commit; reading the existing one", realm.getName(), clientId);
        }
        ClientModel created = session.clients().getClientByClientId(realm, clientId);
        return created == null || ours(created, id) ? created : notOurs(realm, created);
    }

    /**
     * Whether the session is creating a registration-free client. Such a client is bound exactly to an
     * ID that no registration matched, so it is a better match for no association any node remembers.
     */
    static boolean creating(KeycloakSession session) {
        return session.getAttribute(CREATING) != null;
    }

    /**
     * Whether the client is the workload's registration-free client: byte-equal client ID (a lenient
     * database collation may return a look-alike), bound exactly to the ID, a SPIFFE authenticator, and
     * the pack's marker on a client no registration endpoint made (see {@link SpiffeClients#trustedBinding}).
     */
    static boolean ours(ClientModel client, SpiffeId id) {
        return id.toString().equals(client.getClientId())
                && id.toString().equals(client.getAttribute(SpiffeClients.SPIFFE_ID_ATTRIBUTE))
                && SpiffeAuthenticators.IDS.contains(client.getClientAuthenticatorType())
                && REGISTRATION_FREE.equals(client.getAttribute(REGISTRATION_ATTRIBUTE))
                && client.getRegistrationToken() == null;
    }

    private static ClientModel notOurs(RealmModel realm, ClientModel client) {
        LOG.warnf("Realm %s: client %s exists but is not a registration-free client the pack created; not using it",
                realm.getName(), client.getClientId());
        return null;
    }

    /**
     * The trust domain's cap on clients created this way. Counted in the database, so on every node;
     * simultaneous first requests on several nodes can each pass the count, so the cap may be exceeded
     * by that many (a bound, not a hole: each still needs a valid SVID on the allow-list).
     */
    private static void checkLimit(KeycloakSession session, RealmModel realm, TrustDomainSettings settings) {
        int max = settings.registrationFreeMaxClients();
        if (max > 0 && COUNT.count(session, realm, settings.trustDomain().getName(), max) >= max) {
            throw new LimitReachedException(settings.trustDomain().getName(), max);
        }
    }

    /** The trust domain already has as many registration-free clients as it may. */
    static final class LimitReachedException extends RuntimeException {
        LimitReachedException(String trustDomain, int max) {
            super("trust domain " + trustDomain + " has reached its limit of " + max + " registration-free clients");
        }
    }

    private static void create(KeycloakSession session, RealmModel realm, TrustDomainSettings settings,
                               SpiffeId id, String authenticatorType) {
        ClientRepresentation rep = new ClientRepresentation();
        rep.setClientId(id.toString());
        rep.setName(id.toString());
        rep.setDescription("Created on first use by SPIFFE workload " + id + " (registration-free, trust domain "
                + settings.trustDomain().getName() + ")");
        rep.setProtocol("openid-connect");
        rep.setEnabled(true);
        rep.setPublicClient(false);
        rep.setClientAuthenticatorType(authenticatorType);
        rep.setServiceAccountsEnabled(true);
        rep.setStandardFlowEnabled(false);
        rep.setImplicitFlowEnabled(false);
        rep.setDirectAccessGrantsEnabled(false);
        rep.setFullScopeAllowed(false);
        rep.setAttributes(Map.of(
                SpiffeClients.SPIFFE_ID_ATTRIBUTE, id.toString(),
                REGISTRATION_ATTRIBUTE, REGISTRATION_FREE,
                TRUST_DOMAIN_ATTRIBUTE, settings.trustDomain().getName()));
        ClientModel client = ClientManager.createClient(session, realm, rep);
        new ClientManager(new RealmManager(session)).enableServiceAccount(client);
        applyTemplate(session, realm, settings.registrationFreeTemplateClient(), client);
    }

    /** Copies the template client's client scopes and its service account's roles. */
    private static void applyTemplate(KeycloakSession session, RealmModel realm, String templateClientId, ClientModel client) {
        if (templateClientId == null) {
            return;
        }
        ClientModel template = session.clients().getClientByClientId(realm, templateClientId);
        if (template == null) {
            LOG.warnf("Realm %s: registration-free template client '%s' does not exist; using realm defaults",
                    realm.getName(), templateClientId);
            return;
        }
        TemplateClients.copy(session, realm, template, client);
    }
}
