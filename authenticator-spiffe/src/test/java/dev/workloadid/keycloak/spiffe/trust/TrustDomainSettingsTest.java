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
        assertThat(s.registrationFreeMaxClients()).isEqualTo(1000);
    }

    @Test
    void registrationFreeClientLimitIsAWholeNumberFromZeroToAMillion() {
        String[] base = {"trustDomain", "example.org", "bundleEndpointUrl", "https://bundle.example.org/b"};
        assertThat(TrustDomainSettings.from("c1", config(append(base, "registrationFreeMaxClients", "0")))
                .registrationFreeMaxClients()).as("0: no limit").isZero();
        assertThat(TrustDomainSettings.from("c1", config(append(base, "registrationFreeMaxClients", " 25 ")))
                .registrationFreeMaxClients()).isEqualTo(25);
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config(append(base, "registrationFreeMaxClients", "-1"))))
                .hasMessageContaining("registrationFreeMaxClients").hasMessageContaining("between 0 and 1000000");
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config(append(base, "registrationFreeMaxClients", "99999999999999999999"))))
                .hasMessageContaining("between 0 and 1000000");
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config(append(base, "registrationFreeMaxClients", "ten"))))
                .hasMessageContaining("whole number");
    }

    private static String[] append(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
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

    private static Map<String, List<String>> with(String key, String value) {
        return config("trustDomain", "example.org", "bundleEndpointUrl", "https://b.example.org/", key, value);
    }

    @Test
    void clockSkewAboveWhatTheValidatorAcceptsIsRefusedOnSave() {
        // JwtSvidPolicy refuses more than 300 s at request time; the setting must not get that far.
        assertThat(TrustDomainSettings.from("c1", with("clockSkewSeconds", "300")).clockSkew()).hasSeconds(300);
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", with("clockSkewSeconds", "301")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clockSkewSeconds must be between 0 and 300");
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", with("clockSkewSeconds", "-1")))
                .hasMessageContaining("clockSkewSeconds");
    }

    @Test
    void maxSvidLifetimeIsAtMostOneDay() {
        assertThat(TrustDomainSettings.from("c1", with("maxSvidLifetimeSeconds", "86400")).maxSvidLifetime())
                .isEqualTo(Duration.ofDays(1));
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", with("maxSvidLifetimeSeconds", "86401")))
                .hasMessageContaining("maxSvidLifetimeSeconds must be between 1 and 86400");
    }

    @Test
    void refreshSettingsHaveUpperLimitsSoInstantArithmeticCannotOverflow() {
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", with("refreshHintFloorSeconds", "86401")))
                .hasMessageContaining("refreshHintFloorSeconds must be between 1 and 86400");
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", config("trustDomain", "example.org",
                "bundleEndpointUrl", "https://b.example.org/", "refreshHintCeilingSeconds", "604801",
                "maxStalenessSeconds", "2592000")))
                .hasMessageContaining("refreshHintCeilingSeconds must be between 1 and 604800");
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", with("maxStalenessSeconds", "2592001")))
                .hasMessageContaining("maxStalenessSeconds must be between 1 and 2592000");

        TrustDomainSettings longest = TrustDomainSettings.from("c1", config("trustDomain", "example.org",
                "bundleEndpointUrl", "https://b.example.org/", "refreshHintFloorSeconds", "86400",
                "refreshHintCeilingSeconds", "604800", "maxStalenessSeconds", "2592000"));
        assertThat(longest.refreshPolicy().staleAt(java.time.Instant.now())).isAfter(java.time.Instant.now());
    }

    @Test
    void numbersTooLargeForALongAreOutOfRangeNotAnError() {
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", with("maxStalenessSeconds", "99999999999999999999999")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxStalenessSeconds must be between");
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", with("clockSkewSeconds", "9223372036854775807")))
                .hasMessageContaining("clockSkewSeconds must be between");
    }

    @Test
    void maxStalenessMustExceedTheCeilingNamedBySetting() {
        assertThatThrownBy(() -> TrustDomainSettings.from("c1", with("maxStalenessSeconds", "3600")))
                .hasMessageContaining("maxStalenessSeconds must be longer than refreshHintCeilingSeconds");
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
