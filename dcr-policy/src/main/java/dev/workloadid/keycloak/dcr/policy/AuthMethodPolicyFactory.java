package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.AuthMethodRules;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import org.keycloak.models.ClientModel;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.util.List;

/** Policy {@value #ID}: which token_endpoint_auth_method values may be registered. */
public final class AuthMethodPolicyFactory extends PackPolicyFactory {

    public static final String ID = "wi-token-endpoint-auth-method";
    static final String ALLOWED = "allowed-methods";

    public AuthMethodPolicyFactory() {
        super(ID, "Allowed token_endpoint_auth_method values. Empty: in the anonymous set, no shared-secret method ("
                        + String.join(", ", AuthMethodRules.ANONYMOUS_DEFAULT) + "); in the authenticated set, all methods.",
                b -> b.list(ALLOWED, "Allowed methods", "token_endpoint_auth_method values to accept, one per line: "
                        + String.join(", ", AuthMethodRules.AUTHENTICATED_DEFAULT) + ". A request naming none means "
                        + "client_secret_basic.", AuthMethodPolicyFactory::method));
    }

    private static String method(String entry) {
        if (!AuthMethodRules.AUTHENTICATED_DEFAULT.contains(entry)) {
            throw new IllegalArgumentException("is not a token_endpoint_auth_method this server supports ("
                    + String.join(", ", AuthMethodRules.AUTHENTICATED_DEFAULT) + ")");
        }
        return entry;
    }

    @Override
    void check(PackPolicy policy, ClientRegistrationContext context, RegistrationRequest request, ClientModel existing) {
        List<String> allowed = policy.values(ALLOWED);
        if (allowed.isEmpty()) {
            allowed = policy.anonymous() ? AuthMethodRules.ANONYMOUS_DEFAULT : AuthMethodRules.AUTHENTICATED_DEFAULT;
        }
        AuthMethodRules.check(request.metadata().text(RegistrationMetadata.TOKEN_ENDPOINT_AUTH_METHOD), allowed);
    }
}
