package dev.workloadid.keycloak.spiffe.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://example.org/workload", "spiffe://1.2.3.4/service",
            "spiffe://a_b.example/foo", "spiffe://example.org/a/b.c/d-e/f_g/09"})
    void sid01_acceptsValidIds(String value) throws Exception {
        assertThat(SpiffeIds.parse(value).toString()).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://example.org/workload", "SPIFFE://Example.ORG/Path/Case", "spiffe://example.org",
            "spiffe://a_b.example/foo", "spiffe://example.org/a/b.c/d-e/f_g/09"})
    void textIsTheSameAsJavaSpiffesToString(String value) throws Exception {
        SpiffeId id = SpiffeIds.parse(value);
        assertThat(SpiffeIds.text(id)).isEqualTo(id.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://example.org/workload", "xspiffe://example.org/w", "spiffe:/example.org/w",
            "spiffe:///w", "spiffe://example.org/w?query=1", "spiffe://example.org/w#fragment", "", "example.org/w"})
    void sid01_rejectsWrongSchemeQueryFragmentOrMissingTrustDomain(String value) {
        assertThatThrownBy(() -> SpiffeIds.parse(value)).isInstanceOf(SpiffeIdFormatException.class);
    }

    @Test
    void sid01_rejectsNull() {
        assertThatThrownBy(() -> SpiffeIds.parse(null)).isInstanceOf(SpiffeIdFormatException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://domain.test:8080/w", "spiffe://user:password@test.org/w",
            "spiffe://user@test.org/w", "spiffe://[::1]/w", "spiffe://exa%41mple.org/w", "spiffe://exa mple.org/w",
            "spiffe://exa*mple.org/w"})
    void sid02_rejectsPortUserinfoIpv6PercentAndBadTrustDomainChars(String value) {
        assertThatThrownBy(() -> SpiffeIds.parse(value)).isInstanceOf(SpiffeIdFormatException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://example.org/", "spiffe://example.org/path/", "spiffe://example.org//w",
            "spiffe://example.org/a//b", "spiffe://example.org/./w", "spiffe://example.org/a/../w",
            "spiffe://example.org/a/..", "spiffe://example.org/%41", "spiffe://example.org/a b",
            "spiffe://example.org/a*", "spiffe://example.org/\u00e9"})
    void sid03_rejectsBadPaths(String value) {
        assertThatThrownBy(() -> SpiffeIds.parse(value)).isInstanceOf(SpiffeIdFormatException.class);
    }

    @Test
    void sid04_accepts2048ByteIdAndRejects2049() throws Exception {
        String prefix = "spiffe://example.org/";
        String max = prefix + "a".repeat(2048 - prefix.length());
        assertThat(max).hasSize(2048);
        assertThat(SpiffeIds.parse(max).toString()).isEqualTo(max);
        assertThatThrownBy(() -> SpiffeIds.parse(max + "b"))
                .isInstanceOf(SpiffeIdFormatException.class).hasMessageContaining("2048");
    }

    @Test
    void sid04_accepts255ByteTrustDomainAndRejects256() throws Exception {
        String td255 = "a".repeat(251) + ".org";
        assertThat(td255).hasSize(255);
        assertThat(SpiffeIds.parse("spiffe://" + td255 + "/w").getTrustDomain().getName()).isEqualTo(td255);
        assertThat(SpiffeIds.parseTrustDomain(td255).getName()).isEqualTo(td255);
        String td256 = "a" + td255;
        assertThatThrownBy(() -> SpiffeIds.parse("spiffe://" + td256 + "/w"))
                .isInstanceOf(SpiffeIdFormatException.class).hasMessageContaining("255");
        assertThatThrownBy(() -> SpiffeIds.parseTrustDomain(td256))
                .isInstanceOf(SpiffeIdFormatException.class).hasMessageContaining("255");
        assertThatThrownBy(() -> SpiffeIds.parseTrustDomain("spiffe://" + td256))
                .isInstanceOf(SpiffeIdFormatException.class).hasMessageContaining("255");
    }

    @Test
    void sid05_trustDomainIsCaseInsensitive() throws Exception {
        SpiffeId mixed = SpiffeIds.parse("spiffe://TrUsTdOmAiN.ORG/Workload");
        assertThat(mixed.toString()).isEqualTo("spiffe://trustdomain.org/Workload");
        assertThat(mixed).isEqualTo(SpiffeIds.parse("spiffe://trustdomain.org/Workload"));
        assertThat(SpiffeIds.parseTrustDomain("Example.ORG")).isEqualTo(TrustDomain.parse("example.org"));
    }

    @Test
    void sid05_schemeIsCaseInsensitive() throws Exception {
        assertThat(SpiffeIds.parse("SPIFFE://example.org/w").toString()).isEqualTo("spiffe://example.org/w");
        assertThat(SpiffeIds.parseTrustDomain("SpIfFe://example.org").getName()).isEqualTo("example.org");
    }

    @Test
    void sid05_pathIsCaseSensitive() throws Exception {
        assertThat(SpiffeIds.parse("spiffe://example.org/Workload"))
                .isNotEqualTo(SpiffeIds.parse("spiffe://example.org/workload"));
    }

    @Test
    void jsv06_workloadIdRequiresPath() throws Exception {
        assertThat(SpiffeIds.parseWorkloadId("spiffe://example.org/w").getPath()).isEqualTo("/w");
        assertThat(SpiffeIds.parse("spiffe://example.org").getPath()).isEmpty();
        assertThatThrownBy(() -> SpiffeIds.parseWorkloadId("spiffe://example.org"))
                .isInstanceOf(SpiffeIdFormatException.class).hasMessageContaining("trust domain");
    }

    @Test
    void bnd06_parseTrustDomainAcceptsNameOrIdButNoPath() throws Exception {
        assertThat(SpiffeIds.parseTrustDomain("example.org").getName()).isEqualTo("example.org");
        assertThat(SpiffeIds.parseTrustDomain("spiffe://example.org").getName()).isEqualTo("example.org");
        assertThatThrownBy(() -> SpiffeIds.parseTrustDomain("spiffe://example.org/w"))
                .isInstanceOf(SpiffeIdFormatException.class).hasMessageContaining("path");
        assertThatThrownBy(() -> SpiffeIds.parseTrustDomain("https://example.org"))
                .isInstanceOf(SpiffeIdFormatException.class);
        assertThatThrownBy(() -> SpiffeIds.parseTrustDomain("example.org:443"))
                .isInstanceOf(SpiffeIdFormatException.class);
        assertThatThrownBy(() -> SpiffeIds.parseTrustDomain(""))
                .isInstanceOf(SpiffeIdFormatException.class);
    }
}
