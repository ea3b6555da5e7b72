package dev.workloadid.keycloak.spiffe.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.workloadid.keycloak.spiffe.bundle.RefreshPolicy.UpdateDecision;
import io.spiffe.spiffeid.TrustDomain;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

class RefreshPolicyTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
    private static final RefreshPolicy P = RefreshPolicy.defaults();

    private static SpiffeBundle bundle(Long sequence, Long hintSeconds) throws BundleParseException {
        BundleJson b = BundleJson.create();
        if (sequence != null) {
            b.sequence(sequence);
        }
        if (hintSeconds != null) {
            b.refreshHint(hintSeconds);
        }
        return SpiffeBundle.parse(TD, b.json());
    }

    @Test
    void fed01_defaultsAreDocumentedValues() {
        assertThat(P.floor()).isEqualTo(Duration.ofSeconds(30));
        assertThat(P.ceiling()).isEqualTo(Duration.ofHours(1));
        assertThat(P.maxStaleness()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void bnd03_noHintMeansFiveMinutes() throws Exception {
        assertThat(P.refreshInterval(bundle(1L, null))).isEqualTo(Duration.ofMinutes(5));
        assertThat(P.refreshInterval(null)).isEqualTo(Duration.ofMinutes(5));
        assertThat(P.nextRefresh(T0, bundle(1L, null))).isEqualTo(T0.plusSeconds(300));
    }

    @Test
    void fed01_hintIsFollowedWithinFloorAndCeiling() throws Exception {
        assertThat(P.nextRefresh(T0, bundle(1L, 120L))).isEqualTo(T0.plusSeconds(120));
        assertThat(P.nextRefresh(T0, bundle(1L, 0L))).isEqualTo(T0.plusSeconds(30));
        assertThat(P.nextRefresh(T0, bundle(1L, 5L))).isEqualTo(T0.plusSeconds(30));
        assertThat(P.nextRefresh(T0, bundle(1L, 86400L * 7))).isEqualTo(T0.plusSeconds(3600));
    }

    @Test
    void fed01_adminFloorAndCeilingApply() throws Exception {
        RefreshPolicy p = RefreshPolicy.of(Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofHours(2));
        assertThat(p.refreshInterval(bundle(1L, 30L))).isEqualTo(Duration.ofMinutes(2));
        assertThat(p.refreshInterval(bundle(1L, 3600L))).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.refreshInterval(bundle(1L, null))).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void fed01_rejectsInconsistentSettings() {
        assertThatThrownBy(() -> RefreshPolicy.of(Duration.ZERO, Duration.ofHours(1), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RefreshPolicy.of(Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RefreshPolicy.of(Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fed01_refusesSettingsBeyondTheLimitsSoInstantsCannotOverflow() {
        RefreshPolicy longest = RefreshPolicy.of(Duration.ofDays(1), Duration.ofDays(7), Duration.ofDays(30));
        assertThat(longest.staleAt(Instant.parse("2026-11-29T12:00:00Z"))).isEqualTo(Instant.parse("2026-12-29T12:00:00Z"));
        assertThatThrownBy(() -> RefreshPolicy.of(Duration.ofDays(1).plusSeconds(1), Duration.ofDays(7), Duration.ofDays(30)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RefreshPolicy.of(Duration.ofDays(1), Duration.ofDays(7).plusSeconds(1), Duration.ofDays(30)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RefreshPolicy.of(Duration.ofDays(1), Duration.ofDays(7), Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fed01_retryAfterFailureWaitsForTheNextIntervalNotAggressively() throws Exception {
        SpiffeBundle good = bundle(1L, 600L);
        Instant failedAt = T0.plusSeconds(600);
        assertThat(P.nextRetry(failedAt, good, T0)).isEqualTo(failedAt.plusSeconds(600));
    }

    @Test
    void fed01_retryIsNeverLaterThanTheStalenessDeadline() throws Exception {
        SpiffeBundle good = bundle(1L, 3600L);
        Instant failedAt = T0.plus(Duration.ofHours(23)).plusSeconds(1800);
        assertThat(P.nextRetry(failedAt, good, T0)).isEqualTo(T0.plus(Duration.ofHours(24)));
    }

    @Test
    void fed01_retryIsNeverSoonerThanTheFloor() throws Exception {
        SpiffeBundle good = bundle(1L, 3600L);
        Instant failedAt = T0.plus(Duration.ofHours(24)).minusSeconds(5);
        assertThat(P.nextRetry(failedAt, good, T0)).isEqualTo(failedAt.plusSeconds(30));
    }

    @Test
    void fed01_withoutUsableBundleRetryAtTheFloor() throws Exception {
        assertThat(P.nextRetry(T0, null, null)).isEqualTo(T0.plusSeconds(30));
        SpiffeBundle stale = bundle(1L, 300L);
        Instant failedAt = T0.plus(Duration.ofHours(25));
        assertThat(P.nextRetry(failedAt, stale, T0)).isEqualTo(failedAt.plusSeconds(30));
    }

    @Test
    void fed02_lastGoodBundleIsUsableUntilMaxStalenessThenFailsClosed() {
        assertThat(P.isUsable(T0, T0)).isTrue();
        assertThat(P.isUsable(T0, T0.plus(Duration.ofHours(24)).minusMillis(1))).isTrue();
        assertThat(P.isUsable(T0, T0.plus(Duration.ofHours(24)))).isFalse();
        assertThat(P.staleAt(T0)).isEqualTo(T0.plus(Duration.ofHours(24)));
    }

    @Test
    void bnd02_higherOrEqualSequenceIsAccepted() throws Exception {
        assertThat(P.evaluate(bundle(5L, null), T0, bundle(6L, null), T0.plusSeconds(300)))
                .isEqualTo(UpdateDecision.ACCEPT);
        assertThat(P.evaluate(bundle(5L, null), T0, bundle(5L, null), T0.plusSeconds(300)))
                .isEqualTo(UpdateDecision.ACCEPT);
    }

    @Test
    void bnd02_lowerSequenceIsARollbackAndIgnored() throws Exception {
        assertThat(P.evaluate(bundle(5L, null), T0, bundle(4L, null), T0.plusSeconds(300)))
                .isEqualTo(UpdateDecision.IGNORE_ROLLBACK);
        assertThat(P.evaluate(bundle(Long.MAX_VALUE, null), T0, bundle(0L, null), T0.plusSeconds(300)))
                .isEqualTo(UpdateDecision.IGNORE_ROLLBACK);
    }

    @Test
    void bnd02_lowerSequenceIsAcceptedOnceCurrentIsStale() throws Exception {
        assertThat(P.evaluate(bundle(5L, null), T0, bundle(1L, null), T0.plus(Duration.ofHours(24))))
                .isEqualTo(UpdateDecision.ACCEPT);
    }

    @Test
    void bnd02_sequenceDroppedAfterASequencedBundleIsARollback() throws Exception {
        assertThat(P.evaluate(bundle(5L, null), T0, bundle(null, null), T0)).isEqualTo(UpdateDecision.IGNORE_ROLLBACK);
        assertThat(P.evaluate(bundle(5L, null), T0, bundle(null, null), T0.plus(Duration.ofHours(25))))
                .as("accepted once the current bundle is past max staleness").isEqualTo(UpdateDecision.ACCEPT);
    }

    @Test
    void bnd02_currentWithoutSequenceIsReplacedByAnyFetchedBundle() throws Exception {
        assertThat(P.evaluate(bundle(null, null), T0, bundle(1L, null), T0)).isEqualTo(UpdateDecision.ACCEPT);
        assertThat(P.evaluate(bundle(null, null), T0, bundle(null, null), T0)).isEqualTo(UpdateDecision.ACCEPT);
        assertThat(P.evaluate(null, null, bundle(1L, null), T0)).isEqualTo(UpdateDecision.ACCEPT);
    }

    @Test
    void bnd05_emptiedBundleWithHigherSequenceReplacesCurrent() throws Exception {
        SpiffeBundle emptied = SpiffeBundle.parse(TD, "{\"keys\":[],\"spiffe_sequence\":9}");
        assertThat(P.evaluate(bundle(8L, null), T0, emptied, T0.plusSeconds(60))).isEqualTo(UpdateDecision.ACCEPT);
    }

    @Test
    void fed03_bundlesOfDifferentTrustDomainsNeverReplaceEachOther() throws Exception {
        SpiffeBundle other = SpiffeBundle.parse(TrustDomain.parse("other.org"), "{\"keys\":[]}");
        assertThatThrownBy(() -> P.evaluate(bundle(1L, null), T0, other, T0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
