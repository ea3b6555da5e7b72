package dev.workloadid.keycloak.cimd.document;

import java.util.List;

/**
 * A validated Client ID Metadata Document: only the members Keycloak uses; unknown members were
 * ignored. {@code jwks} is the JWK Set JSON (public keys only), or null when the keys come from
 * {@code jwksUri}.
 */
public record ClientDocument(
        String clientId,
        String clientName,
        List<String> redirectUris,
        List<String> grantTypes,
        AuthMethod authMethod,
        String jwks,
        String jwksUri,
        String spiffeId,
        String clientUri,
        String logoUri,
        String policyUri,
        String tosUri) {

    public static final String AUTHORIZATION_CODE = "authorization_code";
    public static final String REFRESH_TOKEN = "refresh_token";
    public static final String CLIENT_CREDENTIALS = "client_credentials";
    public static final String DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";

    public boolean allows(String grantType) {
        return grantTypes.contains(grantType);
    }
}
