package dev.workloadid.keycloak.spiffe.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spiffe.spiffeid.SpiffeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdPatternTest {

    private static SpiffeId id(String value) throws SpiffeIdFormatException {
        return SpiffeIds.parse(value);
    }

    @Test
    void sca51_patternMatchesChildSegment() throws Exception {
        SpiffeIdPattern p = SpiffeIdPattern.parse("spiffe://example.org/client/*");
        assertThat(p.isExact()).isFalse();
        assertThat(p.matches(id("spiffe://example.org/client/123"))).isTrue();
    }

    @Test
    void sca51_patternMatchesDeeperSegments() throws Exception {
        SpiffeIdPattern p = SpiffeIdPattern.parse("spiffe://example.org/client/*");
        assertThat(p.matches(id("spiffe://example.org/client/a/b"))).isTrue();
    }

    @Test
    void sca51_patternDoesNotMatchPartialSegment() throws Exception {
        SpiffeIdPattern p = SpiffeIdPattern.parse("spiffe://example.org/client/*");
        assertThat(p.matches(id("spiffe://example.org/client123"))).isFalse();
        assertThat(p.matches(id("spiffe://example.org/clientx/1"))).isFalse();
    }

    @Test
    void sca51_patternDoesNotMatchItsOwnPrefix() throws Exception {
        SpiffeIdPattern p = SpiffeIdPattern.parse("spiffe://example.org/client/*");
        assertThat(p.matches(id("spiffe://example.org/client"))).isFalse();
        assertThat(p.matches(id("spiffe://example.org"))).isFalse();
    }

    @Test
    void sca51_patternDoesNotCrossTrustDomains() throws Exception {
        SpiffeIdPattern p = SpiffeIdPattern.parse("spiffe://example.org/client/*");
        assertThat(p.matches(id("spiffe://other.org/client/123"))).isFalse();
        assertThat(p.matches(id("spiffe://example.org.evil/client/123"))).isFalse();
    }

    @Test
    void sca51_patternPathIsCaseSensitive() throws Exception {
        SpiffeIdPattern p = SpiffeIdPattern.parse("spiffe://example.org/client/*");
        assertThat(p.matches(id("spiffe://example.org/Client/123"))).isFalse();
    }

    @Test
    void sca51_exactPatternMatchesOnlyThatId() throws Exception {
        SpiffeIdPattern p = SpiffeIdPattern.parse("spiffe://example.org/client");
        assertThat(p.isExact()).isTrue();
        assertThat(p.matches(id("spiffe://example.org/client"))).isTrue();
        assertThat(p.matches(id("spiffe://example.org/client/1"))).isFalse();
        assertThat(p.matches(id("spiffe://example.org/clien"))).isFalse();
        assertThat(p.matches(null)).isFalse();
    }

    @Test
    void sca51_trustDomainWildcardMatchesEveryWorkloadOfThatDomain() throws Exception {
        SpiffeIdPattern p = SpiffeIdPattern.parse("spiffe://example.org/*");
        assertThat(p.matches(id("spiffe://example.org/a"))).isTrue();
        assertThat(p.matches(id("spiffe://example.org/a/b/c"))).isTrue();
        assertThat(p.matches(id("spiffe://example.org"))).isFalse();
        assertThat(p.matches(id("spiffe://other.org/a"))).isFalse();
        assertThat(p.specificity()).isZero();
        assertThat(p.trustDomain().getName()).isEqualTo("example.org");
    }

    @Test
    void sca51_bareTrustDomainIdIsRejectedAsPattern() {
        assertThatThrownBy(() -> SpiffeIdPattern.parse("spiffe://example.org"))
                .isInstanceOf(SpiffeIdFormatException.class).hasMessageContaining("spiffe://example.org/*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://example.org/client*", "spiffe://example.org/*/x", "spiffe://example.org/a/*/*",
            "spiffe://example.org/**", "spiffe://example.org/client/", "spiffe://example.org//*", "spiffe://*",
            "spiffe:///*", "*", "/*", "spiffe://example.org/a?/*", "https://example.org/*",
            "spiffe://example.org:8443/a/*", "spiffe://example.org/a/*/"})
    void sca51_rejectsMalformedPatterns(String value) {
        assertThatThrownBy(() -> SpiffeIdPattern.parse(value)).isInstanceOf(SpiffeIdFormatException.class);
    }

    @Test
    void sca51_rejectsEmptyOrNullPattern() {
        assertThatThrownBy(() -> SpiffeIdPattern.parse("")).isInstanceOf(SpiffeIdFormatException.class);
        assertThatThrownBy(() -> SpiffeIdPattern.parse(null)).isInstanceOf(SpiffeIdFormatException.class);
    }

    @Test
    void sid04_patternPrefixIsLengthLimited() {
        String prefix = "spiffe://example.org/";
        String tooLong = prefix + "a".repeat(2049 - prefix.length()) + "/*";
        assertThatThrownBy(() -> SpiffeIdPattern.parse(tooLong)).isInstanceOf(SpiffeIdFormatException.class);
    }

    @Test
    void sid05_patternTrustDomainIsNormalizedPathKept() throws Exception {
        SpiffeIdPattern p = SpiffeIdPattern.parse("SPIFFE://Example.ORG/Client/*");
        assertThat(p.toString()).isEqualTo("spiffe://example.org/Client/*");
        assertThat(p).isEqualTo(SpiffeIdPattern.parse("spiffe://example.org/Client/*"));
        assertThat(p.matches(id("spiffe://EXAMPLE.org/Client/x"))).isTrue();
    }

    @Test
    void sca51_specificityCountsSegmentsAndExactBeatsAll() throws Exception {
        assertThat(SpiffeIdPattern.parse("spiffe://example.org/*").specificity()).isEqualTo(0);
        assertThat(SpiffeIdPattern.parse("spiffe://example.org/a/*").specificity()).isEqualTo(1);
        assertThat(SpiffeIdPattern.parse("spiffe://example.org/a/b/*").specificity()).isEqualTo(2);
        assertThat(SpiffeIdPattern.parse("spiffe://example.org/a").specificity())
                .isEqualTo(SpiffeIdPattern.EXACT_SPECIFICITY);
    }

    @Test
    void sca51_exactAndWildcardOfSameBaseAreDifferent() throws Exception {
        assertThat(SpiffeIdPattern.parse("spiffe://example.org/a"))
                .isNotEqualTo(SpiffeIdPattern.parse("spiffe://example.org/a/*"));
        assertThat(SpiffeIdPattern.exact(id("spiffe://example.org/a")))
                .isEqualTo(SpiffeIdPattern.parse("spiffe://example.org/a"));
        assertThatThrownBy(() -> SpiffeIdPattern.exact(id("spiffe://example.org")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
