package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.common.metrics.PackMeters;
import dev.workloadid.keycloak.spiffe.bundle.RefreshPolicy;
import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import dev.workloadid.keycloak.spiffe.metrics.SpiffeMeters;
import io.micrometer.core.instrument.Meter;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * This node's trust bundles, one entry per configured trust domain, refreshed in the background
 * at the bundle's refresh hint (within the administrator's floor and ceiling). A token request
 * reads the current bundle and never fetches while it is fresh; only the very first use of a trust
 * domain on a node (or a use after the bundle went stale) fetches on the request path, once, however
 * many requests arrive together.
 *
 * <p>A node-local cache by design: bundles are public data every node can fetch for itself, and the
 * configuration that says which bundles to trust lives in realm components (database, cluster-wide).
 * A node notices a configuration change made elsewhere through {@link TrustDomainSettings#bundleFingerprint()}.
 */
public final class BundleRegistry implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BundleRegistry.class);
    /** Entries unused this long stop being polled and are dropped; the next use fetches again. */
    static final Duration IDLE_EVICTION = Duration.ofHours(6);

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Bundle age gauges by "realm|trust domain". */
    private final Map<String, Meter> gauges = new ConcurrentHashMap<>();
    private final Function<TrustDomainSettings, BundleSource> sources;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    public BundleRegistry(Function<TrustDomainSettings, BundleSource> sources, Clock clock) {
        this.sources = sources;
        this.clock = clock;
    }

    /** Starts background refresh, checking every {@code tick} which bundles are due. */
    public synchronized void start(Duration tick) {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "spiffe-bundle-refresh");
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleWithFixedDelay(this::refreshDue, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The usable bundle of a trust domain, fetching it on this thread only if this node has none
     * that is still within max staleness.
     *
     * @param realmId entries are per realm: two realms may configure the same trust domain differently
     */
    public SpiffeBundle bundle(String realmId, TrustDomainSettings settings) throws BundleUnavailableException {
        return bundle(realmId, realmId, settings);
    }

    /** As {@link #bundle(String, TrustDomainSettings)}; {@code realmName} labels the bundle's meters. */
    public SpiffeBundle bundle(String realmId, String realmName, TrustDomainSettings settings) throws BundleUnavailableException {
        String key = realmId + '/' + settings.id();
        // A plain read first: compute() locks the map's bin, which every request of the trust domain would queue on.
        Entry entry = entries.get(key);
        // The same settings object (the trust provider keeps one per unchanged component) needs no fingerprint.
        if (entry == null || entry.settings != settings && !entry.fingerprint.equals(settings.bundleFingerprint())) {
            String fingerprint = settings.bundleFingerprint();
            entry = entries.compute(key, (k, old) -> old != null && old.fingerprint.equals(fingerprint) ? old
                    : new Entry(settings, sources.apply(settings), realmName));
            ageGauge(entry);
        }
        Instant now = clock.instant();
        entry.lastUsed = now;
        SpiffeBundle usable = entry.usable(now);
        if (usable != null) {
            return usable;
        }
        synchronized (entry) {
            usable = entry.usable(clock.instant());
            if (usable == null && !clock.instant().isBefore(entry.nextAttempt)) {
                entry.refresh(clock);
                usable = entry.usable(clock.instant());
            }
        }
        if (usable != null) {
            return usable;
        }
        throw new BundleUnavailableException(entry.unavailableReason(clock.instant()));
    }

    /**
     * Refetches a polled bundle ahead of schedule, e.g. because a JWT-SVID names a key the bundle in
     * use does not have (a rotation not yet seen). At most once per refresh floor per trust domain
     * and node, so tokens with made-up kids cannot make Keycloak hammer a bundle endpoint.
     *
     * @return true if a fetch was made and the bundle in use changed
     */
    public boolean refreshEarly(String realmId, TrustDomainSettings settings) {
        Entry entry = entries.get(realmId + '/' + settings.id());
        if (entry == null || !entry.source.polled() || !entry.fingerprint.equals(settings.bundleFingerprint())) {
            return false;
        }
        synchronized (entry) {
            Instant now = clock.instant();
            if (entry.lastAttempt != null && now.isBefore(entry.lastAttempt.plus(entry.policy.floor()))) {
                return false;
            }
            SpiffeBundle before = entry.state.bundle();
            entry.refresh(clock);
            return entry.state.bundle() != before;
        }
    }

    /** Fetches done for this entry so far on this node (for the admin status and tests). */
    public long fetchCount(String realmId, String componentId) {
        Entry entry = entries.get(realmId + '/' + componentId);
        return entry == null ? 0 : entry.fetches;
    }

    /** Drops a trust domain's cached bundle, e.g. after its configuration was removed. */
    public void forget(String realmId, String componentId) {
        entries.remove(realmId + '/' + componentId);
        dropUnusedGauges();
    }

    /** One age gauge per realm and trust domain, reading whichever entry of this node has them. */
    private void ageGauge(Entry entry) {
        String labels = entry.realmName + '|' + entry.settings.trustDomain().getName();
        gauges.computeIfAbsent(labels, l -> SpiffeMeters.bundleAge(entry.realmName, entry.settings.trustDomain().getName(),
                () -> age(entry.realmName, entry.settings.trustDomain().getName())));
    }

    /** Seconds since the newest bundle of that realm's trust domain was fetched; NaN if none. */
    private Number age(String realmName, String trustDomain) {
        Instant now = clock.instant();
        return entries.values().stream()
                .filter(e -> e.realmName.equals(realmName) && e.settings.trustDomain().getName().equals(trustDomain))
                .map(e -> e.state.fetchedAt()).filter(java.util.Objects::nonNull).max(Instant::compareTo)
                .map(fetched -> (Number) (Duration.between(fetched, now).toMillis() / 1000.0)).orElse(Double.NaN);
    }

    private void dropUnusedGauges() {
        gauges.entrySet().removeIf(g -> {
            boolean unused = entries.values().stream()
                    .noneMatch(e -> g.getKey().equals(e.realmName + '|' + e.settings.trustDomain().getName()));
            if (unused) {
                PackMeters.remove(g.getValue());
            }
            return unused;
        });
    }

    void refreshDue() {
        Instant now = clock.instant();
        if (entries.entrySet().removeIf(e -> e.getValue().lastUsed.plus(IDLE_EVICTION).isBefore(now))) {
            dropUnusedGauges();
        }
        for (Entry entry : entries.values()) {
            if (entry.source.polled() && !now.isBefore(entry.nextAttempt)) {
                try {
                    synchronized (entry) {
                        if (!clock.instant().isBefore(entry.nextAttempt)) {
                            entry.refresh(clock);
                        }
                    }
                } catch (RuntimeException e) {
                    LOG.warnf(e, "Refreshing the bundle of trust domain %s failed", entry.settings.trustDomain().getName());
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    /**
     * What a reader needs together, published as one immutable value: a reader outside the entry's
     * monitor sees either the state before a refresh or the one after, never a bundle without the
     * time it was fetched.
     *
     * @param bundle    the last good bundle, or null before the first successful fetch
     * @param fetchedAt when {@code bundle} was fetched; non-null exactly when {@code bundle} is
     * @param lastError why the last fetch failed, or null if it succeeded
     */
    record State(SpiffeBundle bundle, Instant fetchedAt, String lastError) {
        static final State EMPTY = new State(null, null, null);

        State {
            if ((bundle == null) != (fetchedAt == null)) {
                throw new IllegalArgumentException("a bundle and its fetch time go together");
            }
        }

        State failed(String error) {
            return new State(bundle, fetchedAt, error);
        }
    }

    /** One trust domain's bundle state on this node. Mutated under its own monitor. */
    private static final class Entry {
        final TrustDomainSettings settings;
        final String realmName;
        final String fingerprint;
        final BundleSource source;
        final RefreshPolicy policy;
        volatile State state = State.EMPTY;
        volatile Instant nextAttempt = Instant.EPOCH;
        volatile Instant lastUsed = Instant.EPOCH;
        volatile Instant lastAttempt;
        volatile long fetches;

        Entry(TrustDomainSettings settings, BundleSource source, String realmName) {
            this.settings = settings;
            this.realmName = realmName;
            this.fingerprint = settings.bundleFingerprint();
            this.source = source;
            this.policy = settings.refreshPolicy();
        }

        SpiffeBundle usable(Instant now) {
            State current = state;
            if (current.bundle() == null) {
                return null;
            }
            // A static bundle never goes stale; a polled one fails closed after max staleness.
            return !source.polled() || policy.isUsable(current.fetchedAt(), now) ? current.bundle() : null;
        }

        /**
         * One fetch. The bundle counts as fetched when the fetch started (staleness is never
         * understated); the next attempt is paced from when it ended, so a fetch slower than the floor
         * (a hanging or dribbling endpoint) does not let each waiting request fetch again in turn.
         */
        void refresh(Clock clock) {
            Instant now = clock.instant();
            fetches++;
            lastAttempt = now;
            State current = state;
            SpiffeBundle bundle = current.bundle();
            try {
                SpiffeBundle fetched = source.load();
                Instant done = clock.instant();
                lastAttempt = done;
                if (bundle == null || policy.evaluate(bundle, current.fetchedAt(), fetched, now)
                        == RefreshPolicy.UpdateDecision.ACCEPT) {
                    if (bundle != null && !sameSequence(bundle, fetched)) {
                        LOG.infof("Trust domain %s: new bundle (sequence %s)", settings.trustDomain().getName(),
                                fetched.sequence().isPresent() ? fetched.sequence().getAsLong() : "none");
                    }
                    state = new State(fetched, now, null);
                    SpiffeMeters.bundleRefresh(realmName, settings.trustDomain().getName(), true);
                    nextAttempt = source.polled() ? policy.nextRefresh(done, fetched) : Instant.MAX;
                } else {
                    String error = "the bundle endpoint served an older spiffe_sequence than the bundle in use";
                    state = current.failed(error);
                    SpiffeMeters.bundleRefresh(realmName, settings.trustDomain().getName(), false);
                    LOG.warnf("Trust domain %s: %s; keeping the current bundle", settings.trustDomain().getName(), error);
                    nextAttempt = policy.nextRetry(done, bundle, current.fetchedAt());
                }
            } catch (BundleUnavailableException e) {
                Instant done = clock.instant();
                lastAttempt = done;
                state = current.failed(e.getMessage());
                SpiffeMeters.bundleRefresh(realmName, settings.trustDomain().getName(), false);
                nextAttempt = source.polled() ? policy.nextRetry(done, bundle, current.fetchedAt()) : Instant.MAX;
                LOG.warnf("Trust domain %s: %s%s", settings.trustDomain().getName(), e.getMessage(),
                        bundle == null ? "" : "; keeping the last good bundle until " + policy.staleAt(current.fetchedAt()));
            }
        }

        String unavailableReason(Instant now) {
            State current = state;
            String td = settings.trustDomain().getName();
            if (current.bundle() != null) {
                return "the trust bundle of " + td + " is stale (last fetched " + current.fetchedAt()
                        + ", max staleness " + policy.maxStaleness().toSeconds() + " s)"
                        + (current.lastError() == null ? "" : ": " + current.lastError());
            }
            return current.lastError() != null ? current.lastError() : "no trust bundle fetched yet for " + td;
        }

        private static boolean sameSequence(SpiffeBundle a, SpiffeBundle b) {
            return a.sequence().equals(b.sequence());
        }
    }
}
