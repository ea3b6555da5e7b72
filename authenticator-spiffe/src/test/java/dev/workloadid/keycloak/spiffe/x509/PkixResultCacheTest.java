package dev.workloadid.keycloak.spiffe.x509;

import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import dev.workloadid.keycloak.spiffe.testing.MutableClock;
import io.spiffe.spiffeid.TrustDomain;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The PKIX result cache alone and behind {@link X509SvidValidator}: what may be remembered, and for how long. */
class PkixResultCacheTest {

    private static final X509SvidIssuer TD_ONE = X509SvidIssuer.forTrustDomain("cache-one.test");
    private static final X509SvidIssuer TD_OTHER = X509SvidIssuer.forTrustDomain("cache-other.test");
    /** One bundle snapshot: the same collection object on every call, as the bundle registry hands out. */
    private static final List<X509Certificate> SNAPSHOT = List.of(TD_ONE.root());

    private final MutableClock clock = new MutableClock();
    private final PkixResultCache cache = new PkixResultCache(8);
    private final X509SvidValidator validator = new X509SvidValidator(clock, cache);

    @BeforeEach
    void now() {
        // Certificates carry whole seconds; the issuer dates them from the real time.
        clock.now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private static Function<TrustDomain, Collection<X509Certificate>> trusting(Collection<X509Certificate> authorities) {
        return td -> td.getName().equals("cache-one.test") ? authorities : null;
    }

    private boolean cached(X509SvidIssuer.Svid svid, Object snapshot) {
        return cache.validated(cache.key(svid.chain(), snapshot), clock.instant());
    }

    @Test
    void xsv06_successIsRememberedForTheSameChainAndSnapshot() throws Exception {
        X509SvidIssuer.Svid svid = TD_ONE.svid("/workload").issue();
        assertThat(cached(svid, SNAPSHOT)).isFalse();
        ValidatedX509Svid first = validator.validate(svid.chain(), trusting(SNAPSHOT));
        assertThat(cached(svid, SNAPSHOT)).isTrue();
        ValidatedX509Svid again = validator.validate(svid.chain(), trusting(SNAPSHOT));
        assertThat(again).isEqualTo(first);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void xsv06_entryEndsAtTheLeafsNotAfter() throws Exception {
        Instant notAfter = clock.now.plus(Duration.ofMinutes(10));
        X509SvidIssuer.Svid svid = TD_ONE.svid("/short").validity(clock.now.minus(Duration.ofMinutes(1)), notAfter).issue();
        validator.validate(svid.chain(), trusting(SNAPSHOT));

        clock.now = notAfter.minusSeconds(1);
        assertThat(cached(svid, SNAPSHOT)).isTrue();
        clock.now = notAfter;
        assertThat(cached(svid, SNAPSHOT)).isFalse();
        // Past notAfter the validator runs PKIX again, which refuses, and nothing is remembered.
        clock.now = notAfter.plusSeconds(1);
        assertThatThrownBy(() -> validator.validate(svid.chain(), trusting(SNAPSHOT)))
                .isInstanceOf(SvidRejectedException.class)
                .satisfies(e -> assertThat(((SvidRejectedException) e).why()).isEqualTo(SvidRejectedException.Reason.EXPIRED));
        assertThat(cache.size()).isZero();
    }

    @Test
    void xsv06_entryEndsAtAnIntermediatesNotAfterWhenThatComesFirst() throws Exception {
        X509SvidIssuer intermediate = TD_ONE.intermediate(true);
        X509Certificate intermediateCert = intermediate.svid("/x").issue().chain().get(1);
        Instant intermediateEnd = intermediateCert.getNotAfter().toInstant();
        X509SvidIssuer.Svid svid = intermediate.svid("/long")
                .validity(clock.now.minus(Duration.ofMinutes(1)), intermediateEnd.plus(Duration.ofHours(6))).issue();
        validator.validate(svid.chain(), trusting(SNAPSHOT));

        clock.now = intermediateEnd.minusSeconds(1);
        assertThat(cached(svid, SNAPSHOT)).isTrue();
        clock.now = intermediateEnd;
        assertThat(cached(svid, SNAPSHOT)).isFalse();
    }

    @Test
    void xsv06_clockBeforeTheLeafsNotBeforeMisses() throws Exception {
        X509SvidIssuer.Svid svid = TD_ONE.svid("/fresh").validity(clock.now, clock.now.plus(Duration.ofMinutes(30))).issue();
        validator.validate(svid.chain(), trusting(SNAPSHOT));
        clock.now = clock.now.minusSeconds(1);
        assertThat(cached(svid, SNAPSHOT)).isFalse();
    }

    @Test
    void xsv06_anotherBundleSnapshotMissesEvenWithEqualContent() throws Exception {
        X509SvidIssuer.Svid svid = TD_ONE.svid("/rotated").issue();
        validator.validate(svid.chain(), trusting(SNAPSHOT));
        List<X509Certificate> replaced = new ArrayList<>(SNAPSHOT);
        assertThat(replaced).isEqualTo(SNAPSHOT);
        assertThat(cached(svid, replaced)).isFalse();
        assertThat(cached(svid, SNAPSHOT)).isTrue();
    }

    @Test
    void xsv06_aReplacedBundleWithoutTheAuthorityRefusesAChainThatWasCached() throws Exception {
        X509SvidIssuer.Svid svid = TD_ONE.svid("/revoked-ca").issue();
        validator.validate(svid.chain(), trusting(SNAPSHOT));
        assertThatThrownBy(() -> validator.validate(svid.chain(), trusting(List.of(TD_OTHER.root()))))
                .isInstanceOf(SvidRejectedException.class)
                .satisfies(e -> assertThat(((SvidRejectedException) e).why()).isEqualTo(SvidRejectedException.Reason.PATH_INVALID));
    }

    @Test
    void xsv06_anyOtherChainMisses() throws Exception {
        X509SvidIssuer.Svid svid = TD_ONE.svid("/a").issue();
        X509SvidIssuer.Svid other = TD_ONE.svid("/a").issue();
        validator.validate(svid.chain(), trusting(SNAPSHOT));
        assertThat(cached(other, SNAPSHOT)).isFalse();
        assertThat(cache.validated(cache.key(List.of(svid.leaf(), TD_ONE.root()), SNAPSHOT), clock.instant())).isFalse();
    }

    @Test
    void xsv06_refusedChainsAreNeverRemembered() {
        List<X509SvidIssuer.Svid> refused = List.of(
                TD_OTHER.svid("/wrong-ca").uris("spiffe://cache-one.test/wrong-ca").issue(),
                TD_ONE.svid("/expired").validity(clock.now.minus(Duration.ofHours(2)), clock.now.minus(Duration.ofHours(1))).issue(),
                TD_ONE.svid("/future").validity(clock.now.plus(Duration.ofHours(1)), clock.now.plus(Duration.ofHours(2))).issue(),
                TD_ONE.svid("/ca").ca(true).issue());
        for (X509SvidIssuer.Svid svid : refused) {
            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> validator.validate(svid.chain(), trusting(SNAPSHOT)))
                        .isInstanceOf(SvidRejectedException.class);
            }
            assertThat(cached(svid, SNAPSHOT)).isFalse();
        }
        assertThat(cache.size()).isZero();
    }

