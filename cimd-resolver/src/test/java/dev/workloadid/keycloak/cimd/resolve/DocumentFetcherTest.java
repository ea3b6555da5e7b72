package dev.workloadid.keycloak.cimd.resolve;

import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import dev.workloadid.keycloak.common.net.FetchResult;
import org.junit.jupiter.api.Test;

import java.util.Map;

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
}
