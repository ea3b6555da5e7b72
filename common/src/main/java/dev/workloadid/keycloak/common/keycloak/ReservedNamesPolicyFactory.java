package dev.workloadid.keycloak.common.keycloak;

import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.clientregistration.ClientRegistrationContext;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;

import java.util.List;
import java.util.Optional;

/**
 * A registration policy without settings that a pack JAR installs by itself: it applies the pack's
 * reserved-name rule ({@link ReservedRegistration}) and then its own check, and refuses with 400
 * {@code invalid_client_metadata} on every endpoint (see {@link WriteCheckPolicy#invalidClientMetadata}).
 */
public abstract class ReservedNamesPolicyFactory extends DescribedPolicyFactory {

    protected ReservedNamesPolicyFactory(String id, String help) {
        super(id, help, List.of());
    }

    /**
     * The policy's own refusal, checked after the reserved-name rule.
     *
     * @param existing the client being updated, or null for a registration
     */
    protected abstract Optional<String> refusal(ClientRegistrationContext context, ClientModel existing);

    @Override
    public ClientRegistrationPolicy create(KeycloakSession session, ComponentModel model) {
        return new WriteCheckPolicy() {
            @Override
            protected void check(ClientRegistrationContext context, ClientModel existing) {
                if (context.getClient() == null) {
                    return;
                }
                ReservedRegistration.refusal(context, existing).or(() -> refusal(context, existing)).ifPresent(reason -> {
                    throw invalidClientMetadata(context, getId(), reason);
                });
            }
        };
    }

}
