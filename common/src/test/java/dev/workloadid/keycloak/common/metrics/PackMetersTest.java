package dev.workloadid.keycloak.common.metrics;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PackMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void addRegistry() {
        Metrics.addRegistry(registry);
    }

    @AfterEach
    void removeRegistry() {
        Metrics.removeRegistry(registry);
    }

    @Test
    void repeatedCountsReachTheSameCounterAndOtherLabelsTheirOwn() {
        for (int i = 0; i < 3; i++) {
            PackMeters.count("test.requests", "test", "realm", "a", "outcome", "ok");
        }
        PackMeters.count("test.requests", "test", "realm", "b", "outcome", "ok");
        PackMeters.count("test.requests", "test", "realm", "a", "outcome", "failed");

        assertThat(registry.get("wi.test.requests").tags("realm", "a", "outcome", "ok").counter().count()).isEqualTo(3.0);
        assertThat(registry.get("wi.test.requests").tags("realm", "b", "outcome", "ok").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("wi.test.requests").tags("realm", "a", "outcome", "failed").counter().count()).isEqualTo(1.0);
    }

    @Test
    void aBadLabelListIsNotRecordedAndDoesNotThrow() {
        PackMeters.count("test.bad", "test", "realm"); // a name without its value
        PackMeters.count("test.bad", "test", "realm", null);

        assertThat(registry.find("wi.test.bad").counters()).isEmpty();
    }
}
