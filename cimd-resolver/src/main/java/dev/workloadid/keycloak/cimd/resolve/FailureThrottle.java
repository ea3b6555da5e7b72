package dev.workloadid.keycloak.cimd.resolve;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CIMD-34: a failed or invalid document is never cached, but it is not refetched on every request
 * either. After a failure, the URL is not fetched again on this node for the retry interval; the
 * refusal (and its reason) is repeated instead. Bounded: the oldest entries go first.
 */
public final class FailureThrottle {

    public record Failure(Instant retryAfter, String oauthError, String description) {
    }

    private static final int MAX_ENTRIES = 10_000;
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    private final Clock clock;

    public FailureThrottle(Clock clock) {
        this.clock = clock;
    }

    public void failed(String url, Duration retryInterval, String oauthError, String description) {
        if (failures.size() >= MAX_ENTRIES) {
            Instant now = clock.instant();
            failures.values().removeIf(f -> !f.retryAfter().isAfter(now));
            if (failures.size() >= MAX_ENTRIES) {
                failures.clear();
            }
        }
        failures.put(url, new Failure(clock.instant().plus(retryInterval), oauthError, description));
    }

    /** The recent failure of this URL if it may not be fetched yet, else null. */
    public Failure recent(String url) {
        Failure f = failures.get(url);
        if (f == null) {
            return null;
        }
        if (!f.retryAfter().isAfter(clock.instant())) {
            failures.remove(url, f);
            return null;
        }
        return f;
    }

    public void succeeded(String url) {
        failures.remove(url);
    }
}
