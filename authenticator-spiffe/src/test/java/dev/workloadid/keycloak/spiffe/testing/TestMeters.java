package dev.workloadid.keycloak.spiffe.testing;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A registry in Micrometer's global registry for the length of one test: {@code @RegisterExtension}. */
public final class TestMeters implements BeforeEachCallback, AfterEachCallback {

    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Override
    public void beforeEach(ExtensionContext context) {
        Metrics.addRegistry(registry);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Metrics.removeRegistry(registry);
    }
}
