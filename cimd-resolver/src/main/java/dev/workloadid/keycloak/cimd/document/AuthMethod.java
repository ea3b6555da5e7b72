package dev.workloadid.keycloak.cimd.document;

/** How a document client authenticates at the token endpoint. */
public enum AuthMethod {
    /** Public client: PKCE, no client authentication (CIMD3-01 default). */
    NONE("none"),
    /** RFC 7523 with the document's jwks / jwks_uri keys (CIMD-41); Keycloak's client-jwt. */
    PRIVATE_KEY_JWT("private_key_jwt"),
    /** SPIFFE JWT-SVID bound to the document's spiffe_id (authenticator-spiffe). */
    SPIFFE_JWT(dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators.JWT_SVID_METHOD);

    private final String metadataName;

    AuthMethod(String metadataName) {
        this.metadataName = metadataName;
    }

    public String metadataName() {
        return metadataName;
    }
}
