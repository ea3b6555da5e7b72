package dev.workloadid.keycloak.cimd.keycloak;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DocumentClientsTest {

    private static final String URL = "https://popular-mcp.example/client.json";

    /** What a case-, accent- or width-insensitive collation answers for the URL must never be served for it. */
    @Test
    void cimd42_onlyAByteEqualDatabaseRowStandsForTheDocument() {
        assertThat(DocumentClients.sameClientId(URL, URL)).isTrue();
        assertThat(DocumentClients.sameClientId(URL, "http\u015B://popular-mcp.example/client.json")).isFalse();
        assertThat(DocumentClients.sameClientId(URL, "HTTPS://popular-mcp.example/client.json")).isFalse();
        assertThat(DocumentClients.sameClientId(URL, "\uFF48ttps://popular-mcp.example/client.json")).isFalse();
        assertThat(DocumentClients.sameClientId(URL, "\u200B" + URL)).isFalse();
        assertThat(DocumentClients.sameClientId(URL, URL + " ")).as("PAD SPACE collations ignore trailing blanks").isFalse();
        assertThat(DocumentClients.sameClientId(URL, "https://popular-mcp.example/CLIENT.json")).isFalse();
        assertThat(DocumentClients.sameClientId(URL, null)).isFalse();
    }
}
