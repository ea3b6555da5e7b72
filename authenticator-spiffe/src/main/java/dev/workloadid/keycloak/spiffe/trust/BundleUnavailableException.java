package dev.workloadid.keycloak.spiffe.trust;

/** No usable bundle for a configured trust domain: never fetched, fetch failing, or stale. */
public class BundleUnavailableException extends Exception {

    public BundleUnavailableException(String message) {
        super(message);
    }

    public BundleUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
