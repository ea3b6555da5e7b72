package dev.workloadid.keycloak.cimd.registration;

import dev.workloadid.keycloak.common.registration.ReservedNames;

import java.util.Collection;
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

    private ReservedClientIds() {
    }

    /**
     * @param clientId the requested client_id (may be null: the endpoint generates one)
     * @param attributeNames the requested attribute names (may be null)
     * @return why the request is refused, empty if it may proceed
     */
    public static Optional<String> check(String clientId, Collection<String> attributeNames) {
        if (isUrl(clientId)) {
            return ReservedNames.checkClientId(clientId, null);
        }
        if (attributeNames != null) {
            for (String name : attributeNames) {
                if (ReservedNames.reservedAttribute(name)) {
                    return Optional.of(ReservedNames.attributeReason(name));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * An absolute http or https URL, or text a case-, accent- or width-insensitive database could
     * take for one (see {@link ReservedNames#urlShaped}), however malformed after the scheme.
     */
    static boolean isUrl(String clientId) {
        return ReservedNames.urlShaped(clientId);
    }
}
