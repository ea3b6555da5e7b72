package dev.workloadid.keycloak.cimd.resolve;

import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;

/**
 * Why a URL client_id was refused, kept apart by audience. The {@link #detail()} (which rule, which
 * host, for a refused address the special-use range it resolved into, what the document said) goes
 * to the {@code CLIENT_REGISTER_ERROR} event's {@code reason} and to the server log, where only
 * administrators read it. The browser gets {@link #USER_MESSAGE} and nothing else: a refusal page
 * must not tell whoever typed a URL what Keycloak's fetcher found out about the network behind it
 * (internal names, address ranges), and a generic text cannot leak by accident when the fetcher's
 * wording changes. Token endpoints answer Keycloak's own generic {@code invalid_client}.
 *
 * @param rule the checklist id (e.g. CIMD-36) or the name of the realm setting that refused
 * @param oauthError the OAuth error code the refusal stands for (event detail {@code oauth_error})
 * @param detail the administrator-facing reason
 */
public record Refusal(String rule, String oauthError, String detail) {

    /** All a browser is shown, whatever the reason. */
    public static final String USER_MESSAGE = "The client's metadata document could not be used.";

    public static Refusal of(DocumentRejectedException e) {
        return new Refusal(e.rule(), e.oauthError(), e.getMessage());
    }

    public String userMessage() {
        return USER_MESSAGE;
    }
}
