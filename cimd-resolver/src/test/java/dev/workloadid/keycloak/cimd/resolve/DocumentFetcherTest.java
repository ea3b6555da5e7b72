package dev.workloadid.keycloak.cimd.resolve;

import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.cimd.settings.CimdSettings;
import dev.workloadid.keycloak.common.net.FetchException;
import dev.workloadid.keycloak.common.net.FetchResult;
import dev.workloadid.keycloak.common.net.SafeFetcher;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocumentFetcherTest {

    private static FetchResult result(int status, String contentType) {
        return new FetchResult(status, contentType == null ? Map.of() : Map.of("Content-Type", contentType), new byte[0], null);
    }

    @Test
    void cimd11_onlyStatus200IsADocument() {
        for (int status : new int[] {201, 204, 304, 404, 500}) {
            assertThatThrownBy(() -> DocumentFetcher.checkStatus(result(status, null), "doc"))
                    .isInstanceOf(DocumentRejectedException.class).hasMessageContaining("HTTP " + status);
        }
        assertThatCode(() -> DocumentFetcher.checkStatus(result(200, null), "doc")).doesNotThrowAnyException();
    }

    @Test
    void serverErrorsAndRateLimitsAreTransientOtherStatusesDefinite() {
        for (int status : new int[] {500, 502, 503, 504, 429, 408}) {
            assertThatThrownBy(() -> DocumentFetcher.checkStatus(result(status, null), "doc"))
                    .isInstanceOfSatisfying(DocumentRejectedException.class, e -> assertThat(e.transientFailure()).isTrue());
        }
        for (int status : new int[] {302, 400, 401, 403, 404, 410}) {
            assertThatThrownBy(() -> DocumentFetcher.checkStatus(result(status, null), "doc"))
                    .isInstanceOfSatisfying(DocumentRejectedException.class, e -> assertThat(e.transientFailure()).isFalse());
        }
    }

    @Test
    void unreachableHostsAreTransientRefusedAddressesAndOversizedBodiesDefinite() {
        for (FetchException.Reason r : List.of(FetchException.Reason.DNS_FAILURE, FetchException.Reason.CONNECT_FAILURE,
                FetchException.Reason.TLS_FAILURE, FetchException.Reason.TIMEOUT, FetchException.Reason.IO)) {
            assertThat(DocumentFetcher.rejected(new FetchException(r, "x"), "doc").transientFailure()).as(r.name()).isTrue();
        }
        for (FetchException.Reason r : List.of(FetchException.Reason.BAD_URL, FetchException.Reason.BLOCKED_ADDRESS,
                FetchException.Reason.TOO_LARGE)) {
            assertThat(DocumentFetcher.rejected(new FetchException(r, "x"), "doc").transientFailure()).as(r.name()).isFalse();
        }
    }

    @Test
    void cimd31_redirectsAreRefusedNotFollowed() {
        assertThatThrownBy(() -> DocumentFetcher.checkStatus(result(302, null), "doc"))
                .isInstanceOf(DocumentRejectedException.class).hasMessageContaining("redirect");
    }

    @Test
    void cimd12_jsonContentTypes() {
        assertThatCode(() -> DocumentFetcher.checkJsonContentType(result(200, "application/json; charset=utf-8"))).doesNotThrowAnyException();
        assertThatCode(() -> DocumentFetcher.checkJsonContentType(result(200, "application/cimd+json"))).doesNotThrowAnyException();
        assertThatCode(() -> DocumentFetcher.checkJsonContentType(result(200, null))).doesNotThrowAnyException();
        assertThatThrownBy(() -> DocumentFetcher.checkJsonContentType(result(200, "text/html")))
                .isInstanceOf(DocumentRejectedException.class);
    }

    /** A fetcher whose resolver counts lookups and answers none: a fetch fails with a DNS error, not a rule. */
    private static SafeFetcher noDns(AtomicInteger lookups) throws Exception {
        return new SafeFetcher(SSLContext.getDefault(), host -> {
            lookups.incrementAndGet();
            throw new UnknownHostException(host);
        });
    }

    private static final CimdSettings DOCS_TEST_ONLY = CimdSettings.from(Map.of(
            CimdSettings.ALLOWED_HOSTS, List.of("*.docs.test"), CimdSettings.DENIED_HOSTS, List.of("denied.docs.test")));

    @Test
    void cimd36_aHostTheRealmRefusesIsNeverResolvedOrFetched() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        try (SafeFetcher fetcher = noDns(lookups)) {
            DocumentFetcher documents = new DocumentFetcher(fetcher, Clock.systemUTC());
            CimdSettings settings = DOCS_TEST_ONLY;
            for (String url : List.of("https://denied.docs.test/c.json", "https://elsewhere.test/c.json")) {
                assertThatThrownBy(() -> documents.fetch(url, settings, false, null))
                        .isInstanceOfSatisfying(DocumentRejectedException.class, e -> assertThat(e.rule()).isEqualTo("CIMD-36"));
            }
            assertThat(lookups).hasValue(0);
        }
    }

    @Test
    void cimd36_keysFetchedAgainOnlyFromAHostTheRealmStillAccepts() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        try (SafeFetcher fetcher = noDns(lookups)) {
            DocumentFetcher documents = new DocumentFetcher(fetcher, Clock.systemUTC());
            CimdSettings settings = DOCS_TEST_ONLY;
            assertThatThrownBy(() -> documents.fetchKeys("https://denied.docs.test/jwks.json", settings, false))
                    .isInstanceOfSatisfying(DocumentRejectedException.class, e -> assertThat(e.rule()).isEqualTo("CIMD-36"))
                    .hasMessageStartingWith("jwks_uri ");
            assertThat(lookups).hasValue(0);
            // An accepted host is resolved (and here fails, transiently: the client is kept for now).
            assertThatThrownBy(() -> documents.fetchKeys("https://keys.docs.test/jwks.json", settings, false))
                    .isInstanceOfSatisfying(DocumentRejectedException.class, e -> assertThat(e.transientFailure()).isTrue());
            assertThat(lookups).hasValue(1);
        }
    }

    @Test
    void cimd36_documentUrlsNamePort443UnlessTheServerAllowsMore() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        try (SafeFetcher fetcher = noDns(lookups)) {
            DocumentFetcher documents = new DocumentFetcher(fetcher, Clock.systemUTC());
            assertThatThrownBy(() -> documents.fetch("https://app.docs.test:8443/c.json", DOCS_TEST_ONLY, false, null))
                    .isInstanceOfSatisfying(DocumentRejectedException.class, e -> assertThat(e.rule()).isEqualTo("CIMD-36"))
                    .hasMessageContaining("port 8443");
            assertThat(lookups).hasValue(0);
            // Allowed by the server option: the fetch goes on (and fails here at the name lookup).
            DocumentFetcher wider = new DocumentFetcher(fetcher,
                    dev.workloadid.keycloak.common.net.PortList.parse("443,8443"), Clock.systemUTC());
            assertThatThrownBy(() -> wider.fetch("https://app.docs.test:8443/c.json", DOCS_TEST_ONLY, false, null))
                    .isInstanceOf(DocumentRejectedException.class).hasMessageContaining("could not be resolved");
            assertThat(lookups).hasValue(1);
        }
    }
}
