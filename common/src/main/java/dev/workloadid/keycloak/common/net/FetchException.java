package dev.workloadid.keycloak.common.net;

import java.util.Objects;

/**
 * A fetch that did not produce a response. The message names the host and what went wrong; it never
 * contains resolved addresses, credentials or the URL's query, but it may say that a name resolves
 * and into which special-use range: that is for administrators (events, server log). What a client
 * may be told (an OAuth {@code error_description}) is {@link #publicMessage()}: one text for every
 * failure to reach the host ("refused: resolves to a private address", "does not resolve", connection
 * refused, TLS failure, timeout), so crafted URLs cannot map the network behind Keycloak. The cause,
 * when present, is for the server log only.
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
    private final String publicMessage;

    public FetchException(Reason reason, String message) {
        this(reason, message, null);
    }

    public FetchException(Reason reason, String message, Throwable cause) {
        this(reason, message, message, cause);
    }

    /** @param publicMessage what a client may be shown, when it must say less than {@code message} */
    public FetchException(Reason reason, String message, String publicMessage, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.publicMessage = Objects.requireNonNull(publicMessage, "publicMessage");
    }

    /**
     * The one text for every network failure: a host that resolves only to refused addresses, one
     * that does not resolve, refuses the connection, fails TLS or does not answer in time.
     */
    static String unreachable(String host) {
        return "host " + host + " could not be resolved to a permitted public address";
    }

    public Reason reason() {
        return reason;
    }

    /** The message fit for a client: no resolution or address-range detail (see the class comment). */
    public String publicMessage() {
        return publicMessage;
    }
}
