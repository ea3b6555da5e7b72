package dev.workloadid.keycloak.cimd.url;

import org.junit.jupiter.api.Test;

import java.util.List;

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
}
