package dev.workloadid.keycloak.common.keycloak;

import jakarta.ws.rs.core.Response;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.clientregistration.ClientRegistrationContext;
import org.keycloak.services.clientregistration.ClientRegistrationProvider;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;

/**
 * A client registration policy that checks create and update requests and nothing else (views and
 * deletes pass). The pack's policies in every module extend it.
 */
public abstract class WriteCheckPolicy implements ClientRegistrationPolicy {

    /** Event detail naming the policy that refused. */
    public static final String POLICY_DETAIL = "client_registration_policy";
    /**
     * Session attribute set while a registration endpoint only asks whether the caller may register
     * at all, on an empty client, before it reads the request: write checks judge the real client later.
     */
    public static final String AUTHORIZATION_ONLY = WriteCheckPolicy.class.getName() + ".authorizationOnly";

    /**
     * @param existing the client being updated, or null for a registration
     * @throws RuntimeException the refusal the endpoint answers with
     */
    protected abstract void check(ClientRegistrationContext context, ClientModel existing);

    /**
     * RFC 7591's answer, 400 {@code invalid_client_metadata}, on every endpoint (the stock endpoints
     * pass it through unchanged, instead of their 403 for a policy exception); the reason and the
     * refusing policy go on the registration error event.
     */
    public static ErrorResponseException invalidClientMetadata(ClientRegistrationContext context, String policyId,
                                                               String description) {
        String code = "invalid_client_metadata";
        EventBuilder event = context.getProvider().getEvent();
        if (event != null) {
            event.detail(Details.REASON, description).detail(POLICY_DETAIL, policyId).error(code);
        }
        return new ErrorResponseException(code, description, Response.Status.BAD_REQUEST);
    }

    @Override
    public void beforeRegister(ClientRegistrationContext context) {
        if (context.getSession().getAttribute(AUTHORIZATION_ONLY) == null) {
            check(context, null);
        }
    }

    @Override
    public void afterRegister(ClientRegistrationContext context, ClientModel clientModel) {
    }

    @Override
    public void beforeUpdate(ClientRegistrationContext context, ClientModel clientModel) {
        check(context, clientModel);
    }

    @Override
    public void afterUpdate(ClientRegistrationContext context, ClientModel clientModel) {
    }

    @Override
    public void beforeView(ClientRegistrationProvider provider, ClientModel client) {
    }

    @Override
    public void beforeDelete(ClientRegistrationProvider provider, ClientModel client) {
    }

    @Override
    public void close() {
    }
}
