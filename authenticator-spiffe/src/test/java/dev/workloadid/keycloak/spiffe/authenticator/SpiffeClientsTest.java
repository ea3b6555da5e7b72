package dev.workloadid.keycloak.spiffe.authenticator;

import io.spiffe.spiffeid.SpiffeId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SpiffeClientsTest {

    @Test
    void sca51_candidatePatternsAreTheIdThenEachWholeSegmentPrefix() {
        assertThat(SpiffeClients.candidatePatterns(SpiffeId.parse("spiffe://example.org/ns/prod/api")))
                .containsExactly("spiffe://example.org/ns/prod/api",
                        "spiffe://example.org/ns/prod/*",
                        "spiffe://example.org/ns/*",
                        "spiffe://example.org/*");
    }

    @Test
    void sca51_singleSegmentIdHasOnlyTheTrustDomainPattern() {
        assertThat(SpiffeClients.candidatePatterns(SpiffeId.parse("spiffe://example.org/api")))
                .containsExactly("spiffe://example.org/api", "spiffe://example.org/*");
    }
}
