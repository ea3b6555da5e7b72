package dev.workloadid.keycloak.it.dcr;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** wi-rate-limit: a concurrent burst from one source gets exactly the configured number of registrations. */
@ExtendWith(KeycloakExtension.class)
class DcrRateLimitIT {

    @Test
    void dcr03_perSourceRateLimitHoldsUnderBurst(AdminClient admin) throws Exception {
        String realm = admin.createRealm("dcr-rate");
        URI endpoint = Dcr.endpoint(admin, realm);
        Dcr.removePolicy(admin, realm, "anonymous", "trusted-hosts");
        Dcr.addPolicy(admin, realm, "anonymous", "wi-rate-limit", Map.of("per-source-limit", List.of("5"),
                "per-software-id-limit", List.of("0"), "window-seconds", List.of("600")));
        int before = Dcr.clientCount(admin, realm);

        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Http.Response>> results = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            results.add(pool.submit(() -> {
                ObjectNode m = Dcr.metadata("http://127.0.0.1:6276/cb");
                m.put("token_endpoint_auth_method", "none");
                return Dcr.post(endpoint, m, null);
            }));
        }
        int created = 0;
        int limited = 0;
        for (Future<Http.Response> f : results) {
            Http.Response r = f.get();
            if (r.status() == 201) {
                created++;
            } else {
                assertThat(r.status()).as(r.body()).isEqualTo(429);
                assertThat(r.json().get("error").asText()).isEqualTo("temporarily_unavailable");
                limited++;
            }
        }
        pool.shutdown();
        assertThat(created).isEqualTo(5);
        assertThat(limited).isEqualTo(9);
        assertThat(Dcr.clientCount(admin, realm)).isEqualTo(before + 5);
    }
}
