package dev.workloadid.keycloak.spiffe.bundle;

/** A bundle document cannot be used at all (not JSON, no {@code keys} array, no certificate, ...). */
public class BundleParseException extends Exception {

    private static final long serialVersionUID = 1L;

    public BundleParseException(String message) {
        super(message);
    }

    public BundleParseException(String message, Throwable cause) {
        super(message, cause);
    }
}
