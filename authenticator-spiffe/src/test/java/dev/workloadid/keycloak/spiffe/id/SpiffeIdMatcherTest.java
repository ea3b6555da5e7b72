package dev.workloadid.keycloak.spiffe.id;

import static org.assertj.core.api.Assertions.assertThat;

import dev.workloadid.keycloak.spiffe.id.SpiffeIdMatcher.Ambiguous;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdMatcher.Entry;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdMatcher.Match;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdMatcher.NoMatch;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdMatcher.Result;
import io.spiffe.spiffeid.SpiffeId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

class SpiffeIdMatcherTest {

    private static Entry<String> entry(String pattern, String owner) throws SpiffeIdFormatException {
        return new Entry<>(SpiffeIdPattern.parse(pattern), owner);
    }

    private static SpiffeId id(String value) throws SpiffeIdFormatException {
        return SpiffeIds.parse(value);
    }

    @Test
    void sca07_exactMatchBeatsAnyPattern() throws Exception {
        List<Entry<String>> entries = List.of(
                entry("spiffe://example.org/*", "domain"),
                entry("spiffe://example.org/ns/prod/*", "prod"),
                entry("spiffe://example.org/ns/prod/sa/api", "api"));
        Result<String> r = SpiffeIdMatcher.match(id("spiffe://example.org/ns/prod/sa/api"), entries);
        assertThat(r).isInstanceOf(Match.class);
        assertThat(((Match<String>) r).owner()).isEqualTo("api");
        assertThat(((Match<String>) r).pattern().isExact()).isTrue();
    }

    @Test
    void sca51_mostSpecificPatternWins() throws Exception {
        List<Entry<String>> entries = List.of(
                entry("spiffe://example.org/*", "domain"),
                entry("spiffe://example.org/ns/prod/*", "prod"),
                entry("spiffe://example.org/ns/*", "ns"));
        Result<String> r = SpiffeIdMatcher.match(id("spiffe://example.org/ns/prod/sa/worker"), entries);
        assertThat(r).isEqualTo(new Match<>("prod", SpiffeIdPattern.parse("spiffe://example.org/ns/prod/*")));
    }

    @Test
    void sca51_resultDoesNotDependOnOrder() throws Exception {
        List<Entry<String>> entries = new ArrayList<>(List.of(
                entry("spiffe://example.org/*", "domain"),
                entry("spiffe://example.org/ns/prod/*", "prod"),
                entry("spiffe://example.org/ns/*", "ns")));
        for (int i = 0; i < 3; i++) {
            Collections.rotate(entries, 1);
            Result<String> r = SpiffeIdMatcher.match(id("spiffe://example.org/ns/prod/x"), entries);
            assertThat(((Match<String>) r).owner()).isEqualTo("prod");
        }
    }

    @Test
    void sca07_tieBetweenDifferentOwnersIsAmbiguous() throws Exception {
        List<Entry<String>> entries = List.of(
                entry("spiffe://example.org/*", "domain"),
                entry("spiffe://example.org/ns/a/*", "client-1"),
                entry("spiffe://example.org/ns/a/*", "client-2"));
        Result<String> r = SpiffeIdMatcher.match(id("spiffe://example.org/ns/a/w"), entries);
        assertThat(r).isEqualTo(new Ambiguous<>(List.of("client-1", "client-2"), 2));
    }

    @Test
    void sca07_tieBetweenDifferentPatternsOfSameSpecificityIsAmbiguous() throws Exception {
        // Two different two-segment prefixes cannot both match one ID, but two exact registrations can.
        List<Entry<String>> entries = List.of(
                entry("spiffe://example.org/ns/a", "client-1"),
                entry("spiffe://EXAMPLE.org/ns/a", "client-2"),
                entry("spiffe://example.org/ns/*", "ns"));
        Result<String> r = SpiffeIdMatcher.match(id("spiffe://example.org/ns/a"), entries);
        assertThat(r).isInstanceOf(Ambiguous.class);
        assertThat(((Ambiguous<String>) r).owners()).containsExactly("client-1", "client-2");
        assertThat(((Ambiguous<String>) r).specificity()).isEqualTo(SpiffeIdPattern.EXACT_SPECIFICITY);
    }

    @Test
    void sca07_sameOwnerTwiceIsNotAmbiguous() throws Exception {
        List<Entry<String>> entries = List.of(
                entry("spiffe://example.org/ns/*", "client-1"),
                entry("spiffe://example.org/ns/*", "client-1"));
        Result<String> r = SpiffeIdMatcher.match(id("spiffe://example.org/ns/w"), entries);
        assertThat(r).isInstanceOf(Match.class);
        assertThat(((Match<String>) r).owner()).isEqualTo("client-1");
    }

    @Test
    void sca07_lessSpecificTieDoesNotMatterWhenAUniqueWinnerExists() throws Exception {
        List<Entry<String>> entries = List.of(
                entry("spiffe://example.org/*", "domain-1"),
                entry("spiffe://example.org/*", "domain-2"),
                entry("spiffe://example.org/ns/*", "ns"));
        Result<String> r = SpiffeIdMatcher.match(id("spiffe://example.org/ns/w"), entries);
        assertThat(((Match<String>) r).owner()).isEqualTo("ns");
        Result<String> other = SpiffeIdMatcher.match(id("spiffe://example.org/other/w"), entries);
        assertThat(other).isInstanceOf(Ambiguous.class);
    }

    @Test
    void sca07_noMatchWhenNothingApplies() throws Exception {
        List<Entry<String>> entries = List.of(
                entry("spiffe://example.org/client/*", "c"),
                entry("spiffe://other.org/*", "o"));
        assertThat(SpiffeIdMatcher.match(id("spiffe://example.org/client123"), entries))
                .isInstanceOf(NoMatch.class);
        assertThat(SpiffeIdMatcher.match(id("spiffe://example.org/client"), entries))
                .isInstanceOf(NoMatch.class);
        assertThat(SpiffeIdMatcher.match(id("spiffe://example.org/client/1"), List.<Entry<String>>of()))
                .isInstanceOf(NoMatch.class);
        assertThat(SpiffeIdMatcher.match(null, entries)).isInstanceOf(NoMatch.class);
    }
}
