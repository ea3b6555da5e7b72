package dev.workloadid.keycloak.cimd.document;

/**
 * A document (or its fetch) that cannot become a client. The message is for administrators (the
 * refusal event's reason and the server log): for a failed fetch it carries the fetcher's detail,
 * such as the special-use range a host resolved into, so it is never shown to the client or the
 * browser (see {@code Refusal}). {@link #oauthError()} is the OAuth error code the refusal stands for.
 */
public final class DocumentRejectedException extends Exception {

    private static final long serialVersionUID = 1L;
    private final String rule;
    private final String oauthError;
    private final boolean transientFailure;

    public DocumentRejectedException(String rule, String message) {
        this(rule, "invalid_client", message);
    }

    public DocumentRejectedException(String rule, String oauthError, String message) {
        this(rule, oauthError, message, false);
    }

    /**
     * @param transientFailure the host gave no definite answer (network error, timeout, 5xx, 429):
     *                         a revalidation keeps the client as it is and tries again later
     */
    public DocumentRejectedException(String rule, String oauthError, String message, boolean transientFailure) {
        super(message);
        this.rule = rule;
        this.oauthError = oauthError;
        this.transientFailure = transientFailure;
    }

    /** True when the failure says nothing about the document (see the constructor). */
    public boolean transientFailure() {
        return transientFailure;
    }

    public String rule() {
        return rule;
    }

    public String oauthError() {
        return oauthError;
    }
}
