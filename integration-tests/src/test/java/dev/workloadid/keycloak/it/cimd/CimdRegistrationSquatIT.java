package dev.workloadid.keycloak.it.cimd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nobody can register a client that takes a document's URL first (Keycloak asks its database before
 * the document resolver): the policy wi-cimd-reserved-client-ids, installed when the realm's CIMD
 * settings are saved, refuses URL client_ids and cimd.* attributes on Keycloak's registration
 * endpoints with 400 invalid_client_metadata. All traffic stays on 127.0.0.1.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CimdRegistrationSquatIT {

    static final String POLICY = "wi-cimd-reserved-client-ids";
    static final String POLICY_TYPE = "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy";
    /** Where a squatter would want the codes to go (nothing listens there). */
    static final String ATTACKER = "http://127.0.0.1:48124/steal";

    private AdminClient admin;
    private String realm;
    private String settingsId;
    private DocumentHost host;
    private String documentUrl;

    @BeforeAll
    void setUp(AdminClient admin) {
        this.admin = admin;
        realm = admin.createRealm("cimd-squat");
        CimdRealms.saveEvents(admin, realm);
        host = new DocumentHost(TestCa.shared());
        documentUrl = host.url("/popular.json");
        host.json("/popular.json", CimdIT.publicDoc(documentUrl, "Popular MCP Client"));
        settingsId = CimdRealms.configure(admin, realm, Map.of("allowedHosts", List.of(DocumentHost.HOST)));
    }

    @AfterAll
    void tearDown() {
        if (host != null) {
            host.close();
        }
        if (realm != null) {
            admin.deleteRealm(realm);
        }
    }

    @Test
    void savingTheSettingsInstallsThePolicyInBothSets() {
        assertThat(policySubTypes()).containsExactlyInAnyOrder("anonymous", "authenticated");
    }

    @Test
    void updatingTheSettingsPutsBackARemovedPolicy() {
        String authenticated = policies().stream().filter(p -> "authenticated".equals(p.path("subType").asText()))
                .findFirst().orElseThrow().path("id").asText();
        AdminClient.expect(admin.delete("/realms/" + realm + "/components/" + authenticated), 204);
        assertThat(policySubTypes()).containsExactly("anonymous");

        CimdRealms.update(admin, realm, settingsId, "consentRequired", "true");

        assertThat(policySubTypes()).containsExactlyInAnyOrder("anonymous", "authenticated");
    }

    @Test
    void cimd42_documentUrlCannotBeRegisteredAsClientIdOnTheDefaultEndpoint() {
        String http = "http://" + documentUrl.substring("https://".length());
        for (String clientId : List.of(documentUrl, "HTTPS" + documentUrl.substring("https".length()), http, " " + documentUrl)) {
            ObjectNode client = squatter(clientId);
            client.putObject("attributes").put("cimd.managed", "true").put("cimd.expires_at", "9999999999");

            Http.Response r = send("POST", defaultEndpoint(), client, initialAccessToken());

            assertThat(r.status()).as(clientId + ": " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error").asText()).isEqualTo("invalid_client_metadata");
            assertThat(r.json().path("error_description").asText()).contains("is a URL", clientId.trim());
        }
        assertThat(refusalReasons()).anyMatch(reason -> reason.contains(documentUrl) && reason.contains("is a URL"));
        // No squatter's client: the URL is still the document's client, and the squatter's redirect is not honoured.
        assertThat(CimdRealms.clientsWithId(admin, realm, documentUrl))
                .allMatch(c -> !c.path("redirectUris").toString().contains(ATTACKER));
        Http.Response login = Http.get(authUrl(documentUrl, CimdIT.REDIRECT));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        Http.Response stolen = Http.get(authUrl(documentUrl, ATTACKER));
        assertThat(stolen.status()).as(stolen.toString()).isEqualTo(400);
        assertThat(stolen.header("Location")).isNull();
    }

    @Test
    void cimd42_lookAlikesOfTheDocumentUrlCannotBeRegisteredOnAnyEndpoint() {
        // What a case-, accent- or width-insensitive database (MySQL/MariaDB *_ci, SQL Server *_CI_AI) returns
        // for the document's URL: refused here although this test database is case-sensitive.
        String rest = documentUrl.substring("https".length());
        List<String> lookAlikes = List.of("http\u015B" + rest, "\uFF48ttps" + rest, "\u200B" + documentUrl,
                "http\u017F" + rest, "ht\u00ADtps" + rest, "https\u0301" + rest);
        for (String clientId : lookAlikes) {
            Http.Response r = send("POST", defaultEndpoint(), squatter(clientId), initialAccessToken());
            assertThat(r.status()).as(clientId + ": " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error").asText()).isEqualTo("invalid_client_metadata");
            assertThat(r.json().path("error_description").asText()).contains("is a URL");
            assertThat(CimdRealms.clientsWithId(admin, realm, clientId)).as("nothing created").isEmpty();

            ObjectNode metadata = Http.JSON.createObjectNode().put("client_id", clientId).put("client_name", "squatter");
            metadata.putArray("redirect_uris").add(ATTACKER);
            for (URI endpoint : List.of(oidcEndpoint(), rfc7591Endpoint())) {
                Http.Response viaMetadata = send("POST", endpoint, metadata, initialAccessToken());
                assertThat(viaMetadata.status() == 400 || !clientId.equals(viaMetadata.json().path("client_id").asText()))
                        .as(endpoint + " " + clientId + ": " + viaMetadata.body()).isTrue();
                assertThat(CimdRealms.clientsWithId(admin, realm, clientId)).as("nothing created").isEmpty();
            }
        }
    }

    @Test
    void dcr15_whatThePackReadsAsFactsCannotBeRegisteredOnTheDefaultEndpoint() {
        Map<String, String> forged = Map.of("spiffe.trust_domain", "example.org", "spiffe.registration", "attested",
                "wi.dcr.application_type", "native", "wi.dcr.software_statement", "eyJhbGciOiJub25lIn0.e30.");
        forged.forEach((name, value) -> {
            ObjectNode client = squatter("forger-" + UUID.randomUUID().toString().substring(0, 8));
            client.putObject("attributes").put(name, value);
            Http.Response r = send("POST", defaultEndpoint(), client, initialAccessToken());
            assertThat(r.status()).as(name + ": " + r.body()).isEqualTo(400);
            assertThat(r.json().path("error_description").asText()).contains(name);
        });
        Http.Response spiffe = send("POST", defaultEndpoint(), squatter("spiffe://example.org/ns/prod/sa/api"),
                initialAccessToken());
        assertThat(spiffe.status()).as(spiffe.body()).isEqualTo(400);
        assertThat(spiffe.json().path("error_description").asText()).contains("SPIFFE ID");
    }

    @Test
    void cimd42_documentClientBookkeepingAttributesCannotBeRegistered() {
        String clientId = "squatter-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode client = squatter(clientId);
        client.putObject("attributes").put("cimd.managed", "true");

        Http.Response r = send("POST", defaultEndpoint(), client, initialAccessToken());

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client_metadata");
        assertThat(r.json().path("error_description").asText()).contains("cimd.managed");
        assertThat(CimdRealms.clientsWithId(admin, realm, clientId)).as("nothing created").isEmpty();
        assertThat(refusalReasons()).anyMatch(reason -> reason.contains("cimd.managed"));
    }

    @Test
    void cimd42_aRegisteredClientCannotBeUpdatedIntoAUrlOrADocumentClient() {
        String clientId = "ordinary-" + UUID.randomUUID().toString().substring(0, 8);
        Http.Response created = send("POST", defaultEndpoint(), squatter(clientId), initialAccessToken());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String registrationToken = created.json().path("registrationAccessToken").asText();
        URI self = URI.create(defaultEndpoint() + "/" + clientId);

        ObjectNode withAttribute = (ObjectNode) created.json().deepCopy();
        withAttribute.remove("registrationAccessToken");
        withAttribute.withObject("/attributes").put("cimd.expires_at", "9999999999");
        Http.Response r = send("PUT", self, withAttribute, registrationToken);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client_metadata");

        ObjectNode renamed = (ObjectNode) created.json().deepCopy();
        renamed.remove("registrationAccessToken");
        renamed.put("clientId", documentUrl);
        r = send("PUT", self, renamed, registrationToken);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client_metadata");

        JsonNode stored = CimdRealms.clientsWithId(admin, realm, clientId).get(0);
        assertThat(stored.path("attributes").has("cimd.expires_at")).isFalse();
        assertThat(stored.path("redirectUris").toString()).contains(ATTACKER);
    }

    @Test
    void ordinaryRegistrationStillWorksOnBothStockEndpoints() {
        String clientId = "ordinary-" + UUID.randomUUID().toString().substring(0, 8);
        Http.Response viaDefault = send("POST", defaultEndpoint(), squatter(clientId), initialAccessToken());
        assertThat(viaDefault.status()).as(viaDefault.body()).isEqualTo(201);
        assertThat(CimdRealms.clientsWithId(admin, realm, clientId)).hasSize(1);

        ObjectNode metadata = Http.JSON.createObjectNode().put("client_name", "ordinary");
        metadata.putArray("redirect_uris").add(CimdIT.REDIRECT);
        Http.Response viaOidc = send("POST", oidcEndpoint(), metadata, initialAccessToken());
        assertThat(viaOidc.status()).as(viaOidc.body()).isEqualTo(201);
        assertThat(viaOidc.json().path("client_id").asText()).doesNotStartWith("http");
    }

    @Test
    void cimd42_openIdConnectEndpointDoesNotTakeAUrlClientId() {
        // Keycloak's openid-connect endpoint chooses client_ids itself; a requested one is refused (by it or the policy).
        ObjectNode metadata = Http.JSON.createObjectNode().put("client_id", documentUrl).put("client_name", "squatter");
        metadata.putArray("redirect_uris").add(ATTACKER);

        Http.Response r = send("POST", oidcEndpoint(), metadata, initialAccessToken());

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client_metadata");
        assertThat(CimdRealms.clientsWithId(admin, realm, documentUrl))
                .allMatch(c -> !c.path("redirectUris").toString().contains(ATTACKER));
    }

    private static ObjectNode squatter(String clientId) {
        ObjectNode client = Http.JSON.createObjectNode().put("clientId", clientId).put("publicClient", true)
                .put("standardFlowEnabled", true);
        client.putArray("redirectUris").add(ATTACKER);
        return client;
    }

    private URI defaultEndpoint() {
        return admin.base().resolve("/realms/" + realm + "/clients-registrations/default");
    }

    private URI rfc7591Endpoint() {
        return admin.base().resolve("/realms/" + realm + "/clients-registrations/rfc7591");
    }

    private URI oidcEndpoint() {
        return admin.base().resolve("/realms/" + realm + "/clients-registrations/openid-connect");
    }

    private String initialAccessToken() {
        Http.Response r = admin.post("/realms/" + realm + "/clients-initial-access", Map.of("expiration", 600, "count", 1));
        assertThat(r.status()).as(r.toString()).isBetween(200, 201);
        return r.json().path("token").asText();
    }

    private static Http.Response send(String method, URI uri, JsonNode body, String bearer) {
        return Http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("Authorization", "Bearer " + bearer)
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    private URI authUrl(String clientId, String redirect) {
        URI standard = CimdIT.authUrl(admin.realmUrl(realm).resolve("/realms/" + realm + "/protocol/openid-connect/auth"),
                clientId, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        return URI.create(standard.toString().replace(enc(CimdIT.REDIRECT), enc(redirect)));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private List<JsonNode> policies() {
        List<JsonNode> out = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/components?type=" + POLICY_TYPE).forEach(c -> {
            if (POLICY.equals(c.path("providerId").asText())) {
                out.add(c);
            }
        });
        return out;
    }

    private List<String> policySubTypes() {
        return policies().stream().map(p -> p.path("subType").asText()).toList();
    }

    /** Reasons of the realm's registration refusals by this policy. */
    private List<String> refusalReasons() {
        List<String> out = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/events?type=CLIENT_REGISTER_ERROR&type=CLIENT_UPDATE_ERROR&max=100").forEach(e -> {
            if (POLICY.equals(e.path("details").path("client_registration_policy").asText())) {
                out.add(e.path("details").path("reason").asText());
            }
        });
        return out;
    }
}
