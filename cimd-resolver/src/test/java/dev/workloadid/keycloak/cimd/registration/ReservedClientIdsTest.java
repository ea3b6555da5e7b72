package dev.workloadid.keycloak.cimd.registration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

class ReservedClientIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"https://popular-mcp.example/client.json", "HTTPS://popular-mcp.example/client.json",
            "  https://popular-mcp.example/client.json\t", "http://popular-mcp.example/client.json", "Http://x",
            "https:/x", "https:x", "https:"})
    void cimd42_urlClientIdsCannotBeRegistered(String clientId) {
        assertThat(ReservedClientIds.check(clientId, List.of())).get(STRING)
                .contains("is a URL", clientId.trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"my-app", "spiffe://demo.local/ns/demo/sa/x", "urn:example:client", "app-https://x",
            "httpsclient", "7f3c2a1e-uuid"})
    void otherClientIdsPass(String clientId) {
        assertThat(ReservedClientIds.check(clientId, List.of("pkce.code.challenge.method", "post.logout.redirect.uris")))
                .isEmpty();
    }

    @Test
    void generatedClientIdAndNoAttributesPass() {
        assertThat(ReservedClientIds.check(null, null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cimd.managed", "cimd.expires_at", "cimd.anything", "CIMD.Managed", " cimd.managed"})
    void documentClientBookkeepingAttributesAreReserved(String attribute) {
        assertThat(ReservedClientIds.check("my-app", Set.of("client.secret.creation.time", attribute)))
                .get(STRING)
                .contains("attribute '" + attribute.trim() + "' is reserved");
    }

    @Test
    void attributesMerelyMentioningCimdPass() {
        assertThat(ReservedClientIds.check("my-app", List.of("cimd", "x.cimd.managed", "cimdmanaged"))).isEmpty();
    }

    /** Client IDs a case-, accent- or width-insensitive database returns for the document's URL. */
    @ParameterizedTest
    @ValueSource(strings = {"http\u015B://popular-mcp.example/client.json", "\uFF48ttps://popular-mcp.example/client.json",
            "\u200Bhttps://popular-mcp.example/client.json", "http\u017F://popular-mcp.example/client.json",
            "ht\u00ADtps://popular-mcp.example/client.json", "https\uFF1A//popular-mcp.example/client.json"})
    void cimd42_clientIdsACaseOrAccentInsensitiveDatabaseReadsAsUrlsCannotBeRegistered(String clientId) {
        assertThat(ReservedClientIds.check(clientId, List.of())).get(STRING).contains("is a URL");
    }
}
