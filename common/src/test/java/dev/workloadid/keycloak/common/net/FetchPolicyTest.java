package dev.workloadid.keycloak.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FetchPolicyTest {

    @Test
    void defaults() {
        FetchPolicy p = FetchPolicy.defaults();
        assertThat(p.maxBytes()).isEqualTo(5120);
        assertThat(p.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.readTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.totalTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.allowLoopback()).isFalse();
        assertThat(p.acceptHeader()).isEqualTo("application/json");
        assertThat(p.allowedPorts()).isNull();
        assertThat(p.permitsPort(8443)).isTrue();
    }

    @Test
    void toBuilderCopiesAndChanges() {
        FetchPolicy p = FetchPolicy.defaults().toBuilder()
                .maxBytes(1).allowedPorts(Set.of(443)).acceptHeader("application/jwk-set+json").build();
        assertThat(p.maxBytes()).isEqualTo(1);
        assertThat(p.permitsPort(443)).isTrue();
        assertThat(p.permitsPort(8443)).isFalse();
        assertThat(p.acceptHeader()).isEqualTo("application/jwk-set+json");
        assertThat(p.totalTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(FetchPolicy.defaults().maxBytes()).isEqualTo(5120);
    }

    @Test
    void refusesNonsense() {
        FetchPolicy.Builder b = FetchPolicy.builder();
        assertThatThrownBy(() -> b.maxBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxBytes(Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.totalTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.readTimeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.connectTimeout(Duration.ofDays(30))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.allowedPorts(Set.of(0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.acceptHeader("a\r\nX-Injected: 1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConditionalHeaders("\"v1\"\r\nX: y", null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
