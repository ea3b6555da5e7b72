package dev.workloadid.keycloak.dcr.rules;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.workloadid.keycloak.dcr.rules.Refusals.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * {@link RedirectUriRules}: DCR-05 (https, loopback http or a private-use scheme), MCP-11 (localhost
 * or https), MCP-12 (exact values: no wildcards). Every refusal is invalid_redirect_uri (DCR-14).
 */
class RedirectUriRulesTest {

    private static final RedirectUriRules.Settings DEFAULTS = RedirectUriRules.Settings.DEFAULTS;

    private static void accepted(String type, RedirectUriRules.Settings settings, String... uris) {
        assertThatCode(() -> RedirectUriRules.check(List.of(uris), type, settings)).as(String.join(" ", uris))
                .doesNotThrowAnyException();
    }

    private static DcrError refusedAs(String type, RedirectUriRules.Settings settings, String... uris) {
        return refused(() -> RedirectUriRules.check(Arrays.asList(uris), type, settings), DcrError.INVALID_REDIRECT_URI);
    }

    @Test
    void dcr05_noRedirectUrisIsNothingToCheck() {
        assertThatCode(() -> RedirectUriRules.check(null, "web", DEFAULTS)).doesNotThrowAnyException();
        assertThatCode(() -> RedirectUriRules.check(List.of(), "native", DEFAULTS)).doesNotThrowAnyException();
    }

    @Test
    void dcr05_httpsIsAcceptedForEveryClientWhateverTheCase() {
        accepted("web", DEFAULTS, "https://app.example.com/cb", "HTTPS://App.Example.com:8443/cb?tenant=a");
        accepted("native", DEFAULTS, "https://app.example.com/cb");
        accepted(null, DEFAULTS, "https://app.example.com/cb");
    }

    @Test
    void dcr05_emptyRelativeOrUnparsableUrisAreRefused() {
        assertThat(refusedAs("web", DEFAULTS, "").description()).contains("empty");
        refusedAs("web", DEFAULTS, "  ");
        refusedAs("web", DEFAULTS, (String) null);
        assertThat(refusedAs("web", DEFAULTS, "//app.example.com/cb").description()).contains("absolute");
        assertThat(refusedAs("web", DEFAULTS, "https://app.example.com/c b").description()).contains("not a valid URI");
    }

    @Test
    void dcr05_httpsWithoutAHostIsRefused() {
        refusedAs("web", DEFAULTS, "https:/cb");
        refusedAs("web", DEFAULTS, "https:///cb");
        refusedAs("web", DEFAULTS, "https:cb");
    }

    @Test
    void mcp12_everyUriIsCheckedAndTheRefusalNamesTheBadOne() {
        String bad = "https://app.example.com/cb#section";
        assertThat(refusedAs("web", DEFAULTS, "https://app.example.com/ok", bad).description()).contains(bad);
    }

    @Test
    void mcp12_wildcardsAreRefusedAnywhere() {
        for (String uri : List.of("https://app.example.com/cb?next=*", "com.example.*:/cb", "http://127.0.0.1:*/cb")) {
            assertThat(refusedAs("native", DEFAULTS, uri).description()).as(uri).contains("wildcards");
        }
    }

    @Test
    void mcp11_httpOnlyOnLoopbackAndForWebOnlyWhenAllowed() {
        RedirectUriRules.Settings devWeb = new RedirectUriRules.Settings(true, true, true);
        accepted("web", devWeb, "http://127.0.0.1:8080/cb", "http://localhost:3000/cb", "http://[::1]/cb");
        assertThat(refusedAs("web", devWeb, "http://app.example.com/cb").description()).contains("loopback");
        assertThat(refusedAs("web", DEFAULTS, "http://127.0.0.1:8080/cb").description()).contains("native");
        accepted("native", DEFAULTS, "http://127.0.0.1/cb", "http://127.1.2.3:65535/cb");
    }

    @Test
    void mcp11_loopbackMeans127Slash8AndIpv6OneOnly() {
        for (String host : List.of("127.0.0.1", "127.255.255.254", "[::1]", "::1")) {
            assertThat(RedirectUriRules.isLoopback(host, false)).as(host).isTrue();
        }
        assertThat(RedirectUriRules.isLoopback("LOCALHOST", true)).isTrue();
        assertThat(RedirectUriRules.isLoopback("localhost", false)).isFalse();
        for (String host : Arrays.asList("127.0.0.256", "127.0.0", "127.0.0.1.1", "127.0.0.", "127.0.0.-1", "127.0.0.1a",
                "128.0.0.1", "0.0.0.0", "10.0.0.1", "localhost.example.com", "127.0.0.1.nip.io", "[::2]", "", null)) {
            assertThat(RedirectUriRules.isLoopback(host, true)).as(String.valueOf(host)).isFalse();
        }
    }

    @Test
    void dcr05_nativePrivateSchemesMustBeInReverseDomainForm() {
        accepted("native", DEFAULTS, "com.example.app:/oauth2redirect", "com.example.app://cb");
        for (String uri : List.of("myapp:/cb", "javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd")) {
            assertThat(refusedAs("native", DEFAULTS, uri).description()).as(uri).contains(uri);
        }
    }

    @Test
    void dcr05_privateSchemesOnlyForNativeClientsAndOnlyWhenAllowed() {
        assertThat(refusedAs("web", DEFAULTS, "com.example.app:/cb").description()).contains("https");
        RedirectUriRules.Settings noPrivate = new RedirectUriRules.Settings(true, false, false);
        assertThat(refusedAs("native", noPrivate, "com.example.app:/cb").description()).contains("private-use");
        accepted("native", noPrivate, "http://127.0.0.1/cb");
    }
}
