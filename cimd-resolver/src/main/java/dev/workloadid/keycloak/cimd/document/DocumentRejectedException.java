package dev.workloadid.keycloak.cimd.document;

/**
 * A document (or its fetch) that cannot become a client. The message is safe to show to the
 * client; {@link #oauthError()} is the OAuth error code an endpoint should answer with.
 */
public final class DocumentRejectedException extends Exception {

    private static final long serialVersionUID = 1L;
    private final String rule;
    private final String oauthError;

    public DocumentRejectedException(String rule, String message) {
        this(rule, "invalid_client", message);
    }

    public DocumentRejectedException(String rule, String oauthError, String message) {
        super(message);
        this.rule = rule;
        this.oauthError = oauthError;
    }

    public String rule() {
        return rule;
    }

    public String oauthError() {
        return oauthError;
    }
}
