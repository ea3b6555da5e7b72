package dev.workloadid.keycloak.dcr.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;

import java.util.List;

import static dev.workloadid.keycloak.dcr.rules.Refusals.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * {@link MetadataRules}: DCR-07 (jwks / jwks_uri), DCR-08 (grant and response types agree), DCR-04
 * (the server refuses URLs Keycloak would fetch itself), DCR-18 (a SPIFFE-attested workload gets
 * client_credentials only). Every refusal is invalid_client_metadata (DCR-14).
 */
class MetadataRulesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static RegistrationMetadata m(String json) {
        return RegistrationMetadata.parse(MAPPER, json);
    }

    private static void accepted(String json, java.util.function.Consumer<RegistrationMetadata> rule) {
        assertThatCode(() -> rule.accept(m(json))).as(json).doesNotThrowAnyException();
    }

    private static DcrError refusedBy(String json, java.util.function.Consumer<RegistrationMetadata> rule) {
        return refused(() -> rule.accept(m(json)), DcrError.INVALID_CLIENT_METADATA);
    }

    @Test
    void dcr07_jwksOrJwksUriAloneOrNeitherIsAccepted() {
        accepted("{}", MetadataRules::checkJwks);
        accepted("{\"jwks\":null,\"jwks_uri\":\"https://a.example/jwks\"}", MetadataRules::checkJwks);
        accepted("{\"jwks_uri\":\"https://a.example/jwks?v=2\"}", MetadataRules::checkJwks);
        accepted("{\"jwks_uri\":\"HTTPS://A.EXAMPLE:8443/jwks\"}", MetadataRules::checkJwks);
        assertThat(refusedBy("{\"jwks\":{\"keys\":[]},\"jwks_uri\":\"https://a.example/jwks\"}", MetadataRules::checkJwks)
                .description()).contains("jwks", "jwks_uri");
    }

    @Test
    void dcr07_jwksUriMustBeAnAbsoluteHttpsUrlWithoutUserInfoOrFragment() {
        for (String bad : List.of("http://a.example/jwks", "https://a.example/jwks#keys", "https://user@a.example/jwks",
                "https:///jwks", "https:jwks", "file:///etc/keys.json", "a.example/jwks")) {
            assertThat(refusedBy("{\"jwks_uri\":\"" + bad + "\"}", MetadataRules::checkJwks).description())
                    .as(bad).contains("jwks_uri");
        }
        assertThat(refusedBy("{\"jwks_uri\":\"https://a.example/j wks\"}", MetadataRules::checkJwks).description())
                .contains("not a valid URL");
    }

    @Test
    void dcr07_checkHttpsUrlReturnsTheUrlItAccepted() {
        assertThat(MetadataRules.checkHttpsUrl("https://a.example/jwks", "jwks_uri")).hasHost("a.example").hasPath("/jwks");
        assertThat(refused(() -> MetadataRules.checkHttpsUrl("http://a.example/jwks", "jwksUri"),
                DcrError.INVALID_CLIENT_METADATA).description()).startsWith("jwksUri ");
    }

    @Test
    void dcr04_urlsKeycloakWouldFetchItselfAreRefused() {
        for (String member : MetadataRules.SERVER_FETCHED) {
            assertThat(refusedBy("{\"" + member + "\":\"https://a.example/x\"}", MetadataRules::refuseServerFetchedUris)
                    .description()).contains(member, "SSRF");
            refusedBy("{\"" + member + "\":[\"https://a.example/x\"]}", MetadataRules::refuseServerFetchedUris);
        }
        assertThat(MetadataRules.SERVER_FETCHED).contains("request_uris", "sector_identifier_uri", "backchannel_logout_uri");
    }

    @Test
    void dcr04_emptyServerFetchedMembersHaveNothingToFetch() {
        accepted("{\"request_uris\":[],\"sector_identifier_uri\":\" \",\"backchannel_logout_uri\":null,"
                + "\"backchannel_client_notification_endpoint\":{}}", MetadataRules::refuseServerFetchedUris);
        accepted("{\"client_name\":\"no URLs at all\",\"redirect_uris\":[\"https://a.example/cb\"]}",
                MetadataRules::refuseServerFetchedUris);
    }

    @Test
    void dcr04_representationWithoutFetchedUrlsPasses() {
        ClientRepresentation bare = new ClientRepresentation();
        assertThatCode(() -> MetadataRules.refuseServerFetchedSettings(bare)).as("no attributes at all").doesNotThrowAnyException();
        ClientRepresentation blank = new ClientRepresentation();
        blank.setAttributes(new java.util.HashMap<>(java.util.Map.of("request.uris", "", "backchannel.logout.url", " ",
                "use.jwks.url", "true")));
        blank.setAdminUrl("");
        ProtocolMapperRepresentation noConfig = new ProtocolMapperRepresentation();
        blank.setProtocolMappers(List.of(noConfig));
        assertThatCode(() -> MetadataRules.refuseServerFetchedSettings(blank)).doesNotThrowAnyException();
    }

    @Test
    void dcr18_attestedWorkloadMayAskOnlyForClientCredentials() {
        accepted("{}", MetadataRules::checkAttestedWorkload);
        accepted("{\"grant_types\":[]}", MetadataRules::checkAttestedWorkload);
        accepted("{\"grant_types\":[\"client_credentials\",\"refresh_token\"],\"redirect_uris\":[]}",
                MetadataRules::checkAttestedWorkload);
        for (String grant : List.of("authorization_code", "implicit", "password", "urn:ietf:params:oauth:grant-type:device_code")) {
            assertThat(refusedBy("{\"grant_types\":[\"client_credentials\",\"" + grant + "\"]}",
                    MetadataRules::checkAttestedWorkload).description()).contains(grant);
        }
    }

    @Test
    void dcr18_attestedWorkloadTakesNoRedirectUris() {
        assertThat(refusedBy("{\"grant_types\":[\"client_credentials\"],\"redirect_uris\":[\"https://a.example/cb\"]}",
                MetadataRules::checkAttestedWorkload).description()).contains("redirect_uris");
    }

    @Test
    void dcr08_consistentGrantAndResponseTypesAreAccepted() {
        for (String json : List.of(
                "{\"grant_types\":[\"authorization_code\"],\"response_types\":[\"code\"]}",
                "{\"grant_types\":[\"implicit\"],\"response_types\":[\"token\"]}",
                "{\"grant_types\":[\"implicit\"],\"response_types\":[\"id_token token\"]}",
                "{\"grant_types\":[\"authorization_code\",\"implicit\"],\"response_types\":[\"code id_token\"]}",
                "{\"grant_types\":[\"client_credentials\"],\"response_types\":[]}",
                "{\"grant_types\":[\"client_credentials\"],\"response_types\":[\"none\"]}",
                "{\"grant_types\":[\"client_credentials\"]}",
                "{\"response_types\":[\"code\"]}")) {
            accepted(json, MetadataRules::checkGrantResponseConsistency);
        }
    }

    @Test
    void dcr08_inconsistentGrantAndResponseTypesAreRefused() {
        assertThat(refusedBy("{\"grant_types\":[\"authorization_code\"],\"response_types\":[]}",
                MetadataRules::checkGrantResponseConsistency).description()).contains("requires response_type code");
        assertThat(refusedBy("{\"grant_types\":[\"implicit\"],\"response_types\":[\"code\"]}",
                MetadataRules::checkGrantResponseConsistency).description()).contains("requires grant_type authorization_code");
        assertThat(refusedBy("{\"grant_types\":[\"authorization_code\"],\"response_types\":[\"code\",\"id_token\"]}",
                MetadataRules::checkGrantResponseConsistency).description()).contains("requires grant_type implicit");
        assertThat(refusedBy("{\"grant_types\":[\"authorization_code\",\"implicit\"],\"response_types\":[\"code\"]}",
                MetadataRules::checkGrantResponseConsistency).description()).contains("requires response_type token");
    }
}