    @Test
    void xsv03_leafRulesStillRunOnACachedPath() throws Exception {
        // The cache skips PKIX only: a chain whose path was remembered is still judged by the SVID rules,
        // here with a lookup that no longer trusts the trust domain at all.
        X509SvidIssuer.Svid svid = TD_ONE.svid("/still-checked").issue();
        validator.validate(svid.chain(), trusting(SNAPSHOT));
        assertThatThrownBy(() -> validator.validate(svid.chain(), td -> null))
                .isInstanceOf(SvidRejectedException.class)
                .satisfies(e -> assertThat(((SvidRejectedException) e).why())
                        .isEqualTo(SvidRejectedException.Reason.UNKNOWN_TRUST_DOMAIN));
    }

    @Test
    void boundDropsTheLeastRecentlyUsed() throws Exception {
        List<X509SvidIssuer.Svid> svids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            X509SvidIssuer.Svid svid = TD_ONE.svid("/w" + i).issue();
            svids.add(svid);
            validator.validate(svid.chain(), trusting(SNAPSHOT));
            if (i == 5) {
                assertThat(cached(svids.get(0), SNAPSHOT)).isTrue(); // touched: now the most recently used
            }
            assertThat(cache.size()).isLessThanOrEqualTo(cache.maxEntries());
        }
        assertThat(cache.size()).isEqualTo(8);
        assertThat(cached(svids.get(0), SNAPSHOT)).isTrue();
        assertThat(cached(svids.get(1), SNAPSHOT)).isFalse();
        assertThat(cached(svids.get(11), SNAPSHOT)).isTrue();
    }

    @Test
    void refusesANonPositiveBound() {
        assertThatThrownBy(() -> new PkixResultCache(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
