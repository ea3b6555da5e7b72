package dev.workloadid.keycloak.spiffe.id;

/**
 * A string is not an acceptable SPIFFE ID, trust domain or SPIFFE ID pattern. Checked on purpose:
 * callers parse admin configuration and untrusted tokens, and must decide what a bad value means.
 */
public class SpiffeIdFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    public SpiffeIdFormatException(String message) {
        super(message);
    }

    public SpiffeIdFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
