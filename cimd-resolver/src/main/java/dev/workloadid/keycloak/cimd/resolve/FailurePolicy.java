package dev.workloadid.keycloak.cimd.resolve;

import java.time.Duration;
import java.time.Instant;

/**
 * What a failed revalidation does to a document client. A definite answer (invalid document,
 * 404/410, client_id mismatch, host refused by the realm's lists or resolving to a refused address)
 * disables the client. A transient failure (network error, timeout, 5xx, 429) keeps the client as
 * it is, to be tried again after {@code failureRetrySeconds}: otherwise anyone able to slow the
 * fetcher down (first uses of URLs on slow hosts) could disable legitimate clients. That grace ends
 * once the client has gone without a successful fetch for longer than the realm's cache ceiling,
 * the longest the realm ever trusts a document without asking its host.
 */
public final class FailurePolicy {

    public enum Decision {
        KEEP,
        DISABLE
    }

    private FailurePolicy() {
    }

    /**
     * @param transientFailure the failure said nothing about the document
     * @param lastSuccess      when the document was last fetched (or revalidated) successfully
     * @param ceiling          the realm's {@code cacheCeilingSeconds}
     */
    public static Decision decide(boolean transientFailure, Instant lastSuccess, Duration ceiling, Instant now) {
        if (!transientFailure) {
            return Decision.DISABLE;
        }
        return Duration.between(lastSuccess, now).compareTo(ceiling) > 0 ? Decision.DISABLE : Decision.KEEP;
    }
}
