package dev.workloadid.keycloak.cimd.resolve;

import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.common.net.FetchException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RefusalTest {

    /** The fetcher's own wording for a refused address (SafeFetcher), built here without any network. */
    private static FetchException blocked() {
        return new FetchException(FetchException.Reason.BLOCKED_ADDRESS,
                "host intranet.docs.test resolves to a special-use address (private-use 10.0.0.0/8); refusing to connect");
    }

    @Test
    void cimd36_blockedAddressDetailGoesToTheEventNotToTheBrowser() {
        Refusal refusal = Refusal.of(DocumentFetcher.rejected(blocked(), "client metadata document"));
        assertThat(refusal.rule()).isEqualTo("CIMD-36");
        assertThat(refusal.oauthError()).isEqualTo("invalid_client");
        assertThat(refusal.detail()).contains("intranet.docs.test", "private-use 10.0.0.0/8");
        assertThat(refusal.userMessage()).isEqualTo(Refusal.USER_MESSAGE)
                .doesNotContain("intranet", "10.0.0.0", "private-use", "special-use", "CIMD");
    }

    @Test
    void cimd32_everyRefusalShowsTheSameText() {
        FetchException dns = new FetchException(FetchException.Reason.DNS_FAILURE, "host nxdomain.docs.test could not be resolved");
        DocumentRejectedException invalid = new DocumentRejectedException("CIMD-10", "the document's client_id does not equal the URL");
        assertThat(Refusal.of(DocumentFetcher.rejected(dns, "jwks_uri")).userMessage())
                .isEqualTo(Refusal.of(invalid).userMessage())
                .isEqualTo(new Refusal("maxDocumentClients", "invalid_client", "limit of 5").userMessage());
        assertThat(Refusal.of(DocumentFetcher.rejected(dns, "jwks_uri")).detail())
                .isEqualTo("the jwks_uri could not be fetched: host nxdomain.docs.test could not be resolved");
    }
}
