package dev.workloadid.keycloak.it.dcr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 7591 create and RFC 7592 read / update / delete on the pack's endpoint, with an initial access token. */
@ExtendWith(KeycloakExtension.class)
class DcrLifecycleIT {

    private static String realm;
    private static URI endpoint;

    @BeforeAll
    static void realm(AdminClient admin) {
        realm = admin.createRealm("dcr-life");
        endpoint = Dcr.endpoint(admin, realm);
    }

    @Test
    void dcr10_fullLifecycle_createReadUpdateDelete(AdminClient admin) {
        ObjectNode request = Dcr.metadata("https://app.example.com/cb");
        request.put("software_id", "4NRB1-0XZABZI9E6-5SM3R");
        request.put("software_version", "2.1");
        request.put("token_endpoint_auth_method", "client_secret_basic");
        request.put("x_vendor_extension", "ignored");
        request.putObject("x_nested").put("a", 1);

        Http.Response created = Dcr.post(endpoint, request, Dcr.initialAccessToken(admin, realm));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode c = created.json();
        String clientId = c.get("client_id").asText();
        assertThat(clientId).isNotBlank();
        assertThat(c.get("client_secret").asText()).isNotBlank();                 // DCR-11
        assertThat(c.get("client_secret_expires_at").asLong()).isZero();
        assertThat(c.get("registration_access_token").asText()).isNotBlank();    // DCRM-01
        assertThat(c.get("registration_client_uri").asText()).isEqualTo(endpoint + "/" + clientId);
        assertThat(created.header("Location")).isEqualTo(endpoint + "/" + clientId);
        assertThat(c.get("software_id").asText()).isEqualTo("4NRB1-0XZABZI9E6-5SM3R");
        assertThat(c.get("software_version").asText()).isEqualTo("2.1");
        assertThat(c.has("x_vendor_extension")).isFalse();                       // DCR-04: ignored, not registered
        assertThat(c.get("redirect_uris").get(0).asText()).isEqualTo("https://app.example.com/cb");

        URI config = URI.create(c.get("registration_client_uri").asText());
        String rat = c.get("registration_access_token").asText();
        Http.Response read = Dcr.get(config, rat);                                 // DCRM-04
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        assertThat(read.json().get("client_id").asText()).isEqualTo(clientId);
        assertThat(read.json().get("software_id").asText()).isEqualTo("4NRB1-0XZABZI9E6-5SM3R");
        rat = read.json().path("registration_access_token").asText(rat);

        ObjectNode update = Dcr.metadata("https://app.example.com/cb2");
        update.put("client_id", clientId);
        update.put("client_name", "renamed");
        update.put("software_id", "4NRB1-0XZABZI9E6-5SM3R");
        update.put("software_version", "2.2");
        update.put("token_endpoint_auth_method", "client_secret_basic");
        update.put("registration_access_token", "must be ignored");
        update.put("another_unknown", true);
        Http.Response updated = Dcr.put(config, update, rat);                       // DCRM-06
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        assertThat(updated.json().get("client_name").asText()).isEqualTo("renamed");
        assertThat(updated.json().get("software_version").asText()).isEqualTo("2.2");
        assertThat(updated.json().get("redirect_uris").get(0).asText()).isEqualTo("https://app.example.com/cb2");
        rat = updated.json().get("registration_access_token").asText();

        Http.Response deleted = Dcr.delete(config, rat);                            // DCRM-07
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
        Http.Response gone = Dcr.get(config, rat);
        assertThat(gone.status()).isEqualTo(401);                                   // DCRM-05/08
    }

    @Test
    void dcrm05_wrongRegistrationAccessTokenIs401(AdminClient admin) {
        Http.Response created = Dcr.post(endpoint, Dcr.metadata("https://a.example.com/cb"), Dcr.initialAccessToken(admin, realm));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        URI config = URI.create(created.json().get("registration_client_uri").asText());
        assertThat(Dcr.get(config, "not-a-token").status()).isEqualTo(401);
        assertThat(Dcr.get(config, null).status()).isEqualTo(401);
    }

    @Test
    void dcr07_jwksAndJwksUriTogetherRefusedAndNoClientLeftBehind(AdminClient admin) {
        int before = Dcr.clientCount(admin, realm);
        ObjectNode request = Dcr.metadata("https://b.example.com/cb");
        request.put("jwks_uri", "https://b.example.com/jwks");
        request.putObject("jwks").putArray("keys");
        Http.Response r = Dcr.post(endpoint, request, Dcr.initialAccessToken(admin, realm));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo("invalid_client_metadata");
        assertThat(r.json().get("error_description").asText()).contains("jwks");
        assertThat(Dcr.clientCount(admin, realm)).isEqualTo(before);
    }

    @Test
    void dcr14_malformedBodyIs400NotServerError(AdminClient admin) {
        Http.Response r = Dcr.post(endpoint, "{not json", Dcr.initialAccessToken(admin, realm));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo("invalid_client_metadata");
        Http.Response wrongType = Dcr.post(endpoint, "{\"redirect_uris\":\"https://x.example.com/cb\"}", Dcr.initialAccessToken(admin, realm));
        assertThat(wrongType.status()).isEqualTo(400);
    }

    @Test
    void stockEndpointStillRefusesWhatOursAccepts(AdminClient admin) {
        ObjectNode request = Dcr.metadata("https://c.example.com/cb");
        request.put("x_vendor_extension", "ignored");
        URI stock = admin.base().resolve("/realms/" + realm + "/clients-registrations/openid-connect");
        assertThat(Dcr.post(stock, request, Dcr.initialAccessToken(admin, realm)).status()).isEqualTo(400);
        assertThat(Dcr.post(endpoint, request, Dcr.initialAccessToken(admin, realm)).status()).isEqualTo(201);
    }
}
