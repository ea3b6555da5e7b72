package dev.workloadid.keycloak.cimd.settings;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CimdSettingsTest {

    @Test
    void defaultsAreSafe() {
        CimdSettings s = CimdSettings.from(Map.of());
        assertThat(s.enabled()).isTrue();
        assertThat(s.hosts().anyPublicHost()).isFalse();
        assertThat(s.allowQuery()).isFalse();
        assertThat(s.maxBytes()).isEqualTo(5120);
        assertThat(s.consentRequired()).isTrue();
        assertThat(s.fetchPolicy(false).allowLoopback()).isFalse();
        assertThat(s.cacheFloor()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void multivaluedHostsFromConsoleOrRest() {
        CimdSettings s = CimdSettings.from(Map.of(CimdSettings.ALLOWED_HOSTS, List.of("a.example##*.b.example", "c.example")));
        assertThat(s.hosts().allowed()).containsExactly("a.example", "*.b.example", "c.example");
    }

    @Test
    void cimd33_floorMustNotExceedCeiling() {
        assertThatThrownBy(() -> CimdSettings.from(Map.of(CimdSettings.CACHE_FLOOR, List.of("100"),
                CimdSettings.CACHE_CEILING, List.of("10")))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CimdSettings.from(Map.of(CimdSettings.MAX_BYTES, List.of("lots"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
