package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.common.keycloak.ReservedRegistration;
import dev.workloadid.keycloak.common.keycloak.WriteCheckPolicy;
import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.util.List;

/**
 * A pack registration policy: checks create and update requests with its factory's rule; a refusal
 * is recorded with its RFC 7591 code for the pack's endpoint and thrown as the factory says
 * (Keycloak's policy exception unless the policy chose otherwise), so the stock endpoint refuses too.
 * Gives the rule the policy's settings, read from its component.
 */
final class PackPolicy extends WriteCheckPolicy {

    private final KeycloakSession session;
    private final ComponentModel model;
    private final PackPolicyFactory factory;

    PackPolicy(KeycloakSession session, ComponentModel model, PackPolicyFactory factory) {
        this.session = session;
        this.model = model;
        this.factory = factory;
    }

    @Override
    protected void check(ClientRegistrationContext context, ClientModel existing) {
        // The pack's one reserved-name rule first, on every endpoint (see ReservedNames): 400 on all of them.
        ReservedRegistration.refusal(context, existing).ifPresent(reason -> {
            RegistrationRequest.recordError(session, DcrError.metadata(reason));
            throw invalidClientMetadata(context, model.getProviderId(), reason);
        });
        try {
            factory.check(this, context, RegistrationRequest.of(context, existing), existing);
        } catch (DcrError e) {
            RegistrationRequest.recordError(session, e);
            throw factory.refusal(context, e);
        }
    }

    KeycloakSession session() {
        return session;
    }

    /** The component's id: one per policy instance of a realm's policy set. */
    String id() {
        return model.getId();
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
