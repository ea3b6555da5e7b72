package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import dev.workloadid.keycloak.spiffe.testing.MutableClock;
import dev.workloadid.keycloak.spiffe.testing.TestMeters;
import io.spiffe.spiffeid.TrustDomain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Bundle refreshes and age as meters, labelled by realm name and trust domain. */
class BundleRegistryMetersTest {

    @RegisterExtension
    final TestMeters meters = new TestMeters();
    private final MutableClock clock = new MutableClock();
    private volatile boolean failing;

    @Test
    void refreshesAreCountedByOutcomeAndTheAgeGrowsWithTheClock() throws Exception {
        BundleRegistry registry = new BundleRegistry(s -> new BundleSource() {
            @Override
            public SpiffeBundle load() throws BundleUnavailableException {
                if (failing) {
                    throw new BundleUnavailableException("endpoint down");
                }
                try {
                    return SpiffeBundle.parse(TrustDomain.parse("meters.test"), BundleRegistryTest.bundleJson(1, 60));
                } catch (Exception e) {
                    throw new BundleUnavailableException(e.getMessage(), e);
                }
            }

            @Override
            public boolean polled() {
                return true;
            }
        }, clock);
        TrustDomainSettings settings = TrustDomainSettings.from("td-m", Map.of("trustDomain", List.of("meters.test"),
                "bundleEndpointUrl", List.of("https://bundle.meters.test/"), "refreshHintFloorSeconds", List.of("10")));

        registry.bundle("realm-id", "meters-realm", settings);
        clock.now = clock.now.plusSeconds(61);
        failing = true;
        registry.refreshDue();

        assertThat(counter("success")).isEqualTo(1);
        assertThat(counter("failure")).isEqualTo(1);
        assertThat(meters.registry.get("wi.spiffe.bundle.age").tags("realm", "meters-realm", "trust_domain", "meters.test")
                .gauge().value()).isEqualTo(61);

        registry.forget("realm-id", "td-m");
        assertThat(meters.registry.find("wi.spiffe.bundle.age").tags("realm", "meters-realm").gauge())
                .as("removed with the last entry of its trust domain").isNull();
    }

    private double counter(String outcome) {
        return meters.registry.get("wi.spiffe.bundle.refreshes")
                .tags("realm", "meters-realm", "trust_domain", "meters.test", "outcome", outcome).counter().count();
    }
}
