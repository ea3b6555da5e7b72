package dev.workloadid.keycloak.dcr.rules;

import java.net.URI;
import java.util.List;
import java.util.Set;

/**
 * MCP client needs (MCP 2026-07-28 authorization): {@code application_type} ({@code native} for
 * localhost / desktop / CLI clients, {@code web} otherwise) and public clients that can only use
 * the authorization code flow with PKCE.
 */
public final class McpRules {

    public static final Set<String> APPLICATION_TYPES = Set.of("web", "native");
    static final Set<String> PUBLIC_CLIENT_GRANTS = Set.of("authorization_code", "refresh_token");

    private McpRules() {
    }

    /**
     * The application type to apply: the one sent (web or native), else inferred from the
     * redirect URIs (native when every one is loopback http or a private-use scheme), unless the
     * caller requires it to be sent.
     */
    public static String applicationType(String sent, List<String> redirectUris, boolean required) {
        if (sent != null) {
            if (!APPLICATION_TYPES.contains(sent)) {
                throw DcrError.metadata("application_type must be web or native, not " + sent);
            }
            return sent;
        }
        if (required) {
            throw DcrError.metadata("application_type is required (web or native)");
        }
        if (redirectUris == null || redirectUris.isEmpty()) {
            return "web";
        }
        for (String r : redirectUris) {
            URI uri;
            try {
                uri = URI.create(r);
            } catch (IllegalArgumentException e) {
                return "web";
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            boolean loopbackHttp = scheme.equals("http") && RedirectUriRules.isLoopback(uri.getHost(), true);
            boolean privateScheme = !scheme.equals("http") && !scheme.equals("https") && !scheme.isEmpty();
            if (!loopbackHttp && !privateScheme) {
                return "web";
            }
        }
        return "native";
    }

    /** A public client (method none) gets only authorization_code (+ refresh_token) and response type code. */
    public static void checkPublicClient(String authMethod, List<String> grantTypes, List<String> responseTypes) {
        if (!"none".equals(authMethod)) {
            return;
        }
        if (grantTypes != null) {
            for (String g : grantTypes) {
                if (!PUBLIC_CLIENT_GRANTS.contains(g)) {
                    throw DcrError.metadata("a public client (token_endpoint_auth_method none) may use only the "
                            + "authorization_code and refresh_token grants, not " + g);
                }
            }
        }
        if (responseTypes != null) {
            for (String r : responseTypes) {
                // "none" issues nothing (OAuth 2.0 Multiple Response Types); Keycloak's own endpoints
                // list it for every standard-flow client.
                if (!r.equals("code") && !r.equals("none")) {
                    throw DcrError.metadata("a public client may use only response_type code, not " + r);
                }
            }
        }
    }
}
