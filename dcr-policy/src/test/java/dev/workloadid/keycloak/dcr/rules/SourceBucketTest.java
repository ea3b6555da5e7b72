package dev.workloadid.keycloak.dcr.rules;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DCR-03: the per-source rate limit counts networks, not single IPv6 addresses. */
class SourceBucketTest {

    @Test
    void dcr03_ipv6AddressesOfOneSlash64ShareABucket() {
        String a = SourceBucket.of("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 32, 64);
        String b = SourceBucket.of("2001:db8:1:2::1", 32, 64);
        assertThat(a).isEqualTo(b).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(SourceBucket.of("2001:db8:1:3::1", 32, 64)).isNotEqualTo(a);
        // Bracketed and zone-qualified spellings land in the same bucket.
        assertThat(SourceBucket.of("[2001:db8:1:2::9]", 32, 64)).isEqualTo(a);
    }

    @Test
    void dcr03_ipv4CountsPerAddressByDefaultAndPerNetworkWhenConfigured() {
        assertThat(SourceBucket.of("192.0.2.7", 32, 64)).isEqualTo("192.0.2.7/32");
        assertThat(SourceBucket.of("192.0.2.8", 32, 64)).isNotEqualTo(SourceBucket.of("192.0.2.7", 32, 64));
        assertThat(SourceBucket.of("192.0.2.8", 24, 64)).isEqualTo(SourceBucket.of("192.0.2.7", 24, 64))
                .isEqualTo("192.0.2.0/24");
        // IPv4-mapped IPv6 is the IPv4 address.
        assertThat(SourceBucket.of("::ffff:192.0.2.7", 32, 64)).isEqualTo("192.0.2.7/32");
    }

    @Test
    void dcr03_ipv6PrefixIsConfigurable() {
        assertThat(SourceBucket.of("2001:db8:1:2::1", 32, 48)).isEqualTo(SourceBucket.of("2001:db8:1:ffff::1", 32, 48));
        assertThat(SourceBucket.of("2001:db8:1:2::1", 32, 128)).isNotEqualTo(SourceBucket.of("2001:db8:1:2::2", 32, 128));
    }

    @Test
    void dcr03_prefixLengthsOutsideTheirRangeAreRefused() {
        assertThatThrownBy(() -> SourceBucket.validatePrefixes(32, 0)).hasMessageContaining("IPv6 prefix length");
        assertThatThrownBy(() -> SourceBucket.validatePrefixes(32, 129)).hasMessageContaining("IPv6 prefix length");
        assertThatThrownBy(() -> SourceBucket.validatePrefixes(33, 64)).hasMessageContaining("IPv4 prefix length");
        assertThatThrownBy(() -> SourceBucket.validatePrefixes(4, 64)).hasMessageContaining("IPv4 prefix length");
    }

    @Test
    void nonLiteralsAreTheirOwnBucketAndNeverResolved() {
        // "localhost" would resolve; the bucket must be the string itself.
        assertThat(SourceBucket.of("localhost", 32, 64)).isEqualTo("localhost");
        assertThat(SourceBucket.of("cafe", 32, 64)).isEqualTo("cafe");
    }

    @Test
    void dcr03_aCallerRotatingThroughItsSlash64IsLimited() {
        Map<String, Boolean> slots = new ConcurrentHashMap<>();
        RateLimiter limiter = new RateLimiter((key, lifespan) -> slots.putIfAbsent(key, Boolean.TRUE) == null);
        Instant now = Instant.parse("2026-01-01T00:00:10Z");
        int allowed = 0;
        for (int i = 1; i <= 20; i++) {
            String address = "2001:db8:1:2::" + Integer.toHexString(i);
            allowed += limiter.tryAcquire("src:" + SourceBucket.of(address, 32, 64), 5, 60, now) ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(5);
    }
}
