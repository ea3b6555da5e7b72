package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.registration.ReservedClientIds;
import dev.workloadid.keycloak.common.keycloak.RegistrationPolicies;
import dev.workloadid.keycloak.common.keycloak.WriteCheckPolicy;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.clientregistration.ClientRegistrationContext;
import org.keycloak.services.clientregistration.policy.AbstractClientRegistrationPolicyFactory;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;

import java.util.List;

/**
 * Client registration policy {@value #ID}: no registration endpoint ({@code default},
 * {@code openid-connect}, {@code saml2-entity-descriptor}, the pack's {@code rfc7591}) may create or
 * update a client whose client_id is an http(s) URL, or one carrying a {@code cimd.*} attribute
 * (see {@link ReservedClientIds}). Keycloak asks its database before the document resolver, so such a
 * client would take over the URL's Client ID Metadata Document. A refusal is 400
 * {@code invalid_client_metadata} (RFC 7591) with the reason on the registration error event.
 *
 * <p>Saving the realm's {@value CimdSettingsPageFactory#ID} entry adds it to the anonymous and
 * authenticated policy sets ({@link #ensureInstalled}); so does the import of a realm with that entry
 * ({@link CimdRealmSetup}).
 */
public final class ReservedClientIdsPolicyFactory extends AbstractClientRegistrationPolicyFactory {

    public static final String ID = "wi-cimd-reserved-client-ids";

    /** Puts the policy into the realm's anonymous and authenticated sets, where it is missing. */
    public static void ensureInstalled(RealmModel realm) {
        RegistrationPolicies.ensureInstalled(realm, ID, "Reserved URL client IDs", "URL client IDs are enabled");
    }

    @Override
    public ClientRegistrationPolicy create(KeycloakSession session, ComponentModel model) {
        return new Policy();
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "Registration endpoints may not create or update clients whose client ID is an http(s) URL (in this realm "
                + "such IDs are Client ID Metadata Documents, resolved from the URL) or that carry cimd.* attributes.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }

    static final class Policy extends WriteCheckPolicy {

        @Override
        protected void check(ClientRegistrationContext context, ClientModel existing) {
            ClientRepresentation requested = context.getClient();
            if (requested == null) {
                return;
            }
            ReservedClientIds.check(requested.getClientId(),
                            requested.getAttributes() == null ? null : requested.getAttributes().keySet())
                    .ifPresent(reason -> {
                        throw invalidClientMetadata(context, ID, reason);
                    });
        }
    }
}
