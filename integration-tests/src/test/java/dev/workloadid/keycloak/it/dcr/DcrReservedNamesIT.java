package dev.workloadid.keycloak.it.dcr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In a realm with the pack's registration policies, Keycloak's own default endpoint cannot write what
 * the pack reads as facts (wi.dcr.*, spiffe.*, cimd.* attributes; SPIFFE-ID-shaped client IDs), and the software_id it can set is seen by the per-software cap. A client made at the pack's
 * rfc7591 endpoint can still be updated at the default endpoint with its attributes sent back unchanged.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DcrReservedNamesIT {

    private AdminClient admin;
    private String realm;
    private URI representation;
    private URI oidc;

    @BeforeAll
    void realm(AdminClient admin) {
        this.admin = admin;
        realm = admin.createRealm("dcr-reserved");
        representation = admin.base().resolve("/realms/" + realm + "/clients-registrations/default");
        oidc = admin.base().resolve("/realms/" + realm + "/clients-registrations/openid-connect");
        Dcr.removePolicy(admin, realm, "anonymous", "trusted-hosts");
        for (String set : List.of("anonymous", "authenticated")) {
            Dcr.addPolicy(admin, realm, set, "wi-software-id-max-clients", Map.of("max-clients", List.of("1")));
        }
    }

    @AfterAll
    void tearDown() {
        if (realm != null) {
            admin.deleteRealm(realm);
        }
    }

    private Http.Response viaDefault(ObjectNode client) {
        return Dcr.post(representation, client, Dcr.initialAccessToken(admin, realm));
    }

    private static ObjectNode client(String clientId) {
        ObjectNode c = Http.JSON.createObjectNode().put("clientId", clientId).put("publicClient", true);
        c.putArray("redirectUris").add("https://app.test/cb");
        return c;
    }

    @Test
    void dcr15_attributesThePackReadsAsFactsCannotBeWrittenThroughKeycloaksEndpoint() {
        Map<String, String> forged = Map.of(
                "wi.dcr.application_type", "native",
                "wi.dcr.software_statement", "eyJhbGciOiJub25lIn0.eyJzb2Z0d2FyZV9pZCI6ImZvcmdlZCJ9.",
                "wi.dcr.software_statement_issuer", "https://trusted-issuer.test",
                "spiffe.trust_domain", "example.org",
                "spiffe.registration", "attested",
                "cimd.managed", "true");
        int before = Dcr.clientCount(admin, realm);
        forged.forEach((name, value) -> {
            ObjectNode c = client("forger-" + name.replace('.', '-'));
            c.putObject("attributes").put(name, value);
            Http.Response r = viaDefault(c);
            assertThat(r.status()).as(name + ": " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error").asText()).isEqualTo("invalid_client_metadata");
            assertThat(r.json().path("error_description").asText()).contains(name);
        });
        for (String clientId : List.of("spiffe://example.org/ns/prod/sa/api", "\u0455piffe://example.org/ns/prod/sa/api")) {
            Http.Response r = viaDefault(client(clientId));
            assertThat(r.status()).as(clientId + ": " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error").asText()).isEqualTo("invalid_client_metadata");
            assertThat(r.json().path("error_description").asText()).contains("SPIFFE ID");
        }
        assertThat(Dcr.clientCount(admin, realm)).as("nothing created").isEqualTo(before);

        // URL client IDs name documents only where URL client IDs are on (CimdRegistrationSquatIT); here
        // they are ordinary client IDs (SAML entity IDs, for one).
        Http.Response url = viaDefault(client("https://sp.example.org/metadata"));
        assertThat(url.status()).as(url.body()).isEqualTo(201);
    }

    @Test
    void dcr17_softwareIdSetThroughTheDefaultEndpointCountsAgainstThePerSoftwareCap() {
        ObjectNode first = client("sw-first");
        first.putObject("attributes").put("software_id", "sw-default-endpoint");
        assertThat(viaDefault(first).status()).isEqualTo(201);

        ObjectNode second = client("sw-second");
        second.putObject("attributes").put("software_id", "sw-default-endpoint");
        Http.Response r = viaDefault(second);
        assertThat(r.status()).as(r.body()).isIn(400, 403);
        assertThat(r.body()).contains("software_id");
        assertThat(admin.getJson("/realms/" + realm + "/clients?clientId=sw-second&search=false")).isEmpty();
    }

    @Test
    void dcr15_aPackMadeClientIsStillUpdatedAtTheDefaultEndpointWithItsAttributesUnchanged() {
        ObjectNode m = Dcr.metadata("https://pack.test/cb").put("software_id", "sw-pack").put("application_type", "web");
        Http.Response created = Dcr.post(Dcr.endpoint(admin, realm), m, Dcr.initialAccessToken(admin, realm));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String clientId = created.json().path("client_id").asText();
        String rat = created.json().path("registration_access_token").asText();

        Http.Response read = Dcr.get(URI.create(representation + "/" + clientId), rat);
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        ObjectNode rep = (ObjectNode) read.json();
        assertThat(rep.path("attributes").path("wi.dcr.application_type").asText()).isEqualTo("web");
        rep.remove("registrationAccessToken");
        rep.put("name", "renamed");
        Http.Response updated = Dcr.put(URI.create(representation + "/" + clientId), rep, rat);
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        String newRat = updated.json().path("registrationAccessToken").asText();

        rep.withObject("/attributes").put("wi.dcr.application_type", "native");
        Http.Response loosened = Dcr.put(URI.create(representation + "/" + clientId), rep, newRat);
        assertThat(loosened.status()).as(loosened.body()).isEqualTo(400);
        assertThat(loosened.json().path("error_description").asText()).contains("wi.dcr.application_type");
        JsonNode stored = admin.getJson("/realms/" + realm + "/clients?clientId=" + clientId + "&search=false").get(0);
        assertThat(stored.path("attributes").path("wi.dcr.application_type").asText()).isEqualTo("web");
    }

    @Test
    void keycloaksOpenIdConnectEndpointStillRegisters() {
        Http.Response r = Dcr.post(oidc, Dcr.metadata("https://app.test/cb"), Dcr.initialAccessToken(admin, realm));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
}
