package dev.workloadid.keycloak.dcr.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.workloadid.keycloak.dcr.rules.Refusals.refused;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RegistrationMetadata}: DCR-04 (unknown metadata ignored), DCRM-06 (read-only members of a
 * client information response), DCR-09 (statement claims take precedence), SCA-53 (no client-supplied
 * trust material), DCR-14 (the error code that fits).
 */
class RegistrationMetadataTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static RegistrationMetadata parse(String json) {
        return RegistrationMetadata.parse(MAPPER, json);
    }

    @Test
    void dcr04_aBodyThatIsNotAJsonObjectIsRefused() {
        for (String body : new String[] {null, "   ", "\"metadata\"", "42", "null", "[{}]", "{\"a\":"}) {
            assertThat(refused(() -> parse(body), DcrError.INVALID_CLIENT_METADATA).description()).as(String.valueOf(body))
                    .contains("JSON");
        }
    }

    @Test
    void dcr09_softwareStatementAndSpiffeIdAreTakenOutOfTheMetadata() {
        RegistrationMetadata m = parse("{\"software_statement\":\"eyJ.x.y\",\"spiffe_id\":\"spiffe://td.test/a\",\"client_name\":\"n\"}");
        assertThat(m.softwareStatement()).isEqualTo("eyJ.x.y");
        assertThat(m.requestedSpiffeId()).isEqualTo("spiffe://td.test/a");
        assertThat(m.metadata().fieldNames()).toIterable().containsExactly("client_name");
        assertThat(m.ignored()).isEmpty();
        RegistrationMetadata none = parse("{\"software_statement\":null,\"spiffe_id\":null}");
        assertThat(none.softwareStatement()).isNull();
        assertThat(none.requestedSpiffeId()).isNull();
    }

    @Test
    void dcr14_aSoftwareStatementThatIsNotAStringIsAnInvalidStatement() {
        for (String value : List.of("1", "{\"iss\":\"x\"}", "[\"eyJ.x.y\"]", "true")) {
            refused(() -> parse("{\"software_statement\":" + value + "}"), DcrError.INVALID_SOFTWARE_STATEMENT);
        }
    }

    @Test
    void dcr04_aSpiffeIdThatIsNotAStringIsInvalidMetadata() {
        assertThat(refused(() -> parse("{\"spiffe_id\":[\"spiffe://td.test/a\"]}"), DcrError.INVALID_CLIENT_METADATA)
                .description()).contains("spiffe_id");
    }

    @Test
    void sca53_bundleEndpointAndDcrm06_readOnlyMembersAreDroppedAndReported() {
        RegistrationMetadata m = parse("{\"spiffe_bundle_endpoint\":\"https://evil.example/b\",\"registration_access_token\":\"t\","
                + "\"registration_client_uri\":\"https://x.example\",\"client_secret_expires_at\":0,\"client_id_issued_at\":1,"
                + "\"client_name\":\"n\"}");
        assertThat(m.metadata().fieldNames()).toIterable().containsExactly("client_name");
        assertThat(m.ignored()).containsExactly("client_id_issued_at", "client_secret_expires_at", "registration_access_token",
                "registration_client_uri", "spiffe_bundle_endpoint");
    }

    @Test
    void dcr04_unknownMembersAreDroppedAndAddedToWhatWasIgnored() {
        RegistrationMetadata m = parse("{\"registration_access_token\":\"t\",\"client_name\":\"n\",\"x_vendor\":{\"a\":1}}");
        m.dropUnknown(Set.of("client_name"));
        assertThat(m.metadata().fieldNames()).toIterable().containsExactly("client_name");
        assertThat(m.ignored()).containsExactly("registration_access_token", "x_vendor");
        m.dropUnknown(Set.of("client_name"));
        assertThat(m.ignored()).hasSize(2);
    }

    @Test
    void dcr09_statementClaimsOverrideTheRequestIncludingStructuredValues() {
        RegistrationMetadata m = parse("{\"client_name\":\"request\",\"grant_types\":[\"authorization_code\"]}");
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("client_name", "statement");
        claims.put("grant_types", List.of("client_credentials"));
        claims.put("jwks", Map.of("keys", List.of()));
        Set<String> used = m.applyStatementClaims(MAPPER, claims);
        assertThat(used).containsExactly("client_name", "grant_types", "jwks");
        assertThat(m.text("client_name")).isEqualTo("statement");
        assertThat(m.list("grant_types")).containsExactly("client_credentials");
        assertThat(m.metadata().get("jwks").isObject()).isTrue();
    }

    @Test
    void dcr09_statementClaimsNeverSetJwtBookkeepingCredentialsOrServerValues() {
        RegistrationMetadata m = parse("{}");
        Map<String, Object> claims = new LinkedHashMap<>();
        for (String name : List.of("iss", "sub", "aud", "exp", "iat", "nbf", "jti", "software_statement", "client_id",
                "client_secret", "registration_access_token", "registration_client_uri", "client_secret_expires_at",
                "client_id_issued_at")) {
            claims.put(name, "from statement");
        }
        assertThat(m.applyStatementClaims(MAPPER, claims)).isEmpty();
        assertThat(m.metadata().isEmpty()).isTrue();
    }

    @Test
    void dcr04_listMembersMustBeArraysOfStrings() {
        RegistrationMetadata m = parse("{\"redirect_uris\":\"https://a.example/cb\",\"grant_types\":[1],"
                + "\"response_types\":[],\"contacts\":null}");
        assertThat(refused(() -> m.list("redirect_uris"), DcrError.INVALID_CLIENT_METADATA).description()).contains("redirect_uris");
        refused(() -> m.list("grant_types"), DcrError.INVALID_CLIENT_METADATA);
        assertThat(m.list("response_types")).isEmpty();
        assertThat(m.list("contacts")).isNull();
        assertThat(m.list("missing")).isNull();
    }

    @Test
    void dcr04_textReadsStringsAndRendersOtherValuesAsJson() {
        RegistrationMetadata m = parse("{\"client_name\":\"n\",\"default_max_age\":60,\"token_endpoint_auth_method\":[\"none\"],"
                + "\"logo_uri\":null}");
        assertThat(m.text("client_name")).isEqualTo("n");
        assertThat(m.text("default_max_age")).isEqualTo("60");
        assertThat(m.text("token_endpoint_auth_method")).isEqualTo("[\"none\"]");
        assertThat(m.text("logo_uri")).isNull();
        assertThat(m.text("missing")).isNull();
    }

    @Test
    void dcr04_metadataRebuiltFromARepresentationCarriesNoStatementOrSpiffeId() {
        RegistrationMetadata m = RegistrationMetadata.of(MAPPER.createObjectNode().put("software_statement", "eyJ.x.y"));
        assertThat(m.softwareStatement()).isNull();
        assertThat(m.requestedSpiffeId()).isNull();
        assertThat(m.ignored()).isEmpty();
    }
}
