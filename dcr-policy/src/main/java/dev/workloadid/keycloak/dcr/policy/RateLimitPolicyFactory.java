package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.dcr.endpoint.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.RateLimiter;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.time.Instant;

/**
 * Policy {@value #ID}: registrations per source address and per software_id in a time window,
 * counted cluster-wide in Keycloak's SingleUseObjectProvider (Infinispan), never in JVM memory.
 */
public final class RateLimitPolicyFactory extends PackPolicyFactory {

    public static final String ID = "wi-rate-limit";
    static final String PER_SOURCE = "per-source-limit";
    static final String PER_SOFTWARE_ID = "per-software-id-limit";
    static final String WINDOW = "window-seconds";

    public RateLimitPolicyFactory() {
        super(ID, "Limits registrations per source IP address and per software_id within a time window, across all "
                        + "cluster nodes. Excess requests get HTTP 429.",
                b -> {
                    b.integer(PER_SOURCE, "Per source address", 10, 0, 1_000_000, "Registrations one IP address may make "
                            + "per window (0: no limit). Behind a proxy, configure Keycloak's proxy headers so the client "
                            + "address is seen.");
                    b.integer(PER_SOFTWARE_ID, "Per software_id", 20, 0, 1_000_000,
                            "Registrations per software_id per window (0: no limit).");
                    b.integer(WINDOW, "Window (seconds)", 60, 1, 86_400, "Length of the counting window in seconds.");
                },
                Policy::new);
    }

    static final class Policy extends PackPolicy {
        Policy(KeycloakSession session, ComponentModel model) {
            super(session, model);
        }

        @Override
        void check(ClientRegistrationContext context, RegistrationRequest request, ClientModel existing) {
            if (existing != null) {
                return; // updates are authenticated by the client's own registration access token
            }
            RateLimiter limiter = new RateLimiter(session.singleUseObjects()::putIfAbsent);
            long window = Math.max(1, number(WINDOW, 60));
            String prefix = "wi-dcr-rl:" + model.getId() + ":";
            Instant now = Instant.now();
            int perSource = number(PER_SOURCE, 10);
            if (perSource > 0 && request.sourceAddress() != null
                    && !limiter.tryAcquire(prefix + "src:" + request.sourceAddress(), perSource, window, now)) {
                throw new DcrError("temporarily_unavailable", "too many registrations from this address; retry later", 429);
            }
            int perSoftware = number(PER_SOFTWARE_ID, 20);
            if (perSoftware > 0 && request.softwareId() != null
                    && !limiter.tryAcquire(prefix + "sw:" + request.softwareId(), perSoftware, window, now)) {
                throw new DcrError("temporarily_unavailable", "too many registrations for this software_id; retry later", 429);
            }
        }
    }
}
