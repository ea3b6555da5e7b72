package dev.workloadid.keycloak.cimd.document;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocumentValidatorTest {

    static final String URL = "https://app.example.com/client.json";
    static final String JWK = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
            + "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\",\"kid\":\"k1\"}";

    private static ClientDocument valid(String json) throws DocumentRejectedException {
        return DocumentValidator.validate(URL, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void refused(String json, String rule, String oauthError) {
        assertThatThrownBy(() -> valid(json)).isInstanceOf(DocumentRejectedException.class)
                .satisfies(e -> {
                    assertThat(((DocumentRejectedException) e).rule()).isEqualTo(rule);
                    assertThat(((DocumentRejectedException) e).oauthError()).isEqualTo(oauthError);
                });
    }

    private static String doc(String extra) {
        return "{\"client_id\":\"" + URL + "\",\"client_name\":\"App\",\"redirect_uris\":[\"http://127.0.0.1:3000/cb\"]"
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    @Test
    void cimd3_01_absentAuthMethodMeansNone() throws Exception {
        ClientDocument d = valid(doc(""));
        assertThat(d.authMethod()).isEqualTo(AuthMethod.NONE);
        assertThat(d.grantTypes()).containsExactly("authorization_code");
        assertThat(d.redirectUris()).containsExactly("http://127.0.0.1:3000/cb");
    }

    @Test
    void cimd10_clientIdMustEqualUrlExactly() {
        refused("{\"client_id\":\"https://app.example.com:443/client.json\",\"redirect_uris\":[\"https://a.example/cb\"]}",
                "CIMD-10", "invalid_client");
        refused("{\"redirect_uris\":[\"https://a.example/cb\"]}", "CIMD-10", "invalid_client");
    }

    @Test
    void cimd11_refusesNonJsonAndNonObjects() {
        refused("not json", "CIMD-11", "invalid_client");
        refused("[1,2]", "CIMD-11", "invalid_client");
        refused(doc("\"client_name\":5").replace("\"client_name\":\"App\",", ""), "CIMD-11", "invalid_client");
    }

    @Test
    void cimd13_refusesSharedSecretMethods() {
        for (String m : new String[] {"client_secret_basic", "client_secret_post", "client_secret_jwt"}) {
            refused(doc("\"token_endpoint_auth_method\":\"" + m + "\""), "CIMD-13", "invalid_client");
        }
    }

    @Test
    void cimd14_refusesClientSecret() {
        refused(doc("\"client_secret\":\"s\""), "CIMD-14", "invalid_client");
        refused(doc("\"client_secret_expires_at\":0"), "CIMD-14", "invalid_client");
    }

    @Test
    void cimd15_refusesPrivateKeyMaterial() {
        String priv = JWK.replace("}", ",\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}");
        refused(doc("\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[" + priv + "]}"), "CIMD-15", "invalid_client");
        refused(doc("\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"}]}"),
                "CIMD-15", "invalid_client");
    }

    @Test
    void cimd17_unknownMembersAreIgnored() throws Exception {
        ClientDocument d = valid(doc("\"software_statement\":\"eyJ.x.y\",\"x-vendor\":{\"a\":[1]},\"scope\":\"mcp\""));
        assertThat(d.clientName()).isEqualTo("App");
    }

    @Test
    void cimd20_redirectUrisRequiredForAuthorizationCode() {
        refused("{\"client_id\":\"" + URL + "\"}", "CIMD-20", "invalid_client");
    }

    @Test
    void cimd20_refusesWildcardsFragmentsAndRelativeRedirects() {
        refused(doc("").replace("http://127.0.0.1:3000/cb", "https://a.example/*"), "CIMD-20", "invalid_client");
        refused(doc("").replace("http://127.0.0.1:3000/cb", "https://a.example/cb#x"), "CIMD-20", "invalid_client");
        refused(doc("").replace("http://127.0.0.1:3000/cb", "/cb"), "CIMD-20", "invalid_client");
        refused(doc("").replace("http://127.0.0.1:3000/cb", "myapp:/cb"), "CIMD-20", "invalid_client");
    }

    @Test
    void mcp11_httpRedirectOnlyOnLoopback() throws Exception {
        refused(doc("").replace("http://127.0.0.1:3000/cb", "http://app.example.com/cb"), "MCP-11", "invalid_client");
        valid(doc("").replace("http://127.0.0.1:3000/cb", "http://[::1]:3000/cb"));
        valid(doc("").replace("http://127.0.0.1:3000/cb", "http://localhost:3000/cb"));
        valid(doc("").replace("http://127.0.0.1:3000/cb", "com.example.app:/oauth2redirect"));
    }

    @Test
    void cimd38_refusesDangerousSchemes() {
        refused(doc("").replace("http://127.0.0.1:3000/cb", "javascript:alert(1)"), "CIMD-38", "invalid_client");
    }

    @Test
    void cimd41_privateKeyJwtNeedsExactlyOneKeySource() throws Exception {
        refused(doc("\"token_endpoint_auth_method\":\"private_key_jwt\""), "CIMD-41", "invalid_client");
        refused(doc("\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks_uri\":\"https://a.example/jwks\","
                + "\"jwks\":{\"keys\":[" + JWK + "]}"), "CIMD-41", "invalid_client");
        ClientDocument d = valid(doc("\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[" + JWK + "]}"));
        assertThat(d.authMethod()).isEqualTo(AuthMethod.PRIVATE_KEY_JWT);
        assertThat(d.jwks()).contains("\"kid\":\"k1\"");
        assertThat(valid(doc("\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks_uri\":\"https://a.example/jwks\"")).jwksUri())
                .isEqualTo("https://a.example/jwks");
    }

    @Test
    void cimd38_jwksUriMustBeHttps() {
        refused(doc("\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks_uri\":\"http://a.example/jwks\""), "CIMD-38", "invalid_client");
    }

    @Test
    void cimd41_clientCredentialsNeedsClientAuthentication() {
        refused(doc("\"grant_types\":[\"client_credentials\"]"), "CIMD-41", "unauthorized_client");
    }

    @Test
    void mcp01_refusesImplicitAndPassword() {
        refused(doc("\"grant_types\":[\"implicit\"]"), "MCP-01", "unauthorized_client");
        refused(doc("\"grant_types\":[\"authorization_code\",\"password\"]"), "MCP-01", "unauthorized_client");
    }

    @Test
    void cimd3_02_supportedListPresentMeansNoDefaultNone() throws Exception {
        ClientDocument d = valid(doc("\"token_endpoint_auth_methods_supported\":[\"tls_client_auth\",\"private_key_jwt\"],"
                + "\"jwks_uri\":\"https://a.example/jwks\""));
        assertThat(d.authMethod()).isEqualTo(AuthMethod.PRIVATE_KEY_JWT);
    }

    @Test
    void cimd3_03_declaredMethodMustBeInSupportedList() {
        refused(doc("\"token_endpoint_auth_method\":\"none\",\"token_endpoint_auth_methods_supported\":[\"private_key_jwt\"]"),
                "CIMD3-03", "invalid_client");
    }

    @Test
    void cimd3_04_noSupportedMethodIsUnauthorizedClient() {
        refused(doc("\"token_endpoint_auth_methods_supported\":[\"tls_client_auth\"]"), "CIMD3-04", "unauthorized_client");
        refused(doc("\"token_endpoint_auth_method\":\"tls_client_auth\""), "CIMD3-04", "unauthorized_client");
    }

    @Test
    void cimd3_05_sharedSecretInSupportedListRefused() {
        refused(doc("\"token_endpoint_auth_methods_supported\":[\"none\",\"client_secret_basic\"]"), "CIMD3-05", "invalid_client");
    }

    @Test
    void sca50_spiffeIdBindsSpiffeAuthentication() throws Exception {
        ClientDocument d = valid(doc("\"spiffe_id\":\"spiffe://example.org/ns/prod/*\",\"grant_types\":[\"client_credentials\"]"));
        assertThat(d.authMethod()).isEqualTo(AuthMethod.SPIFFE_JWT);
        assertThat(d.spiffeId()).isEqualTo("spiffe://example.org/ns/prod/*");
        refused(doc("\"spiffe_id\":\"example.org/x\""), "SCA-50", "invalid_client");
        refused(doc("\"spiffe_id\":\"spiffe://example.org/x\",\"token_endpoint_auth_method\":\"none\""), "SCA-50", "unauthorized_client");
        refused(doc("\"token_endpoint_auth_method\":\"spiffe_jwt\""), "SCA-50", "invalid_client");
    }
}
