package dev.workloadid.keycloak.spiffe.metrics;

import dev.workloadid.keycloak.spiffe.testing.TestMeters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The reason label stays within a fixed set, whatever a caller passes. */
class SpiffeMetersTest {

    @RegisterExtension
    final TestMeters meters = new TestMeters();

    @Test
    void reasonsAreValidatorCodesClientRejectedOrOther() {
        SpiffeMeters.rejected("r", "spiffe-jwt-svid", "expired");
        SpiffeMeters.rejected("r", "spiffe-x509-svid", "path_invalid");
        SpiffeMeters.rejected("r", "spiffe-jwt-svid", null);
        SpiffeMeters.rejected("r", "spiffe-jwt-svid", "spiffe://example.org/free-text");
        SpiffeMeters.authenticated("r", "spiffe-x509-svid");

        assertThat(count("jwt", "rejected", "expired")).isEqualTo(1);
        assertThat(count("x509", "rejected", "path_invalid")).isEqualTo(1);
        assertThat(count("jwt", "rejected", "client_rejected")).isEqualTo(1);
        assertThat(count("jwt", "rejected", "other")).isEqualTo(1);
        assertThat(count("x509", "success", "none")).isEqualTo(1);
        assertThat(meters.registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTags().toString()).doesNotContain("spiffe://"));
    }

    private double count(String method, String outcome, String reason) {
        return meters.registry.get("wi.spiffe.authentications")
                .tags("realm", "r", "method", method, "outcome", outcome, "reason", reason).counter().count();
    }
}
