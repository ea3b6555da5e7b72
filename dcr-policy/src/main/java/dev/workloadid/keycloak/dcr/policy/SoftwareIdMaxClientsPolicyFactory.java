package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import dev.workloadid.keycloak.common.keycloak.ClientAttributeCount;
import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.SingleUseObjectProvider;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.util.Objects;

/** Policy {@value #ID}: at most N clients of the realm carry the same software_id. */
public final class SoftwareIdMaxClientsPolicyFactory extends PackPolicyFactory {

    public static final String ID = "wi-software-id-max-clients";
    static final String MAX = "max-clients";
    static final String REQUIRE = "require-software-id";

    public SoftwareIdMaxClientsPolicyFactory() {
        super(ID, "Caps how many clients may share one software_id (counted in the database, so on every node), "
                        + "and can require a software_id.",
                b -> {
                    b.integer(MAX, "Maximum clients per software_id", 5, 1, 1_000_000,
                            "Registrations beyond this count are refused.");
                    b.bool(REQUIRE, "Require software_id", false, "Refuse registrations without a software_id.");
                });
    }

    /** Remembers only whether software_id is searchable on this server (a server-wide option). */
    private static final ClientAttributeCount COUNT = new ClientAttributeCount(PackClientAttributes.SOFTWARE_ID);

    /** How long a reservation outlives a node that died mid-registration. */
    static final long RESERVATION_SECONDS = 30;

    @Override
    void check(PackPolicy policy, ClientRegistrationContext context, RegistrationRequest request, ClientModel existing) {
        String softwareId = request.softwareId();
        if (softwareId == null || softwareId.isBlank()) {
            if (policy.flag(REQUIRE, false)) {
                throw DcrError.metadata("software_id is required");
            }
            return;
        }
        if (existing != null && Objects.equals(softwareId, existing.getAttribute(PackClientAttributes.SOFTWARE_ID))) {
            return;
        }
        int max = policy.number(MAX, 5);
        KeycloakSession session = policy.session();
        RealmModel realm = session.getContext().getRealm();
        reserve(session, softwareId);
        if (COUNT.count(session, realm, softwareId, max + 1) >= max) {
            throw DcrError.metadata("software_id " + softwareId + " already has the maximum of " + max + " clients");
        }
    }

    /**
     * Count-then-create is only exact if no other registration for the same software_id is
     * between its count and its commit, on any node. So one registration per software_id at a
     * time, cluster-wide: a key in Keycloak's single-use object store (Infinispan) held until this
     * request's transaction ends. A concurrent one is told to retry; a crashed node's key expires.
     */
    private static void reserve(KeycloakSession session, String softwareId) {
        SingleUseObjectProvider objects = session.singleUseObjects();
        // Per realm, not per policy component: the anonymous and authenticated sets each have one,
        // and registrations through both count the same clients.
        String key = "wi-dcr-swid:" + session.getContext().getRealm().getId() + ":" + softwareId;
        if (!objects.putIfAbsent(key, RESERVATION_SECONDS)) {
            throw new DcrError("temporarily_unavailable",
                    "another registration for software_id " + softwareId + " is in progress; retry", 429);
        }
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                objects.remove(key);
            }

            @Override
            protected void rollbackImpl() {
                objects.remove(key);
            }
        });
    }
}
