package dev.workloadid.keycloak.spiffe.metrics;

import dev.workloadid.keycloak.common.metrics.PackMeters;
import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import io.micrometer.core.instrument.Meter;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The SPIFFE module's meters (see docs/metrics.md). Labels: {@code realm} (realm name),
 * {@code trust_domain} (only configured trust domains), {@code method} ({@code jwt} / {@code x509}),
 * {@code outcome}, and {@code reason}: a rejection's stable reason code, one of {@link #REASONS}.
 */
public final class SpiffeMeters {

    /** A rejection that is not a verdict on the SVID: the client it asked for, the request's form, a server error. */
    public static final String CLIENT_REJECTED = "client_rejected";
    /** Every value the {@code reason} label takes besides {@code none} and {@value PackMeters#OTHER}. */
    static final Set<String> REASONS;

    static {
        Set<String> reasons = new HashSet<>();
        Stream.of(SvidRejectedException.Reason.values()).map(SvidRejectedException.Reason::code).forEach(reasons::add);
        reasons.add(CLIENT_REJECTED);
        REASONS = Set.copyOf(reasons);
    }

    private SpiffeMeters() {
    }

    /** One SVID client authentication that succeeded. */
    public static void authenticated(String realm, String authenticatorId) {
        PackMeters.count("spiffe.authentications", "SPIFFE SVID client authentications",
                "realm", realm, "method", method(authenticatorId), "outcome", "success", "reason", "none");
    }

    /** One SVID client authentication refused with invalid_client; {@code reason} null when not a verdict on the SVID. */
    public static void rejected(String realm, String authenticatorId, String reason) {
        PackMeters.count("spiffe.authentications", "SPIFFE SVID client authentications",
                "realm", realm, "method", method(authenticatorId), "outcome", "rejected",
                "reason", PackMeters.bounded(reason == null ? CLIENT_REJECTED : reason, REASONS));
    }

    /** One fetch or load of a trust domain's bundle. */
    public static void bundleRefresh(String realm, String trustDomain, boolean success) {
        PackMeters.count("spiffe.bundle.refreshes", "Trust bundle fetches (https_web) and loads (static)",
                "realm", realm, "trust_domain", trustDomain, "outcome", success ? "success" : "failure");
    }

    /** The gauge of a bundle's age in seconds (NaN before the first successful fetch). */
    public static Meter bundleAge(String realm, String trustDomain, Supplier<Number> ageSeconds) {
        return PackMeters.gauge("spiffe.bundle.age", "Seconds since the trust bundle in use was fetched", "seconds",
                ageSeconds, "realm", realm, "trust_domain", trustDomain);
    }

    private static String method(String authenticatorId) {
        return authenticatorId != null && authenticatorId.contains("x509") ? "x509" : "jwt";
    }
}
