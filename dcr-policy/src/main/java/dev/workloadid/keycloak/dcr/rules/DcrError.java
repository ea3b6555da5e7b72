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
    private final String detail;

    public DcrError(String code, String description) {
        this(code, description, 400);
    }

    public DcrError(String code, String description, int status) {
        this(code, description, status, null);
    }

    private DcrError(String code, String description, int status, String detail) {
        super(description);
        this.code = code;
        this.status = status;
        this.detail = detail;
    }

    /**
     * The same refusal with more detail for the event log than the caller is told (e.g. which
     * network failure stopped a fetch: the caller gets one description for all of them).
     */
    public DcrError withDetail(String eventDetail) {
        return new DcrError(code, description(), status, eventDetail);
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

    /** What the event log records: the detail when there is one, else the description. */
    public String detail() {
        return detail != null ? detail : description();
    }
}
