package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.common.keycloak.ReservedRegistration;
import dev.workloadid.keycloak.common.keycloak.WriteCheckPolicy;
import dev.workloadid.keycloak.dcr.endpoint.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.clientregistration.ClientRegistrationContext;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicyException;

import java.util.List;

/**
 * A pack registration policy: checks create and update requests; a refusal is recorded with its
 * RFC 7591 code for the pack's endpoint and thrown as Keycloak's policy exception, so the stock
 * endpoint refuses too (with its usual 403).
 */
abstract class PackPolicy extends WriteCheckPolicy {

    protected final KeycloakSession session;
    protected final ComponentModel model;

    PackPolicy(KeycloakSession session, ComponentModel model) {
        this.session = session;
        this.model = model;
    }

    /** @param existing the client being updated, or null for a registration */
    abstract void check(ClientRegistrationContext context, RegistrationRequest request, ClientModel existing);

    @Override
    protected final void check(ClientRegistrationContext context, ClientModel existing) {
        // The pack's one reserved-name rule first, on every endpoint (see ReservedNames): 400 on all of them.
        ReservedRegistration.refusal(context, existing).ifPresent(reason -> {
            RegistrationRequest.recordError(session, DcrError.metadata(reason));
            throw invalidClientMetadata(context, model.getProviderId(), reason);
        });
        try {
            check(context, RegistrationRequest.of(context, existing), existing);
        } catch (DcrError e) {
            RegistrationRequest.recordError(session, e);
            throw refusal(context, e);
        }
    }

    /** How the stock endpoint learns of a refusal: Keycloak's policy exception (its 403), unless a policy says otherwise. */
    RuntimeException refusal(ClientRegistrationContext context, DcrError e) {
        return new ClientRegistrationPolicyException(e.code() + ": " + e.description());
    }

    boolean anonymous() {
        return "anonymous".equals(model.getSubType());
    }

    boolean flag(String key, boolean defaultValue) {
        String v = model.get(key);
        return v == null || v.isBlank() ? defaultValue : Boolean.parseBoolean(v.trim());
    }

    int number(String key, int defaultValue) {
        String v = model.get(key);
        try {
            return v == null || v.isBlank() ? defaultValue : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return defaultValue;
        }
    }

    List<String> values(String key) {
        List<String> v = model.getConfig().get(key);
        return v == null ? List.of() : v.stream().filter(s -> s != null && !s.isBlank()).map(String::trim).toList();
    }
}
