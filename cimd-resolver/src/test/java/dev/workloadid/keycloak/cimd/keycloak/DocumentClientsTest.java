package dev.workloadid.keycloak.cimd.keycloak;

import org.junit.jupiter.api.Test;
import org.keycloak.models.ClientModel;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.Map;

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

    /** What makes a use (or the refresh task) revalidate: the document's expiry, or an enabled client's keys. */
    @Test
    void cimd33_revalidationIsDueOnceTheDocumentOrAnEnabledClientsKeysExpire() {
        Instant now = Instant.ofEpochSecond(1_000_000);
        String past = Long.toString(now.getEpochSecond() - 1);
        String future = Long.toString(now.getEpochSecond() + 60);
        assertThat(DocumentClients.revalidationDue(client(true, Map.of(DocumentClients.EXPIRES_AT, future)), now)).isFalse();
        assertThat(DocumentClients.revalidationDue(client(true, Map.of(DocumentClients.EXPIRES_AT, past)), now)).isTrue();
        assertThat(DocumentClients.revalidationDue(client(true, Map.of()), now)).as("no expiry stored").isTrue();
        Map<String, String> keysExpired = Map.of(DocumentClients.EXPIRES_AT, future,
                DocumentClients.JWKS_URI, "https://keys.example/jwks.json", DocumentClients.KEYS_EXPIRE_AT, past);
        assertThat(DocumentClients.revalidationDue(client(true, keysExpired), now)).isTrue();
        assertThat(DocumentClients.revalidationDue(client(false, keysExpired), now)).as("keys of a disabled client wait").isFalse();
    }

    /** Only the client's attributes and enabled flag, which is all the rule reads. */
    private static ClientModel client(boolean enabled, Map<String, String> attributes) {
        return (ClientModel) Proxy.newProxyInstance(ClientModel.class.getClassLoader(), new Class<?>[] {ClientModel.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "isEnabled" -> enabled;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
