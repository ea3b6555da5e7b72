package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.dcr.endpoint.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
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
                    integer(b, MAX, "Maximum clients per software_id", 5, "Registrations beyond this count are refused.");
                    bool(b, REQUIRE, "Require software_id", false, "Refuse registrations without a software_id.");
                },
                Policy::new);
    }

    static final class Policy extends PackPolicy {
        Policy(KeycloakSession session, ComponentModel model) {
            super(session, model);
        }

        @Override
        void check(ClientRegistrationContext context, RegistrationRequest request, ClientModel existing) {
            String softwareId = request.softwareId();
            if (softwareId == null || softwareId.isBlank()) {
                if (flag(REQUIRE, false)) {
                    throw DcrError.metadata("software_id is required");
                }
                return;
            }
            if (existing != null && Objects.equals(softwareId, existing.getAttribute(RegistrationRequest.ATTR_SOFTWARE_ID))) {
                return;
            }
            int max = number(MAX, 5);
            // A stream over the realm's clients: software_id is not a searchable attribute by default.
            long count = session.getContext().getRealm().getClientsStream()
                    .filter(c -> softwareId.equals(c.getAttribute(RegistrationRequest.ATTR_SOFTWARE_ID)))
                    .limit(max + 1L).count();
            if (count >= max) {
                throw DcrError.metadata("software_id " + softwareId + " already has the maximum of " + max + " clients");
            }
        }
    }
}
