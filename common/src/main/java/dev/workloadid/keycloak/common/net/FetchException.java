package dev.workloadid.keycloak.common.net;

import java.util.Objects;

/**
 * A fetch that did not produce a response. The message names the host and what went wrong and is
 * meant to be shown to the client (OAuth {@code error_description}); it never contains resolved
 * addresses, credentials or the URL's query. The cause, when present, is for the server log only.
 */
public final class FetchException extends Exception {

    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** Not an absolute https URL, has user info, or names a port the policy does not allow. */
        BAD_URL,
        /** The host resolved to at least one special-use address. */
        BLOCKED_ADDRESS,
        DNS_FAILURE,
        CONNECT_FAILURE,
        /** Untrusted certificate, certificate not valid for the host name, or handshake failure. */
        TLS_FAILURE,
        /** Connect, read or total deadline exceeded. */
        TIMEOUT,
        /** Body larger than the policy's maxBytes. */
        TOO_LARGE,
        /** Never thrown by the fetcher (it returns every status); for callers rejecting a status. */
        HTTP_ERROR,
        IO
    }

    private final Reason reason;

    public FetchException(Reason reason, String message) {
        this(reason, message, null);
    }

    public FetchException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
