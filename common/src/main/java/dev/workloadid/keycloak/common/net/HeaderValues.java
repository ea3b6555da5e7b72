package dev.workloadid.keycloak.common.net;

/** Guards header values we send, some of which echo values a remote server gave us. */
final class HeaderValues {
    private HeaderValues() {}

    /** Refuses CR, LF and NUL, which could split or smuggle a header. */
    static String check(String value) {
        if (value != null) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == '\0') {
                    throw new IllegalArgumentException("header value contains a control character");
                }
            }
        }
        return value;
    }
}
