package dev.workloadid.keycloak.cimd.url;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientIdUrlTest {

    private static void refused(String url, String rule) {
        assertThatThrownBy(() -> ClientIdUrl.check(url, false))
                .isInstanceOf(UrlRuleException.class)
                .satisfies(e -> assertThat(((UrlRuleException) e).rule()).isEqualTo(rule));
    }

    @Test
    void cimd01_requiresHttps() {
        refused("http://app.example.com/client", "CIMD-01");
        refused("HTTPS://app.example.com/client", "CIMD-01");
        refused("ftp://app.example.com/client", "CIMD-01");
    }

    @Test
    void cimd01_requiresAHost() {
        refused("https:///client", "CIMD-01");
    }

    @Test
    void cimd02_refusesUserInfo() {
        refused("https://u:p@app.example.com/client", "CIMD-02");
        refused("https://u@app.example.com/client", "CIMD-02");
    }

    @Test
    void cimd03_allowsAPort() throws Exception {
        assertThat(ClientIdUrl.check("https://app.example.com:8443/client", false).getPort()).isEqualTo(8443);
    }

    @Test
    void cimd04_requiresAPath() {
        refused("https://app.example.com", "CIMD-04");
    }

    @Test
    void cimd05_refusesDotSegments() {
        refused("https://app.example.com/a/../client", "CIMD-05");
        refused("https://app.example.com/./client", "CIMD-05");
        refused("https://app.example.com/a/..", "CIMD-05");
        refused("https://app.example.com/a/%2e%2E/client", "CIMD-05");
    }

    @Test
    void cimd05_allowsDotsInsideSegments() throws Exception {
        ClientIdUrl.check("https://app.example.com/a/.well-known/client.json", false);
        ClientIdUrl.check("https://app.example.com/a/...", false);
    }

    @Test
    void cimd06_refusesQueryUnlessAllowed() throws Exception {
        refused("https://app.example.com/client?x=1", "CIMD-06");
        assertThat(ClientIdUrl.check("https://app.example.com/client?x=1", true).getRawQuery()).isEqualTo("x=1");
    }

    @Test
    void cimd07_refusesFragment() {
        refused("https://app.example.com/client#f", "CIMD-07");
        refused("https://app.example.com/client#", "CIMD-07");
    }

    @Test
    void cimd08_refusesSpacesAndNonAscii() {
        refused("https://app.example.com/cli ent", "CIMD-08");
        refused("https://app.example.com/clïent", "CIMD-08");
        refused("https://app.example.com/client\n", "CIMD-08");
    }

    @Test
    void cimd08_doesNotNormalise() throws Exception {
        // Both are valid; they stay two different strings, so two different clients.
        for (String url : List.of("https://app.example.com/client", "https://app.example.com:443/client",
                "https://APP.example.com/client")) {
            assertThat(ClientIdUrl.check(url, false).toString()).isEqualTo(url);
        }
    }

    @Test
    void cimd09_refusesRootPath() {
        refused("https://app.example.com/", "CIMD-09");
    }

    @Test
    void cimd35_refusesOverlongUrl() {
        refused("https://app.example.com/" + "a".repeat(2100), "CIMD-35");
    }

    @Test
    void cimd35_refusesUrlsLongerThanKeycloaksClientIdColumn() throws Exception {
        String prefix = "https://app.example.com/";
        String fits = prefix + "a".repeat(ClientIdUrl.MAX_LENGTH - prefix.length());
        assertThat(fits).hasSize(255);
        assertThat(ClientIdUrl.check(fits, false).toString()).isEqualTo(fits);
        assertThatThrownBy(() -> ClientIdUrl.check(fits + "b", false))
                .isInstanceOfSatisfying(UrlRuleException.class, e -> assertThat(e.rule()).isEqualTo("CIMD-35"))
                .hasMessageContaining("256 characters").hasMessageContaining("at most 255");
    }

    @Test
    void looksLikeUrl_onlyForHttpSchemes() {
        assertThat(ClientIdUrl.looksLikeUrl("https://a/b")).isTrue();
        assertThat(ClientIdUrl.looksLikeUrl("HTTP://a/b")).isTrue();
        assertThat(ClientIdUrl.looksLikeUrl("my-app")).isFalse();
        assertThat(ClientIdUrl.looksLikeUrl("spiffe://td/x")).isFalse();
        assertThat(ClientIdUrl.looksLikeUrl(null)).isFalse();
    }
}
