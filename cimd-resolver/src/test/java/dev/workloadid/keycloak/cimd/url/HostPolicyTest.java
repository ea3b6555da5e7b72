package dev.workloadid.keycloak.cimd.url;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostPolicyTest {

    @Test
    void cimd36_allowListExactAndSubdomain() {
        HostPolicy p = new HostPolicy(false, List.of("app.example.com", "*.mcp.example.org"), List.of());
        assertThatCode(() -> p.check("APP.example.com")).doesNotThrowAnyException();
        assertThatCode(() -> p.check("a.mcp.example.org")).doesNotThrowAnyException();
        assertThatThrownBy(() -> p.check("mcp.example.org")).isInstanceOf(UrlRuleException.class);
        assertThatThrownBy(() -> p.check("evilmcp.example.org")).isInstanceOf(UrlRuleException.class);
        assertThatThrownBy(() -> p.check("other.example.com")).isInstanceOf(UrlRuleException.class);
    }

    @Test
    void cimd36_emptyAllowListRefusesAllUnlessAnyPublicHost() {
        assertThatThrownBy(() -> new HostPolicy(false, List.of(), List.of()).check("a.example.com"))
                .isInstanceOf(UrlRuleException.class);
        assertThatCode(() -> new HostPolicy(true, List.of(), List.of()).check("a.example.com")).doesNotThrowAnyException();
    }

    @Test
    void cimd36_denyWins() {
        HostPolicy p = new HostPolicy(true, List.of("*.example.com"), List.of("bad.example.com", "*.evil.test"));
        assertThatThrownBy(() -> p.check("bad.example.com")).isInstanceOf(UrlRuleException.class);
        assertThatThrownBy(() -> p.check("x.evil.test")).isInstanceOf(UrlRuleException.class);
        assertThatCode(() -> p.check("good.example.com")).doesNotThrowAnyException();
    }

    @Test
    void cimd36_trailingRootDotDoesNotEscapeTheDenyList() {
        HostPolicy p = new HostPolicy(true, List.of(), List.of("bad.example.com", "*.evil.test."));
        assertThatThrownBy(() -> p.check("bad.example.com.")).isInstanceOf(UrlRuleException.class);
        assertThatThrownBy(() -> p.check("x.evil.test")).isInstanceOf(UrlRuleException.class);
        assertThatThrownBy(() -> p.check("x.evil.test.")).isInstanceOf(UrlRuleException.class);
    }

    @Test
    void cimd36_unicodeListEntriesMatchThePunycodeHostsOfUrls() {
        HostPolicy p = new HostPolicy(false, List.of("Bücher.example", "*.ÉCOLE.example"), List.of("böse.école.example"));
        assertThat(p.allowed()).containsExactly("xn--bcher-kva.example", "*.xn--cole-9oa.example");
        assertThatCode(() -> p.check("xn--bcher-kva.example")).doesNotThrowAnyException();
        assertThatCode(() -> p.check("MCP.xn--cole-9oa.example")).doesNotThrowAnyException();
        assertThatThrownBy(() -> p.check("xn--bse-sna.xn--cole-9oa.example")).isInstanceOf(UrlRuleException.class)
                .hasMessageContaining("deny-list");
        assertThatThrownBy(() -> p.check("bucher.example")).isInstanceOf(UrlRuleException.class);
    }

    @Test
    void cimd36_aHostThatIsNoHostNameIsRefusedEvenForAnyPublicHost() {
        assertThatThrownBy(() -> new HostPolicy(true, List.of(), List.of()).check("a..example"))
                .isInstanceOf(UrlRuleException.class);
    }
}
