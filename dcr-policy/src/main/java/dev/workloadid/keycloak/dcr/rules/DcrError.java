package dev.workloadid.keycloak.dcr.rules;

/**
 * A refused registration request, with its RFC 7591 §3.2.2 error code and a description fit for
 * {@code error_description}. Thrown by the rules; the endpoint turns it into HTTP 400.
 */
public class DcrError extends RuntimeException {

    public static final String INVALID_REDIRECT_URI = "invalid_redirect_uri";
    public static final String INVALID_CLIENT_METADATA = "invalid_client_metadata";
    public static final String INVALID_SOFTWARE_STATEMENT = "invalid_software_statement";
    public static final String UNAPPROVED_SOFTWARE_STATEMENT = "unapproved_software_statement";

    private static final long serialVersionUID = 1L;

    private final String code;
    private final int status;

    public DcrError(String code, String description) {
        this(code, description, 400);
    }

    public DcrError(String code, String description, int status) {
        super(description);
        this.code = code;
        this.status = status;
    }

    public static DcrError metadata(String description) {
        return new DcrError(INVALID_CLIENT_METADATA, description);
    }

    public static DcrError redirectUri(String description) {
        return new DcrError(INVALID_REDIRECT_URI, description);
    }

    public String code() {
        return code;
    }

    /** HTTP status: 400 unless a rule says otherwise (429 for rate limits). */
    public int status() {
        return status;
    }

    public String description() {
        return getMessage();
    }
}
