package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.registration.ReservedClientIds;
import dev.workloadid.keycloak.common.keycloak.RegistrationPolicies;
import dev.workloadid.keycloak.common.keycloak.ReservedNamesPolicyFactory;
import dev.workloadid.keycloak.common.keycloak.ReservedRegistration;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.util.Optional;

/**
 * Client registration policy {@value #ID}: no registration endpoint ({@code default},
 * {@code openid-connect}, {@code saml2-entity-descriptor}, the pack's {@code rfc7591}) may create or
 * update a client whose client_id is an http(s) URL (or reads as one to a case-, accent- or
 * width-insensitive database, see {@link ReservedClientIds}), or one carrying a {@code cimd.*} attribute:
 * Keycloak asks its database before the document resolver, so such a client would take over the URL's
 * Client ID Metadata Document. Like every pack policy it applies the pack's whole reserved-name rule
 * ({@link ReservedRegistration}). A refusal is 400
 * {@code invalid_client_metadata} (RFC 7591) with the reason on the registration error event.
 *
 * <p>Saving the realm's {@value CimdSettingsPageFactory#ID} entry adds it to the anonymous and
 * authenticated policy sets ({@link #ensureInstalled}); so does the import of a realm with that entry
 * ({@link CimdRealmSetup}).
 */
public final class ReservedClientIdsPolicyFactory extends ReservedNamesPolicyFactory {

    public static final String ID = "wi-cimd-reserved-client-ids";

    public ReservedClientIdsPolicyFactory() {
        super(ID, "Registration endpoints may not create or update clients whose client ID is (or a case- or accent-insensitive "
                + "database could read as) an http(s) URL (in this realm such IDs are Client ID Metadata Documents, resolved "
                + "from the URL) or a SPIFFE ID, or that carry cimd.*, spiffe.* or wi.* attributes.");
    }

    /** Puts the policy into the realm's anonymous and authenticated sets, where it is missing. */
    public static void ensureInstalled(RealmModel realm) {
        RegistrationPolicies.ensureInstalled(realm, ID, "Reserved URL client IDs", "URL client IDs are enabled");
    }

    /** Nothing beyond the pack's reserved-name rule, which covers URL client IDs and cimd.* attributes. */
    @Override
    protected Optional<String> refusal(ClientRegistrationContext context, ClientModel existing) {
        return Optional.empty();
    }
}
