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
        // Port 443 only unless a deployment allows more: other ports would make the fetcher a port scanner.
        assertThat(p.allowedPorts()).isEqualTo(PortList.HTTPS);
        assertThat(p.permitsPort(443)).isTrue();
        assertThat(p.permitsPort(8443)).isFalse();
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
        assertThatThrownBy(() -> b.allowedPorts(Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.acceptHeader("a\r\nX-Injected: 1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConditionalHeaders("\"v1\"\r\nX: y", null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cimd36_allowedPortsParseSinglePortsRangesAndAny() {
        PortList list = PortList.parse(" 443, 8443 ,32768-60999");
        assertThat(list.permits(443)).isTrue();
        assertThat(list.permits(8443)).isTrue();
        assertThat(list.permits(40000)).isTrue();
        assertThat(list.permits(80)).isFalse();
        assertThat(list.permits(61000)).isFalse();
        assertThat(list.toString()).isEqualTo("443,8443,32768-60999");
        assertThat(PortList.parse("*").permits(1)).isTrue();
        assertThat(FetchPolicy.builder().allowedPorts((Set<Integer>) null).build().permitsPort(22)).isTrue();
        for (String bad : new String[] {"", " , ", "0", "65536", "https", "9000-8000", "443;8443", "-1"}) {
            assertThatThrownBy(() -> PortList.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
