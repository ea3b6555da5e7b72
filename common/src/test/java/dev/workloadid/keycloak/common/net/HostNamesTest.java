package dev.workloadid.keycloak.common.net;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostNamesTest {

    @ParameterizedTest
    @CsvSource({
            "app.example.com, app.example.com",
            "  APP.Example.COM. , app.example.com",
            "*.mcp.example.org, *.mcp.example.org",
            "bücher.example, xn--bcher-kva.example",
            "*.BÜCHER.example, *.xn--bcher-kva.example",
            "xn--bcher-kva.example, xn--bcher-kva.example",
            "\uff41\uff50\uff50.example, app.example",
            "127.0.0.1, 127.0.0.1",
            "[::1], [::1]",
    })
    void entriesAreNormalisedToLowerCaseALabels(String raw, String normal) {
        assertThat(HostNames.entry(raw)).isEqualTo(normal);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "https://mcp.example.com/client.json | is a URL",
            "mcp.example.com/client.json | contains a path",
            "mcp.example.com:8443 | contains a port",
            "user@mcp.example.com | contains user info",
            "a..example.com | empty label",
            ".example.com | empty label",
            "* | wildcard",
            "*example.com | wildcard",
            "a.*.example.com | wildcard",
            "*.*.example.com | wildcard",
            "*.127.0.0.1 | IP address",
            "a_b.example.com | not a valid host name",
            "a b.example | not a valid host name",
            "-a.example | not a valid host name",
    })
    void malformedEntriesAreRefusedWithAReason(String raw, String reason) {
        assertThatThrownBy(() -> HostNames.entry(raw)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void emptyEntriesAreRefused(String raw) {
        assertThatThrownBy(() -> HostNames.entry(raw)).hasMessage("is empty");
    }

    @Test
    void cimd36_unicodeEntryMatchesThePunycodeHostOfAUrl() {
        String entry = HostNames.entry("*.bücher.example");
        assertThat(HostNames.matches(entry, HostNames.host("Shop.XN--BCHER-KVA.example."))).isTrue();
        assertThat(HostNames.matches(entry, HostNames.host("xn--bcher-kva.example"))).isFalse();
        assertThat(HostNames.matches(HostNames.entry("bücher.example"), HostNames.host("xn--bcher-kva.example"))).isTrue();
        assertThat(HostNames.matches(entry, HostNames.host("evilxn--bcher-kva.example"))).isFalse();
    }

    @Test
    void hostsThatAreNoHostNamesMatchNothing() {
        assertThat(HostNames.host("a..b")).isNull();
        assertThat(HostNames.host(null)).isNull();
        assertThat(HostNames.matches("a.example", null)).isFalse();
    }
}
