package dev.workloadid.keycloak.dcr.policy;

import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DCR-03: the rate-limit policy's settings are validated when saved. */
class RateLimitPolicyFactoryTest {

    private static ComponentModel model(Map<String, String> settings) {
        ComponentModel m = new ComponentModel();
        settings.forEach(m::put);
        return m;
    }

    @Test
    void dcr03_prefixLengthsAreValidatedAtSave() {
        RateLimitPolicyFactory factory = new RateLimitPolicyFactory();
        assertThatCode(() -> factory.validateConfiguration(null, null, model(Map.of()))).doesNotThrowAnyException();
        assertThatCode(() -> factory.validateConfiguration(null, null,
                model(Map.of("ipv6-prefix-length", "56", "ipv4-prefix-length", "24")))).doesNotThrowAnyException();
        assertThatThrownBy(() -> factory.validateConfiguration(null, null, model(Map.of("ipv6-prefix-length", "0"))))
                .isInstanceOf(ComponentValidationException.class).hasMessageContaining("IPv6");
        assertThatThrownBy(() -> factory.validateConfiguration(null, null, model(Map.of("ipv4-prefix-length", "sixty"))))
                .isInstanceOf(ComponentValidationException.class).hasMessageContaining("whole number");
        assertThatThrownBy(() -> factory.validateConfiguration(null, null, model(Map.of("per-source-limit", "-1"))))
                .isInstanceOf(ComponentValidationException.class);
    }
}
