package dev.workloadid.keycloak.dcr.rules;

import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.workloadid.keycloak.dcr.rules.RegistrationMetadata.GRANT_TYPES;
import static dev.workloadid.keycloak.dcr.rules.RegistrationMetadata.JWKS;
import static dev.workloadid.keycloak.dcr.rules.RegistrationMetadata.JWKS_URI;
import static dev.workloadid.keycloak.dcr.rules.RegistrationMetadata.RESPONSE_TYPES;

/** Rules every request to the pack's endpoint obeys, whatever the realm's policies. */
public final class MetadataRules {

    private MetadataRules() {
    }

    /** DCR-07: jwks and jwks_uri never both; jwks_uri, when present, is an absolute https URL. */
    public static void checkJwks(RegistrationMetadata m) {
        boolean jwks = m.metadata().hasNonNull(JWKS);
        String jwksUri = m.text(JWKS_URI);
        if (jwks && jwksUri != null) {
            throw DcrError.metadata("jwks and jwks_uri must not both be present (RFC 7591 §2)");
        }
        if (jwksUri != null) {
            checkHttpsUrl(jwksUri, JWKS_URI);
        }
    }

    /**
     * Metadata naming URLs that Keycloak itself would later fetch or POST to with its own HTTP
     * client, outside the pack's SSRF-safe fetcher: refused at this endpoint (DCR-04 lets the AS
     * refuse metadata). jwks_uri is handled separately: its keys are fetched safely and stored.
     */
    public static final java.util.List<String> SERVER_FETCHED = java.util.List.of(
            "request_uris", "sector_identifier_uri", "backchannel_logout_uri",
            "backchannel_client_notification_endpoint");

    public static void refuseServerFetchedUris(RegistrationMetadata m) {
        for (String member : SERVER_FETCHED) {
            com.fasterxml.jackson.databind.JsonNode value = m.metadata().get(member);
            // Keycloak's own conversion writes empty members (e.g. request_uris: []): nothing to fetch.
            boolean empty = value == null || value.isNull() || (value.isContainerNode() && value.isEmpty())
                    || (value.isTextual() && value.asText().isBlank());
            if (!empty) {
                throw DcrError.metadata(member + " is not accepted here: Keycloak would fetch it outside the "
                        + "pack's SSRF protections");
            }
        }
    }

    /**
     * The same for a client as Keycloak's own registration endpoints hand it over (their
     * representation, after conversion): settings that make Keycloak fetch or POST to a URL the
     * registrant chose, with its own HTTP client. A {@code jwks.url} is refused only while Keycloak
     * would use it (the pack's endpoint stores fetched keys instead and turns it off).
     */
    public static void refuseServerFetchedSettings(ClientRepresentation rep) {
        Map<String, String> attributes = rep.getAttributes() == null ? Map.of() : rep.getAttributes();
        refuseIfSet(attributes.get("request.uris"), "request_uris");
        refuseIfSet(attributes.get("backchannel.logout.url"), "backchannel_logout_uri");
        refuseIfSet(attributes.get("ciba.backchannel.client.notification.endpoint"), "backchannel_client_notification_endpoint");
        if ("true".equalsIgnoreCase(attributes.get("use.jwks.url"))) {
            refuseIfSet(attributes.get("jwks.url"), "jwks_uri");
        }
        refuseIfSet(rep.getAdminUrl(), "adminUrl");
        if (rep.getProtocolMappers() != null) {
            for (ProtocolMapperRepresentation mapper : rep.getProtocolMappers()) {
                Map<String, String> config = mapper.getConfig() == null ? Map.of() : mapper.getConfig();
                refuseIfSet(config.get("sectorIdentifierUri"), "sector_identifier_uri");
            }
        }
    }

    /** SAML settings Keycloak calls with its own HTTP client whatever the logout mode. */
    static final List<String> SAML_ALWAYS_SERVER_CALLED = List.of(
            // SOAP logout binding: back-channel by nature.
            "saml_single_logout_service_url_soap",
            // ArtifactResolve: Keycloak posts SOAP to it to resolve an artifact the client sent.
            "saml_artifact_resolution_service_url");
    /** SAML logout URLs Keycloak POSTs to itself when the client's logout is not front-channel. */
    static final List<String> SAML_BACK_CHANNEL_LOGOUT = List.of(
            "saml_single_logout_service_url_post",
            // Not used by today's back-channel logout, but refused with it: a back-channel client has
            // no browser logout to redirect, and the fallback order may change between versions.
            "saml_single_logout_service_url_redirect");
    static final String SAML_METADATA_URL = "saml.metadataDescriptorUrl";
    static final String SAML_USE_METADATA_URL = "saml.useMetadataDescriptorUrl";

