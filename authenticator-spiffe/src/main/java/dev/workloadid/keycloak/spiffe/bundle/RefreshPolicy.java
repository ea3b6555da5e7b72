package dev.workloadid.keycloak.spiffe.bundle;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When to fetch a trust bundle again, how long a last-good bundle may be used, and whether a newly
 * fetched bundle replaces the current one. Pure functions: the caller passes every instant.
 *
 * <p>Defaults and why:
 * <ul>
 *   <li>Refresh interval without hint: {@value #DEFAULT_REFRESH_SECONDS} s (BND-03/FED-01 suggest a
 *       "low default, e.g. 5 minutes").</li>
 *   <li>Floor {@value #DEFAULT_FLOOR_SECONDS} s: a server hinting 0 or 1 s must not make us hammer
 *       it; also the pace of retries while no usable bundle exists.</li>
 *   <li>Ceiling {@value #DEFAULT_CEILING_SECONDS} s (1 h): a huge hint must not delay picking up a
 *       key rotation or a revocation (an emptied bundle) for days.</li>
 *   <li>Max staleness {@value #DEFAULT_MAX_STALENESS_SECONDS} s (24 h): rides out a bundle endpoint
 *       outage of a working day or a night, yet a bundle older than that fails closed, because it may
 *       still trust keys the trust domain has since withdrawn.</li>
 * </ul>
 *
 * <p>Upper limits, so no setting can overflow the instant arithmetic below and each still means
 * something: floor at most {@value #MAX_FLOOR_SECONDS} s (1 day; it is also the retry pace while no
 * bundle is usable, so a larger one would leave a trust domain failing for days after one failed
 * fetch), ceiling at most {@value #MAX_CEILING_SECONDS} s (7 days), max staleness at most
 * {@value #MAX_STALENESS_SECONDS} s (30 days: a bundle older than a month may trust keys long withdrawn).
 *
 * <p>Sequence rule (BND-02/FED-02): {@code spiffe_sequence} increases on every change, so a fetched
 * bundle with a <em>lower</em> sequence than the current one is treated as a rollback (for example a
 * lagging replica behind a load balancer) and ignored: the current bundle stays, and the fetch counts
 * as failed for scheduling and staleness. Once the current bundle is past max staleness, a lower
 * sequence is accepted, so a trust domain whose server really reset its sequence recovers on its own;
 * an administrator can recover sooner by clearing the stored bundle. A fetched bundle without a
 * sequence replacing one with a sequence counts as a rollback too; a current bundle without a
 * sequence is replaced by any fetched one. An equal sequence is accepted.
 * An empty fetched bundle is accepted too: emptying a bundle is how a trust domain revokes (BND-05).
 */
public final class RefreshPolicy {

    public static final long DEFAULT_REFRESH_SECONDS = 300;
    public static final long DEFAULT_FLOOR_SECONDS = 30;
    public static final long DEFAULT_CEILING_SECONDS = 3600;
    public static final long DEFAULT_MAX_STALENESS_SECONDS = 86400;
    public static final long MAX_FLOOR_SECONDS = 86400;
    public static final long MAX_CEILING_SECONDS = 7 * 86400;
    public static final long MAX_STALENESS_SECONDS = 30 * 86400;

    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(DEFAULT_REFRESH_SECONDS);
    public static final Duration DEFAULT_FLOOR = Duration.ofSeconds(DEFAULT_FLOOR_SECONDS);
    public static final Duration DEFAULT_CEILING = Duration.ofSeconds(DEFAULT_CEILING_SECONDS);
    public static final Duration DEFAULT_MAX_STALENESS = Duration.ofSeconds(DEFAULT_MAX_STALENESS_SECONDS);

    private static final RefreshPolicy DEFAULTS =
            new RefreshPolicy(DEFAULT_FLOOR, DEFAULT_CEILING, DEFAULT_MAX_STALENESS);

    /** Whether a freshly fetched bundle replaces the current one. */
    public enum UpdateDecision {
        /** Store the fetched bundle and its fetch time. */
        ACCEPT,
        /** Keep the current bundle: the fetched one has a lower {@code spiffe_sequence}. */
        IGNORE_ROLLBACK
    }

    private final Duration floor;
    private final Duration ceiling;
    private final Duration maxStaleness;

    private RefreshPolicy(Duration floor, Duration ceiling, Duration maxStaleness) {
        this.floor = floor;
        this.ceiling = ceiling;
        this.maxStaleness = maxStaleness;
    }

    public static RefreshPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * @param floor shortest refresh or retry interval, &gt; 0 and &le; {@value #MAX_FLOOR_SECONDS} s
     * @param ceiling longest refresh interval, &ge; floor and &le; {@value #MAX_CEILING_SECONDS} s
     * @param maxStaleness how long after its last successful fetch a bundle may still be used,
     *     &gt; ceiling (otherwise one missed refresh would already fail closed) and
     *     &le; {@value #MAX_STALENESS_SECONDS} s
     */
    public static RefreshPolicy of(Duration floor, Duration ceiling, Duration maxStaleness) {
        Objects.requireNonNull(floor, "floor");
        Objects.requireNonNull(ceiling, "ceiling");
        Objects.requireNonNull(maxStaleness, "maxStaleness");
        if (floor.isNegative() || floor.isZero()) {
            throw new IllegalArgumentException("floor must be positive");
        }
        if (ceiling.compareTo(floor) < 0) {
            throw new IllegalArgumentException("ceiling must not be shorter than floor");
        }
        if (maxStaleness.compareTo(ceiling) <= 0) {
            throw new IllegalArgumentException("maxStaleness must be longer than ceiling");
        }
        if (floor.toSeconds() > MAX_FLOOR_SECONDS || ceiling.toSeconds() > MAX_CEILING_SECONDS
                || maxStaleness.toSeconds() > MAX_STALENESS_SECONDS) {
            throw new IllegalArgumentException("floor, ceiling and maxStaleness must be at most "
                    + MAX_FLOOR_SECONDS + ", " + MAX_CEILING_SECONDS + " and " + MAX_STALENESS_SECONDS + " s");
        }
        return new RefreshPolicy(floor, ceiling, maxStaleness);
    }

    public Duration floor() {
        return floor;
    }

    public Duration ceiling() {
        return ceiling;
    }

    public Duration maxStaleness() {
        return maxStaleness;
    }

    /** The bundle's refresh hint, or 5 minutes without one, clamped to [floor, ceiling]. */
    public Duration refreshInterval(SpiffeBundle bundle) {
        Duration wanted = bundle == null ? DEFAULT_REFRESH : bundle.refreshHint().orElse(DEFAULT_REFRESH);
        return clamp(wanted);
    }

    /** When to fetch again after a successful fetch at {@code fetchedAt}. */
    public Instant nextRefresh(Instant fetchedAt, SpiffeBundle fetched) {
        return fetchedAt.plus(refreshInterval(fetched));
    }

    /**
     * When to try again after a failed (or rolled-back) fetch at {@code failedAt} (FED-01: at the next
     * regular interval, not aggressively). With a usable last-good bundle that is the bundle's normal
     * interval, but never later than the moment it goes stale; with no usable bundle (none yet, or
     * already stale, so authentication is failing closed) it is the floor. Never sooner than the floor.
     *
     * @param lastGood the bundle in use, or null
     * @param lastGoodFetchedAt when {@code lastGood} was last fetched successfully, or null
     */
    public Instant nextRetry(Instant failedAt, SpiffeBundle lastGood, Instant lastGoodFetchedAt) {
        Instant earliest = failedAt.plus(floor);
        if (lastGood == null || lastGoodFetchedAt == null || !isUsable(lastGoodFetchedAt, failedAt)) {
            return earliest;
        }
        Instant regular = failedAt.plus(refreshInterval(lastGood));
        Instant staleAt = staleAt(lastGoodFetchedAt);
        Instant retry = regular.isBefore(staleAt) ? regular : staleAt;
        return retry.isBefore(earliest) ? earliest : retry;
    }

    /** The first instant at which a bundle fetched at {@code fetchedAt} must no longer be used. */
    public Instant staleAt(Instant fetchedAt) {
        return fetchedAt.plus(maxStaleness);
    }

    /** Whether a bundle last fetched at {@code fetchedAt} may still validate SVIDs at {@code now}. */
    public boolean isUsable(Instant fetchedAt, Instant now) {
        return now.isBefore(staleAt(fetchedAt));
    }

    /**
     * Decides whether {@code fetched} replaces {@code current} (see the class comment).
     *
     * @param current the bundle in use, or null
     * @param currentFetchedAt when {@code current} was last fetched successfully (ignored if current is null)
     * @throws IllegalArgumentException if the two bundles belong to different trust domains
     *     (FED-03: never mix trust domains)
     */
    public UpdateDecision evaluate(SpiffeBundle current, Instant currentFetchedAt, SpiffeBundle fetched,
            Instant now) {
        Objects.requireNonNull(fetched, "fetched");
        if (current == null) {
            return UpdateDecision.ACCEPT;
        }
        if (!current.trustDomain().equals(fetched.trustDomain())) {
            throw new IllegalArgumentException("bundles of " + current.trustDomain() + " and "
                    + fetched.trustDomain() + " must never replace each other");
        }
        if (current.sequence().isEmpty()) {
            return UpdateDecision.ACCEPT;
        }
        // A bundle that drops spiffe_sequence after one that had it cannot prove it is newer: treat
        // it like a lower sequence, or a lagging replica could roll the keys back by omitting it.
        if (fetched.sequence().isPresent() && fetched.sequence().getAsLong() >= current.sequence().getAsLong()) {
            return UpdateDecision.ACCEPT;
        }
        if (currentFetchedAt == null || !isUsable(currentFetchedAt, now)) {
            return UpdateDecision.ACCEPT;
        }
        return UpdateDecision.IGNORE_ROLLBACK;
    }

    private Duration clamp(Duration wanted) {
        if (wanted.compareTo(floor) < 0) {
            return floor;
        }
        if (wanted.compareTo(ceiling) > 0) {
            return ceiling;
        }
        return wanted;
    }
}
