package dev.workloadid.keycloak.spiffe.api;

/** A JWT-SVID that must not be trusted; the message is fit for an error_description. */
public class SvidRejectedException extends Exception {

    private final String reason;

    public SvidRejectedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /**
     * A stable machine code, e.g. {@code signature_invalid}, {@code unknown_trust_domain}, or
     * {@code server_error} when the SVID could not be checked at all (logged on the server).
     */
    public String reason() {
        return reason;
    }
}
