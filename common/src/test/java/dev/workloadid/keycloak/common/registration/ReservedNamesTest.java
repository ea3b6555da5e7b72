package dev.workloadid.keycloak.common.registration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

class ReservedNamesTest {

    /** What a case-, accent- or width-insensitive collation (MySQL utf8mb4_*_ci, SQL Server *_CI_AI) matches to https://. */
    @ParameterizedTest
    @ValueSource(strings = {
            "https://popular-mcp.example/client.json",
            "httpś://popular-mcp.example/client.json",       // accent (ś)
            "https\u0301://popular-mcp.example/client.json",  // combining acute accent
            "\uFF48ttps://popular-mcp.example/client.json",   // fullwidth h
            "\uFF28\uFF34\uFF34\uFF30\uFF33\uFF1A//popular-mcp.example/client.json", // all fullwidth, fullwidth colon
            "\u200Bhttps://popular-mcp.example/client.json",  // leading zero-width space
            "ht\u00ADtps://popular-mcp.example/client.json",  // soft hyphen inside
            "\uFEFFhttps://popular-mcp.example/client.json",  // byte order mark
            "http\u017F://popular-mcp.example/client.json",   // long s
            "h\u0000ttps://popular-mcp.example/client.json",  // control character
            "htt\u0440s://popular-mcp.example/client.json",   // Cyrillic er for p
            "\u04BBttps://popular-mcp.example/client.json",   // Cyrillic shha for h
            "https\u2236//popular-mcp.example/client.json",   // ratio sign for the colon
            "\u24D7ttps://popular-mcp.example/client.json",   // circled h
            "\uD835\uDC21ttps://popular-mcp.example/client.json", // mathematical bold h
            "HTTPS://popular-mcp.example/client.json",
            " \thttp://popular-mcp.example/client.json",
            "https:x", "Http:"})
    void cimd42_urlLookAlikesAreUrlShaped(String clientId) {
        assertThat(ReservedNames.urlShaped(clientId)).as(clientId).isTrue();
        assertThat(ReservedNames.checkClientId(clientId, null)).get(STRING).contains("is a URL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"my-app", "httpsclient", "app-https://x", "urn:example:client", "7f3c2a1e-uuid",
            "ftp://example.org/x", "http", "h-t-t-p-s:"})
    void otherClientIdsAreNotUrlShaped(String clientId) {
        assertThat(ReservedNames.urlShaped(clientId)).as(clientId).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://example.org/ns/prod/x", "SPIFFE://example.org/ns/prod/x",
            "\u0455piffe://example.org/ns/prod/x", "spi\uFB00e://example.org/ns/prod/x", "\u200Bspiffe://example.org/x",
            "sp\u00EFffe://example.org/x"})
    void spiffeShapedClientIdsAreReserved(String clientId) {
        assertThat(ReservedNames.spiffeShaped(clientId)).as(clientId).isTrue();
        assertThat(ReservedNames.checkClientId(clientId, null)).get(STRING).contains("SPIFFE ID");
    }

    @Test
    void urlClientIdsAreOrdinaryWhereTheyDoNotNameDocuments() {
        assertThat(ReservedNames.checkClientId("https://sp.example.org/saml/metadata", null, false)).isEmpty();
        assertThat(ReservedNames.checkClientId("https://sp.example.org/saml/metadata", null, true)).isPresent();
        assertThat(ReservedNames.checkClientId("spiffe://example.org/x", null, false)).isPresent();
    }

    @Test
    void keepingTheClientsOwnClientIdIsNeverRefused() {
        assertThat(ReservedNames.checkClientId("spiffe://example.org/x", "spiffe://example.org/x")).isEmpty();
        assertThat(ReservedNames.checkClientId("spiffe://example.org/y", "spiffe://example.org/x")).isPresent();
        assertThat(ReservedNames.checkClientId(null, null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cimd.managed", "spiffe.trust_domain", "spiffe.registration", "wi.dcr.software_statement",
            "wi.dcr.application_type", "wi.dcr.software_statement_issuer", "CIMD.Managed", " spiffe.trust_domain",
            "\uFF53piffe.trust_domain", "wi\u200B.dcr.application_type", "spiffe.anything-new"})
    void dcr15_attributesThePackReadsAsFactsAreReserved(String name) {
        assertThat(ReservedNames.checkAttributes(Map.of(name, "x"), null, false)).get(STRING)
                .contains("attribute '" + name.trim() + "' is reserved");
    }

    @ParameterizedTest
    @ValueSource(strings = {"software_id", "jwt.credential.sub", "pkce.code.challenge.method", "cimd", "x.cimd.managed",
            "wiki.page", "spiffe"})
    void otherAttributesAreNotReservedByName(String name) {
        assertThat(ReservedNames.checkAttributes(Map.of(name, "x"), null, false)).isEmpty();
    }

    @Test
    void dcr15_anUpdateMayRepeatAReservedValueButNotChangeAddOrRemoveIt() {
        Map<String, String> current = Map.of("wi.dcr.application_type", "web", "spiffe.registration", "attested");
        assertThat(ReservedNames.checkAttributes(Map.of("wi.dcr.application_type", "web"), current, false)).isEmpty();
        assertThat(ReservedNames.checkAttributes(current, current, false)).isEmpty();
        assertThat(ReservedNames.checkAttributes(Map.of("wi.dcr.application_type", "native"), current, false)).isPresent();
        assertThat(ReservedNames.checkAttributes(Map.of("wi.dcr.application_type", ""), current, false)).isPresent();
        assertThat(ReservedNames.checkAttributes(Map.of("spiffe.trust_domain", "example.org"), current, false)).isPresent();
    }

    @Test
    void thePacksOwnEndpointWritesTheReservedAttributes() {
        assertThat(ReservedNames.checkAttributes(Map.of("spiffe.registration", "attested"), null, true)).isEmpty();
        assertThat(ReservedNames.check("spiffe://example.org/x", null, Map.of(), null, true, false)).isPresent();
    }

    @Test
    void sca07_aBindingCountsOnlyIfAnAdministratorOrThePackMadeIt() {
        assertThat(SpiffeBindings.trusted(false, null)).as("administrator's client").isTrue();
        assertThat(SpiffeBindings.trusted(false, "registration-free")).as("pack's registration-free client").isTrue();
        assertThat(SpiffeBindings.trusted(true, "attested")).as("attested registration").isTrue();
        assertThat(SpiffeBindings.trusted(true, null)).as("made through a registration endpoint").isFalse();
        assertThat(SpiffeBindings.trusted(true, "registration-free")).isFalse();
    }
}
