package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.MetadataRules;
import org.keycloak.models.ClientModel;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

/**
 * Policy {@value #ID}: the pack's endpoint refuses metadata that would make Keycloak fetch or call a
 * registrant's URL with its own HTTP client (outside the SSRF-safe fetcher); this policy applies the
 * same refusal on Keycloak's own {@code openid-connect} and {@code default} endpoints, which take
 * those settings (and, on {@code default}, {@code adminUrl} and raw attributes) as they come;
 * {@code default} and {@code saml2-entity-descriptor} also create SAML clients, whose logout and
 * artifact URLs Keycloak calls server-side.
 */
public final class ServerFetchedUrisPolicyFactory extends PackPolicyFactory {

    public static final String ID = "wi-server-fetched-uris";

    public ServerFetchedUrisPolicyFactory() {
        super(ID, "Refuses registrations on any endpoint that would make Keycloak fetch or call a URL the registrant "
                        + "chose with its own HTTP client: request_uris, sector_identifier_uri, backchannel logout and CIBA "
                        + "notification endpoints, jwks_uri used by Keycloak directly, adminUrl; for SAML clients the SOAP logout and "
                        + "artifact resolution URLs, the POST and redirect logout URLs unless logout is front-channel, and "
                        + "a metadata descriptor URL Keycloak would refresh from.");
    }

    @Override
    void check(PackPolicy policy, ClientRegistrationContext context, RegistrationRequest request, ClientModel existing) {
        MetadataRules.refuseServerFetchedUris(request.metadata());
        MetadataRules.refuseServerFetchedSettings(context.getClient());
        MetadataRules.refuseSamlServerCalledSettings(context.getClient(),
                existing == null ? null : existing::getAttribute,
                existing == null ? null : existing.isFrontchannelLogout());
    }
}