    /**
     * The SAML side of {@link #refuseServerFetchedSettings}: URLs Keycloak contacts server-side for
     * a SAML client. On an update, attributes the request leaves out keep their stored values, so
     * the client as it will be stored is what is judged.
     *
     * @param stored the client's current attribute, or null (a registration)
     * @param storedFrontChannel the client's current logout mode, or null (a registration)
     */
    public static void refuseSamlServerCalledSettings(ClientRepresentation rep,
                                                      java.util.function.UnaryOperator<String> stored,
                                                      Boolean storedFrontChannel) {
        Map<String, String> attributes = rep.getAttributes() == null ? Map.of() : rep.getAttributes();
        java.util.function.UnaryOperator<String> effective = name -> attributes.containsKey(name)
                ? attributes.get(name) : stored == null ? null : stored.apply(name);
        for (String name : SAML_ALWAYS_SERVER_CALLED) {
            refuseSaml(effective.apply(name), name, "Keycloak would call it with its own HTTP client");
        }
        boolean frontChannel = rep.isFrontchannelLogout() != null ? rep.isFrontchannelLogout()
                : storedFrontChannel != null ? storedFrontChannel
                // Keycloak's defaults for a new client: SAML front-channel, everything else not.
                : "saml".equals(rep.getProtocol());
        if (!frontChannel) {
            for (String name : SAML_BACK_CHANNEL_LOGOUT) {
                refuseSaml(effective.apply(name), name, "with frontchannelLogout false Keycloak would POST the "
                        + "logout request to it with its own HTTP client; use front-channel logout");
            }
        }
        if ("true".equalsIgnoreCase(effective.apply(SAML_USE_METADATA_URL))) {
            refuseSaml(effective.apply(SAML_METADATA_URL), SAML_METADATA_URL,
                    "Keycloak would fetch the metadata from it with its own HTTP client");
        }
    }

    private static void refuseSaml(String value, String name, String why) {
        if (value != null && !value.isBlank()) {
            throw DcrError.metadata(name + " is not accepted: " + why + ", outside the pack's SSRF protections");
        }
    }

    private static void refuseIfSet(String value, String member) {
        if (value != null && !value.isBlank()) {
            throw DcrError.metadata(member + " is not accepted: Keycloak would fetch or call it with its own HTTP "
                    + "client, outside the pack's SSRF protections");
        }
    }

    /** A SPIFFE-attested registration is a workload's: client_credentials (and refresh) only, no redirects. */
    public static void checkAttestedWorkload(RegistrationMetadata m) {
        java.util.List<String> grants = m.list(RegistrationMetadata.GRANT_TYPES);
        for (String grant : grants == null ? java.util.List.<String>of() : grants) {
            if (!"client_credentials".equals(grant) && !"refresh_token".equals(grant)) {
                throw DcrError.metadata("a SPIFFE-attested registration may ask only for client_credentials, not "
                        + grant + "; register user-facing clients another way");
            }
        }
        java.util.List<String> redirects = m.list(RegistrationMetadata.REDIRECT_URIS);
        if (redirects != null && !redirects.isEmpty()) {
            throw DcrError.metadata("a SPIFFE-attested registration takes no redirect_uris");
        }
    }

    public static URI checkHttpsUrl(String value, String member) {
        try {
            URI uri = new URI(value);
            if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null
                    || uri.getRawFragment() != null) {
                throw DcrError.metadata(member + " must be an absolute https URL without user info or fragment");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw DcrError.metadata(member + " is not a valid URL");
        }
    }

    /** DCR-08: grant_types and response_types must agree (RFC 7591 §2.1). */
    public static void checkGrantResponseConsistency(RegistrationMetadata m) {
        List<String> grants = m.list(GRANT_TYPES);
        List<String> responses = m.list(RESPONSE_TYPES);
        if (grants == null || responses == null) {
            return;
        }
        boolean code = responses.stream().anyMatch(r -> Set.of(r.split(" ")).contains("code"));
        boolean implicit = responses.stream().anyMatch(r -> {
            Set<String> parts = Set.of(r.split(" "));
            return parts.contains("token") || parts.contains("id_token");
        });
        if (code && !grants.contains("authorization_code")) {
            throw DcrError.metadata("response_type code requires grant_type authorization_code");
        }
        if (implicit && !grants.contains("implicit")) {
            throw DcrError.metadata("response_type token / id_token requires grant_type implicit");
        }
        if (grants.contains("authorization_code") && !code) {
            throw DcrError.metadata("grant_type authorization_code requires response_type code");
        }
        if (grants.contains("implicit") && !implicit) {
            throw DcrError.metadata("grant_type implicit requires response_type token or id_token");
        }
    }
}
