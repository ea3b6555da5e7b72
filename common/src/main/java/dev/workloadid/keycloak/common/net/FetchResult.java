package dev.workloadid.keycloak.common.net;

import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A response of any status (redirects and errors included: the caller decides). Only the headers
 * needed for caching and content negotiation are kept.
 */
public final class FetchResult {

    /** The response headers a FetchResult keeps. */
    public static final List<String> KEPT_HEADERS = List.of(
            "Cache-Control", "Expires", "Date", "Age", "ETag", "Last-Modified", "Content-Type");

    private final int status;
    private final Map<String, String> headers;
    private final byte[] body;
    private final InetAddress remoteAddress;

    /**
     * @param headers header name to value, names matched case-insensitively
     * @param remoteAddress the address the response came from, or null if unknown
     */
    public FetchResult(int status, Map<String, String> headers, byte[] body, InetAddress remoteAddress) {
        TreeMap<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(Objects.requireNonNull(headers, "headers"));
        this.status = status;
        this.headers = Collections.unmodifiableMap(copy);
        this.body = Objects.requireNonNull(body, "body").clone();
        this.remoteAddress = remoteAddress;
    }

    public int status() {
        return status;
    }

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** Case-insensitive, unmodifiable. */
    public Map<String, String> headers() {
        return headers;
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    /** A copy of the body, at most the policy's maxBytes long. */
    public byte[] body() {
        return body.clone();
    }

    public InetAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public String toString() {
        return "FetchResult{status=" + status + ", bytes=" + body.length + ", headers=" + headers + "}";
    }
}
