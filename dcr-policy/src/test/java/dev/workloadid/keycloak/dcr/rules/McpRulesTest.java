package dev.workloadid.keycloak.dcr.rules;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.workloadid.keycloak.dcr.rules.Refusals.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * {@link McpRules}: MCP-03 (a client registering dynamically sends application_type, native or web),
 * MCP-01 (OAuth 2.1: public clients use the authorization code flow; no implicit or password grant).
 */
class McpRulesTest {

    private static final List<String> LOOPBACK = List.of("http://127.0.0.1:6276/oauth/callback");
    private static final List<String> HTTPS = List.of("https://app.example.com/cb");

    @Test
    void mcp03_sentApplicationTypeIsKeptWhateverTheRedirectUris() {
        assertThat(McpRules.applicationType("web", LOOPBACK, false)).isEqualTo("web");
        assertThat(McpRules.applicationType("native", HTTPS, false)).isEqualTo("native");
        assertThat(McpRules.applicationType("web", null, true)).isEqualTo("web");
    }

    @Test
    void mcp03_applicationTypeOtherThanWebOrNativeIsRefused() {
        for (String sent : List.of("desktop", "Web", "NATIVE", "", "browser")) {
            DcrError e = refused(() -> McpRules.applicationType(sent, HTTPS, false), DcrError.INVALID_CLIENT_METADATA);
            assertThat(e.description()).contains("application_type");
        }
    }

    @Test
    void mcp03_missingApplicationTypeIsRefusedWhenRequired() {
        DcrError e = refused(() -> McpRules.applicationType(null, LOOPBACK, true), DcrError.INVALID_CLIENT_METADATA);
        assertThat(e.description()).contains("required");
    }

    @Test
    void mcp03_inferredNativeWhenEveryRedirectIsLoopbackHttpOrAPrivateScheme() {
        assertThat(McpRules.applicationType(null, List.of("http://127.0.0.1:6276/oauth/callback", "http://[::1]/cb",
                "http://localhost:6274/oauth/callback", "com.example.app:/cb"), false)).isEqualTo("native");
        assertThat(McpRules.applicationType(null, List.of("HTTP://127.0.0.1/cb"), false)).isEqualTo("native");
    }

    @Test
    void mcp03_inferredWebOtherwise() {
        assertThat(McpRules.applicationType(null, HTTPS, false)).isEqualTo("web");
        assertThat(McpRules.applicationType(null, List.of("http://10.0.0.1/cb"), false)).as("http, not loopback").isEqualTo("web");
        assertThat(McpRules.applicationType(null, List.of("com.example.app:/cb", "https://a.example/cb"), false)).isEqualTo("web");
        assertThat(McpRules.applicationType(null, List.of("/relative/cb"), false)).isEqualTo("web");
        assertThat(McpRules.applicationType(null, List.of("not a uri"), false)).isEqualTo("web");
        assertThat(McpRules.applicationType(null, List.of(), false)).isEqualTo("web");
        assertThat(McpRules.applicationType(null, null, false)).isEqualTo("web");
    }

    @Test
    void mcp01_publicClientMayUseOnlyTheCodeAndRefreshGrants() {
        assertThatCode(() -> McpRules.checkPublicClient("none", List.of("authorization_code", "refresh_token"), List.of("code")))
                .doesNotThrowAnyException();
        assertThatCode(() -> McpRules.checkPublicClient("none", List.of("authorization_code"), null)).doesNotThrowAnyException();
        assertThatCode(() -> McpRules.checkPublicClient("none", null, null)).doesNotThrowAnyException();
        for (String grant : List.of("implicit", "password", "client_credentials",
                "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:token-exchange")) {
            DcrError e = refused(() -> McpRules.checkPublicClient("none", List.of("authorization_code", grant), null),
                    DcrError.INVALID_CLIENT_METADATA);
            assertThat(e.description()).contains(grant);
        }
    }

    @Test
    void mcp01_publicClientMayUseOnlyResponseTypeCode() {
        assertThatCode(() -> McpRules.checkPublicClient("none", null, List.of("code", "none"))).doesNotThrowAnyException();
        for (String response : List.of("token", "id_token", "code id_token", "code token")) {
            DcrError e = refused(() -> McpRules.checkPublicClient("none", null, Arrays.asList("code", response)),
                    DcrError.INVALID_CLIENT_METADATA);
            assertThat(e.description()).contains(response);
        }
    }

    @Test
    void mcp01_confidentialClientsAreNotLimitedByThePublicClientRule() {
        for (String method : Arrays.asList("private_key_jwt", "client_secret_basic", "spiffe_jwt", null)) {
            assertThatCode(() -> McpRules.checkPublicClient(method, List.of("client_credentials", "implicit"), List.of("token")))
                    .as(String.valueOf(method)).doesNotThrowAnyException();
        }
    }
}
