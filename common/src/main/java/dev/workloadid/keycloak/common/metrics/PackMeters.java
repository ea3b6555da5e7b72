package dev.workloadid.keycloak.common.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The pack's meters, in the registry Keycloak already runs: Micrometer's global registry, where
 * Keycloak's own meters (e.g. its event metrics) register and to which Quarkus adds the Prometheus
 * registry behind {@code /metrics} on the management interface when {@code --metrics-enabled=true}.
 * Without metrics enabled the global registry has no backing registry and recording costs a map lookup.
 *
 * <p>Every name starts with {@value #PREFIX} (Prometheus: {@code wi_..._total} for counters). Label
 * values must come from a fixed set or from configuration (realm names, configured trust domains):
 * never request data such as SPIFFE IDs, URLs or free-text descriptions; {@link #bounded} maps
 * anything else to {@value #OTHER}. Recording never throws: a metrics failure must not fail a request.
 */
public final class PackMeters {

    public static final String PREFIX = "wi.";
    public static final String OTHER = "other";
    private static final Logger LOG = Logger.getLogger(PackMeters.class);
    /**
     * Counters already registered, by name and labels: Micrometer's register() sorts and hashes the
     * tags and searches the registry on every call, which a profile showed at ~1 % of a token
     * request's CPU. Labels are bounded (see above), so this is too; past the bound it stops adding.
     */
    static final int MAX_CACHED_COUNTERS = 4096;
    private static final Map<CounterKey, Counter> COUNTERS = new ConcurrentHashMap<>();

    private record CounterKey(String name, List<String> tags) {
    }

    private PackMeters() {
    }

    /** Adds one to a counter; {@code tags} are label name/value pairs. */
    public static void count(String name, String description, String... tags) {
        try {
            CounterKey key = new CounterKey(name, List.of(tags));
            Counter counter = COUNTERS.get(key);
            if (counter == null) {
                counter = Counter.builder(PREFIX + name).description(description).tags(tags).register(Metrics.globalRegistry);
                if (COUNTERS.size() < MAX_CACHED_COUNTERS) {
                    COUNTERS.putIfAbsent(key, counter);
                }
            }
            counter.increment();
        } catch (RuntimeException e) {
            LOG.debugf(e, "Meter %s not recorded", name);
        }
    }

    /**
     * Registers a gauge read from {@code value} at each scrape (NaN when it has none); registering the
     * same name and labels again keeps the first. Returns the meter, for {@link #remove}, or null.
     */
    public static Meter gauge(String name, String description, String baseUnit, Supplier<Number> value, String... tags) {
        try {
            return Gauge.builder(PREFIX + name, value).description(description).baseUnit(baseUnit).tags(tags)
                    .strongReference(true).register(Metrics.globalRegistry);
        } catch (RuntimeException e) {
            LOG.debugf(e, "Gauge %s not registered", name);
            return null;
        }
    }

    /** Removes a meter, e.g. the gauge of a trust domain that is no longer configured. */
    public static void remove(Meter meter) {
        if (meter != null) {
            Metrics.globalRegistry.remove(meter);
        }
    }

    /** {@code value} if it is one of {@code allowed}, else {@value #OTHER}: keeps a label's values bounded. */
    public static String bounded(String value, Set<String> allowed) {
        return value != null && allowed.contains(value) ? value : OTHER;
    }
}
