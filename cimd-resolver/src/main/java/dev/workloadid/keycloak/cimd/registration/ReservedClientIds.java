package dev.workloadid.keycloak.cimd.registration;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * What a client registration request may not claim in a realm where URL client_ids name Client ID
 * Metadata Documents. Keycloak looks a client_id up in its database before it asks the document
 * resolver, so a registered client whose client_id is a URL would stand in for the document at that
 * URL (its own redirect URIs, its own keys); and the {@code cimd.*} attributes are the module's
 * bookkeeping of document clients (the refresh task trusts them). Neither may come through a
 * registration endpoint; an administrator can still create such a client over admin REST
 * (pre-registration, CIMD-43).
 */
public final class ReservedClientIds {

    /** Prefix of the attributes the module keeps on document clients. */
    public static final String ATTRIBUTE_PREFIX = "cimd.";

    private ReservedClientIds() {
    }

    /**
     * @param clientId the requested client_id (may be null: the endpoint generates one)
     * @param attributeNames the requested attribute names (may be null)
     * @return why the request is refused, empty if it may proceed
     */
    public static Optional<String> check(String clientId, Collection<String> attributeNames) {
        if (isUrl(clientId)) {
            return Optional.of("client_id '" + clientId.trim() + "' is a URL: URL client IDs in this realm are "
                    + "Client ID Metadata Documents, resolved from the document at that URL, and cannot be registered");
        }
        if (attributeNames != null) {
            for (String name : attributeNames) {
                if (name != null && name.trim().toLowerCase(Locale.ROOT).startsWith(ATTRIBUTE_PREFIX)) {
                    return Optional.of("attribute '" + name.trim() + "' is reserved: " + ATTRIBUTE_PREFIX
                            + "* attributes are kept by Keycloak for Client ID Metadata Document clients");
                }
            }
        }
        return Optional.empty();
    }

    /** An absolute http or https URL (any case, surrounding white space ignored), however malformed after the scheme. */
    static boolean isUrl(String clientId) {
        if (clientId == null) {
            return false;
        }
        String id = clientId.trim().toLowerCase(Locale.ROOT);
        return id.startsWith("https:") || id.startsWith("http:");
    }
}
