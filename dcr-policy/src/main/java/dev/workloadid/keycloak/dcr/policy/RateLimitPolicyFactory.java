package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.RateLimiter;
import dev.workloadid.keycloak.dcr.rules.SourceBucket;
import org.keycloak.models.ClientModel;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.time.Instant;

/**
 * Policy {@value #ID}: registrations per source network and per software_id in a time window,
 * counted cluster-wide in Keycloak's SingleUseObjectProvider (Infinispan), never in JVM memory.
 * The source is the client address Keycloak reports (its proxy-headers setting decides whether that
 * is the peer or the forwarded address), grouped by {@link SourceBucket}.
 */
public final class RateLimitPolicyFactory extends PackPolicyFactory {

    public static final String ID = "wi-rate-limit";
    static final String PER_SOURCE = "per-source-limit";
    static final String PER_SOFTWARE_ID = "per-software-id-limit";
    static final String WINDOW = "window-seconds";
    static final String IPV4_PREFIX = "ipv4-prefix-length";
    static final String IPV6_PREFIX = "ipv6-prefix-length";

    public RateLimitPolicyFactory() {
        super(ID, "Limits registrations per source IP address and per software_id within a time window, across all "
                        + "cluster nodes. Excess requests get HTTP 429.",
                b -> {
                    b.integer(PER_SOURCE, "Per source address", 10, 0, 1_000_000, "Registrations one source network may "
                            + "make per window (0: no limit); the network is the client address cut to the prefix lengths "
                            + "below. Behind a reverse proxy, set Keycloak's proxy-headers option, or every caller counts as "
                            + "the proxy's address.");
                    b.integer(IPV4_PREFIX, "IPv4 prefix length", SourceBucket.DEFAULT_IPV4_PREFIX, SourceBucket.MIN_IPV4_PREFIX,
                            32, "IPv4 callers are counted per network of this prefix length (32: each address alone).");
                    b.integer(IPV6_PREFIX, "IPv6 prefix length", SourceBucket.DEFAULT_IPV6_PREFIX, SourceBucket.MIN_IPV6_PREFIX,
                            128, "IPv6 callers are counted per network of this prefix length; 64, the default, because "
                                    + "one host usually holds a whole /64.");
                    b.integer(PER_SOFTWARE_ID, "Per software_id", 20, 0, 1_000_000,
                            "Registrations per software_id per window (0: no limit).");
                    b.integer(WINDOW, "Window (seconds)", 60, 1, 86_400, "Length of the counting window in seconds.");
                });
    }

    @Override
    void check(PackPolicy policy, ClientRegistrationContext context, RegistrationRequest request, ClientModel existing) {
        if (existing != null) {
            return; // updates are authenticated by the client's own registration access token
        }
        RateLimiter limiter = new RateLimiter(policy.session().singleUseObjects()::putIfAbsent);
        long window = Math.max(1, policy.number(WINDOW, 60));
        String prefix = "wi-dcr-rl:" + policy.id() + ":";
        Instant now = Instant.now();
        int perSource = policy.number(PER_SOURCE, 10);
        if (perSource > 0 && request.sourceAddress() != null
                && !limiter.tryAcquire(prefix + "src:" + sourceBucket(policy, request.sourceAddress()), perSource, window, now)) {
            throw new DcrError("temporarily_unavailable", "too many registrations from this address; retry later", 429);
        }
        int perSoftware = policy.number(PER_SOFTWARE_ID, 20);
        if (perSoftware > 0 && request.softwareId() != null
                && !limiter.tryAcquire(prefix + "sw:" + request.softwareId(), perSoftware, window, now)) {
            throw new DcrError("temporarily_unavailable", "too many registrations for this software_id; retry later", 429);
        }
    }

    private static String sourceBucket(PackPolicy policy, String address) {
        int v4 = policy.number(IPV4_PREFIX, SourceBucket.DEFAULT_IPV4_PREFIX);
        int v6 = policy.number(IPV6_PREFIX, SourceBucket.DEFAULT_IPV6_PREFIX);
        try {
            return SourceBucket.of(address, v4, v6);
        } catch (IllegalArgumentException e) {
            // refused at save; an imported out-of-range value counts with the defaults
            return SourceBucket.of(address, SourceBucket.DEFAULT_IPV4_PREFIX, SourceBucket.DEFAULT_IPV6_PREFIX);
        }
    }
}
