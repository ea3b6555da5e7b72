package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.AuthMethodRules;
import dev.workloadid.keycloak.dcr.rules.McpRules;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import org.keycloak.protocol.oidc.OIDCConfigAttributes;
import org.keycloak.models.ClientModel;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.util.HashMap;

/**
 * Policy {@value #ID}: what MCP clients need. application_type web or native (optionally
 * required, as MCP 2026-07-28 makes clients send it); public clients limited to the
 * authorization code flow, with PKCE S256 enforced on the created client.
 */
public final class McpClientPolicyFactory extends PackPolicyFactory {

    public static final String ID = "wi-mcp-clients";
    static final String REQUIRE_TYPE = "require-application-type";
    static final String PKCE = "pkce-only-public-clients";

    public McpClientPolicyFactory() {
        super(ID, "MCP clients: application_type must be web or native (and can be required); public clients "
                        + "(token_endpoint_auth_method none) may use only authorization_code + refresh_token with response "
                        + "type code, and get PKCE S256 enforced.",
                b -> {
                    b.bool(REQUIRE_TYPE, "Require application_type", false,
                            "Refuse registrations without application_type (MCP clients must send it).");
                    b.bool(PKCE, "PKCE-only public clients", true, "Public clients get only the code flow, with PKCE S256 required.");
                });
    }

    @Override
    void check(PackPolicy policy, ClientRegistrationContext context, RegistrationRequest request, ClientModel existing) {
        RegistrationMetadata m = request.metadata();
        McpRules.applicationType(m.text(RegistrationMetadata.APPLICATION_TYPE), m.list(RegistrationMetadata.REDIRECT_URIS),
                policy.flag(REQUIRE_TYPE, false));
        if (!policy.flag(PKCE, true)) {
            return;
        }
        String method = AuthMethodRules.effective(m.text(RegistrationMetadata.TOKEN_ENDPOINT_AUTH_METHOD));
        McpRules.checkPublicClient(method, m.list(RegistrationMetadata.GRANT_TYPES), m.list(RegistrationMetadata.RESPONSE_TYPES));
        ClientRepresentation client = context.getClient();
        if ("none".equals(method) || Boolean.TRUE.equals(client.isPublicClient())) {
            HashMap<String, String> attributes = client.getAttributes() == null ? new HashMap<>() : new HashMap<>(client.getAttributes());
            attributes.put(OIDCConfigAttributes.PKCE_CODE_CHALLENGE_METHOD, "S256");
            client.setAttributes(attributes);
        }
    }
}
