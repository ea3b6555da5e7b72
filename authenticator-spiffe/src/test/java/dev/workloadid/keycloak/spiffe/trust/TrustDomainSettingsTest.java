package dev.workloadid.keycloak.spiffe.trust;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustDomainSettingsTest {

    private static Map<String, List<String>> config(String... keysAndValues) {
        Map<String, List<String>> map = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.computeIfAbsent(keysAndValues[i], k -> new java.util.ArrayList<>()).add(keysAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void defaultsFollowTheDocumentedValues() {
        TrustDomainSettings s = TrustDomainSettings.from("c1", config(
                "trustDomain", "example.org", "bundleEndpointUrl", "https://bundle.example.org/b"));
        assertThat(s.bundleSource()).isEqualTo(TrustDomainSettings.BundleSourceType.HTTPS_WEB);
        assertThat(s.refreshPolicy().floor()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.refreshPolicy().ceiling()).isEqualTo(Duration.ofHours(1));
        assertThat(s.refreshPolicy().maxStaleness()).isEqualTo(Duration.ofDays(1));
        assertThat(s.maxSvidLifetime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.replayProtection()).as("SCA-10: replay protection is opt-in").isFalse();
        assertThat(s.registrationFree()).isFalse();
    }

    @Test
    void sid05_trustDomainIsNormalizedToLowerCase() {
        TrustDomainSettings s = TrustDomainSettings.from("c1", config(
                "trustDomain", "Example.ORG", "bundleEndpointUrl", "https://bundle.example.org/b"));
        assertThat(s.trustDomain().getName()).isEqualTo("example.org");
    }

    @Test
    void sid02_rejectsTrustDomainWithPortOrScheme() {
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config("trustDomain", "example.org:443",
                "bundleEndpointUrl", "https://b.example.org/"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trustDomain");
    }

    @Test
    void fed06_bundleEndpointMustBeHttpsWithoutUserinfo() {
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config("trustDomain", "example.org",
                "bundleEndpointUrl", "http://b.example.org/"))).hasMessageContaining("https");
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config("trustDomain", "example.org",
                "bundleEndpointUrl", "https://user:pw@b.example.org/"))).hasMessageContaining("userinfo");
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config("trustDomain", "example.org")))
                .hasMessageContaining("bundleEndpointUrl is required");
    }

    @Test
    void staticSourceNeedsABundle() {
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config("trustDomain", "example.org",
                "bundleSource", "static"))).hasMessageContaining("staticBundle");
    }

    @Test
    void ceilingBelowFloorIsRefused() {
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config("trustDomain", "example.org",
                "bundleEndpointUrl", "https://b.example.org/", "refreshHintFloorSeconds", "600",
                "refreshHintCeilingSeconds", "60"))).hasMessageContaining("must not be below");
    }

    @Test
    void numbersMustBeWholeSeconds() {
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config("trustDomain", "example.org",
                "bundleEndpointUrl", "https://b.example.org/", "clockSkewSeconds", "soon")))
                .hasMessageContaining("clockSkewSeconds");
    }

    @Test
    void registrationFreeNeedsAnAllowListInItsOwnTrustDomain() {
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config("trustDomain", "example.org",
                "bundleEndpointUrl", "https://b.example.org/", "registrationFree", "true")))
                .hasMessageContaining("registrationFreeAllowList");
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config("trustDomain", "example.org",
                "bundleEndpointUrl", "https://b.example.org/", "registrationFree", "true",
                "registrationFreeAllowList", "spiffe://other.org/*")))
                .hasMessageContaining("not in trust domain");
    }

    @Test
    void sca51_registrationFreeAllowListMatchesWholeSegments() throws Exception {
        TrustDomainSettings s = TrustDomainSettings.from("c1", config("trustDomain", "example.org",
                "bundleEndpointUrl", "https://b.example.org/", "registrationFree", "true",
                "registrationFreeAllowList", "spiffe://example.org/ns/prod/*"));
        assertThat(s.allowsRegistrationFree(io.spiffe.spiffeid.SpiffeId.parse("spiffe://example.org/ns/prod/api"))).isTrue();
        assertThat(s.allowsRegistrationFree(io.spiffe.spiffeid.SpiffeId.parse("spiffe://example.org/ns/production"))).isFalse();
        assertThat(s.allowsRegistrationFree(io.spiffe.spiffeid.SpiffeId.parse("spiffe://example.org/ns/dev/api"))).isFalse();
    }

    @Test
    void fingerprintChangesWithBundleSettingsOnly() {
        Map<String, List<String>> base = config("trustDomain", "example.org", "bundleEndpointUrl", "https://b.example.org/");
        String before = TrustDomainSettings.from("c1", base).bundleFingerprint();
        Map<String, List<String>> other = new HashMap<>(base);
        other.put("replayProtection", List.of("true"));
        assertThat(TrustDomainSettings.from("c1", other).bundleFingerprint()).isEqualTo(before);
        other.put("bundleEndpointUrl", List.of("https://b2.example.org/"));
        assertThat(TrustDomainSettings.from("c1", other).bundleFingerprint()).isNotEqualTo(before);
    }
}
