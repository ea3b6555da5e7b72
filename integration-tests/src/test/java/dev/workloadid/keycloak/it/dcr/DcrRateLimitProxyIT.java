package dev.workloadid.keycloak.it.dcr;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.HarnessConfig;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import dev.workloadid.keycloak.it.harness.KeycloakServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DCR-03, wi-rate-limit behind a proxy: a Keycloak with {@code --proxy-headers=xforwarded} counts the
 * forwarded client address, and counts IPv6 callers per /64, so rotating through one's own /64
 * does not escape the limit. Only the header names these addresses: every packet stays on loopback.
 */
class DcrRateLimitProxyIT {

    private static KeycloakServer keycloak;
    private static AdminClient admin;
    private static URI endpoint;

    @BeforeAll
    static void setUp() {
        HarnessConfig config = HarnessConfig.fromSystemProperties();
        Assumptions.assumeTrue(config.dedicatedDistAllowed(), "a Keycloak behind a proxy needs the dist backend");
        keycloak = KeycloakServers.startDedicatedDist(config, "proxy-headers", List.of("--proxy-headers=xforwarded"));
        admin = new AdminClient(keycloak);
        String realm = admin.createRealm("dcr-rate-proxy");
        // The forwarded addresses are not private ones: Keycloak's default ("external") would demand https.
        AdminClient.expect(admin.put("/realms/" + realm, Map.of("sslRequired", "none")), 204);
        endpoint = Dcr.endpoint(admin, realm);
        Dcr.removePolicy(admin, realm, "anonymous", "trusted-hosts");
        Dcr.addPolicy(admin, realm, "anonymous", "wi-rate-limit", Map.of("per-source-limit", List.of("3"),
                "per-software-id-limit", List.of("0"), "window-seconds", List.of("3600")));
    }

    @AfterAll
    static void tearDown() {
        if (keycloak != null) {
            keycloak.close();
        }
    }

    private static int register(String forwardedFor) {
        ObjectNode m = Dcr.metadata("http://127.0.0.1:6276/cb");
        m.put("token_endpoint_auth_method", "none");
        Http.Response r = Http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("X-Forwarded-For", forwardedFor)
                .POST(HttpRequest.BodyPublishers.ofString(Dcr.json(m))).build());
        if (r.status() == 429) {
            assertThat(r.json().path("error").asText()).isEqualTo("temporarily_unavailable");
        } else {
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
        return r.status();
    }

    @Test
    void dcr03_ipv6CallersAreCountedPerSlash64AndIpv4PerAddress() {
        // Five addresses of one /64 (as proxies write them, unbracketed): one count, three registrations.
        long created = java.util.stream.IntStream.rangeClosed(1, 5)
                .map(i -> register("2001:db8:1:2::" + Integer.toHexString(i))).filter(s -> s == 201).count();
        assertThat(created).as("registrations from one IPv6 /64").isEqualTo(3);
        // A bracketed spelling is the same network (Keycloak then reports no address, only a host).
        assertThat(register("[2001:db8:1:2::77]")).isEqualTo(429);
        // The neighbouring /64 has its own count.
        assertThat(register("2001:db8:1:3::1")).isEqualTo(201);
        // IPv4 addresses count one by one.
        assertThat(register("192.0.2.10")).isEqualTo(201);
        assertThat(register("192.0.2.11")).isEqualTo(201);
    }
}
