package dev.workloadid.keycloak.common.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.workloadid.keycloak.common.net.ConditionalHeaders;
import dev.workloadid.keycloak.common.net.FetchResult;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpCacheLifetimeTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String NOW_HTTP = "Sun, 01 Mar 2026 12:00:00 GMT";

    /** default 5 min, no floor, ceiling 1 day */
    private final HttpCacheLifetime open = new HttpCacheLifetime(
            Duration.ofMinutes(5), Duration.ZERO, Duration.ofDays(1));

    @Test
    void maxAge() {
        assertThat(lifetime("Cache-Control", "max-age=300")).isEqualTo(Duration.ofSeconds(300));
        assertThat(lifetime("cache-control", "public, Max-Age=60, must-revalidate")).isEqualTo(Duration.ofSeconds(60));
        assertThat(lifetime("Cache-Control", "max-age=\"60\"")).isEqualTo(Duration.ofSeconds(60));
        assertThat(lifetime("Cache-Control", "max-age=0")).isZero();
    }

    @Test
    void firstOfRepeatedMaxAgeWins() {
        assertThat(lifetime("Cache-Control", "max-age=60, max-age=6000")).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void invalidMaxAgeMeansStale() {
        assertThat(lifetime("Cache-Control", "max-age=abc")).isZero();
        assertThat(lifetime("Cache-Control", "max-age=-5")).isZero();
        assertThat(lifetime("Cache-Control", "max-age")).isZero();
    }

    @Test
    void ageIsSubtracted() {
        assertThat(lifetime("Cache-Control", "max-age=300", "Age", "100")).isEqualTo(Duration.ofSeconds(200));
        assertThat(lifetime("Cache-Control", "max-age=300", "Age", "301")).isZero();
        assertThat(lifetime("Cache-Control", "max-age=300", "Age", "junk")).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void noStoreAndNoCacheMeanZero() {
        assertThat(lifetime("Cache-Control", "no-store, max-age=300")).isZero();
        assertThat(lifetime("Cache-Control", "max-age=300, no-cache")).isZero();
        assertThat(lifetime("Cache-Control", "no-cache=\"Set-Cookie, X-Foo\", max-age=300")).isZero();
    }

    @Test
    void sMaxAgeIsIgnoredAsWeAreAPrivateCache() {
        assertThat(lifetime("Cache-Control", "s-maxage=10, max-age=100")).isEqualTo(Duration.ofSeconds(100));
        assertThat(lifetime("Cache-Control", "s-maxage=10")).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void expiresMinusDate() {
        assertThat(lifetime("Date", "Sun, 01 Mar 2026 10:00:00 GMT", "Expires", "Sun, 01 Mar 2026 11:00:00 GMT"))
                .isEqualTo(Duration.ofHours(1));
        assertThat(lifetime("Expires", "Sun, 01 Mar 2026 12:10:00 GMT")).isEqualTo(Duration.ofMinutes(10));
        assertThat(lifetime("Date", "garbage", "Expires", "Sun, 01 Mar 2026 12:10:00 GMT"))
                .isEqualTo(Duration.ofMinutes(10));
        assertThat(lifetime("Date", NOW_HTTP, "Expires", "Sun, 01 Mar 2026 13:00:00 GMT", "Age", "600"))
                .isEqualTo(Duration.ofMinutes(50));
    }

    @Test
    void expiresInThePastOrInvalidMeansZero() {
        assertThat(lifetime("Date", NOW_HTTP, "Expires", "Sun, 01 Mar 2026 11:00:00 GMT")).isZero();
        assertThat(lifetime("Expires", "0")).isZero();
        assertThat(lifetime("Expires", "-1")).isZero();
    }

    @Test
    void maxAgeBeatsExpires() {
        assertThat(lifetime("Cache-Control", "max-age=30", "Date", NOW_HTTP, "Expires", "Sun, 01 Mar 2026 13:00:00 GMT"))
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void obsoleteDateFormatsAreAccepted() {
        assertThat(lifetime("Date", "Sunday, 01-Mar-26 12:00:00 GMT", "Expires", "Sun Mar  1 12:01:00 2026"))
                .isEqualTo(Duration.ofMinutes(1));
        // Two-digit years more than 50 years ahead belong to the previous century.
        assertThat(HttpCacheLifetime.httpDate("Sunday, 06-Nov-94 08:49:37 GMT", NOW))
                .isEqualTo(Instant.parse("1994-11-06T08:49:37Z"));
    }

    @Test
    void defaultWhenNothingIsSaid() {
        assertThat(lifetime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(lifetime("Cache-Control", "public")).isEqualTo(Duration.ofMinutes(5));
        assertThat(lifetime("Age", "60")).isEqualTo(Duration.ofMinutes(4));
    }

    @Test
    void clampedToFloorAndCeiling() {
        HttpCacheLifetime bounded = new HttpCacheLifetime(Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofHours(1));
        assertThat(bounded.lifetime(headers("Cache-Control", "max-age=5"), NOW)).isEqualTo(Duration.ofSeconds(60));
        assertThat(bounded.lifetime(headers("Cache-Control", "no-store"), NOW)).isEqualTo(Duration.ofSeconds(60));
        assertThat(bounded.lifetime(headers("Cache-Control", "max-age=99999999999999"), NOW)).isEqualTo(Duration.ofHours(1));
        assertThat(bounded.lifetime(headers("Cache-Control", "max-age=600"), NOW)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void acceptsFetchResult() {
        FetchResult r = new FetchResult(200, headers("Cache-Control", "max-age=42", "ETag", "\"abc\""), new byte[0], null);
        assertThat(open.lifetime(r, NOW)).isEqualTo(Duration.ofSeconds(42));
        assertThat(HttpCacheLifetime.conditionalHeaders(r)).isEqualTo(new ConditionalHeaders("\"abc\"", null));
    }

    @Test
    void conditionalHeadersFromValidators() {
        assertThat(HttpCacheLifetime.conditionalHeaders(
                headers("etag", "W/\"v2\"", "last-modified", "Sun, 06 Nov 1994 08:49:37 GMT", "Cache-Control", "no-cache")))
                .isEqualTo(new ConditionalHeaders("W/\"v2\"", "Sun, 06 Nov 1994 08:49:37 GMT"));
        assertThat(HttpCacheLifetime.conditionalHeaders(headers("Content-Type", "application/json")).isEmpty()).isTrue();
        assertThat(HttpCacheLifetime.conditionalHeaders(headers("ETag", "\"v1\"", "Cache-Control", "no-store")))
                .isEqualTo(ConditionalHeaders.NONE);
    }

    @Test
    void refusesFloorAboveCeiling() {
        assertThatThrownBy(() -> new HttpCacheLifetime(Duration.ZERO, Duration.ofHours(2), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpCacheLifetime(Duration.ofSeconds(-1), Duration.ZERO, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private Duration lifetime(String... nameValuePairs) {
        return open.lifetime(headers(nameValuePairs), NOW);
    }

    private static Map<String, String> headers(String... nameValuePairs) {
        Map<String, String> h = new HashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            h.put(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return h;
    }
}
