package dev.workloadid.keycloak.it.spiffe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertInvalidClient;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertTokenFor;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.clientsWithClientId;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With only authenticator-spiffe's pieces in a realm (dcr-policy's wi-spiffe-binding taken out), a
 * registrant at Keycloak's default endpoint cannot take over a workload's SPIFFE ID: the JAR's own
 * policy wi-spiffe-registration-guard, installed by saving the trust domain, refuses bindings,
 * SPIFFE-ID-shaped client IDs and spiffe.* attributes (400 invalid_client_metadata); and a binding on
 * a client made through a registration endpoint (from before the guard) never answers for the workload,
 * takes over its registration-free client or fills the trust domain's cap. All traffic stays on 127.0.0.1.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpiffeRegistrationGuardIT {

    static final String GUARD = "wi-spiffe-registration-guard";
    static final String BINDING = "wi-spiffe-binding";
    static final String POLICY_TYPE = "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy";
    private static final String TD = "guard.test";

    private AdminClient admin;
    private String realm;
    private String issuer;
    private String trustDomainId;
    private SpiffeTestAuthority authority;
    private Spiffe.TrustDomainConfig trustDomain;

    @BeforeAll
    void setUp(AdminClient admin) {
        this.admin = admin;
        authority = new SpiffeTestAuthority(TD);
        realm = admin.createRealm("spiffe-guard");
        issuer = admin.realmUrl(realm).toString();
        Spiffe.enableEvents(admin, realm);
        trustDomain = Spiffe.TrustDomainConfig.staticBundle(authority)
                .registrationFree(null, "spiffe://" + TD + "/ns/prod/*")
                .set("registrationFreeMaxClients", "2");
        trustDomainId = Spiffe.createTrustDomain(admin, realm, trustDomain);
        // Only authenticator-spiffe's protection: dcr-policy's binding policy is taken out again.
        removePolicies(BINDING);
    }

    @AfterAll
    void tearDown() {
        Spiffe.cleanUp(admin, realm, null);
    }

    @Test
    @Order(1)
    void savingATrustDomainInstallsTheGuardInBothSets() {
        assertThat(policySubTypes(GUARD)).containsExactlyInAnyOrder("anonymous", "authenticated");
        assertThat(policySubTypes(BINDING)).isEmpty();
    }

    @Test
    @Order(2)
    void sca07_aDefaultEndpointRegistrantCannotTakeOverAWorkloadsSpiffeId() {
        String victim = "spiffe://" + TD + "/ns/prod/sa/payments";

        ObjectNode bound = squatter("squatter-bound");
        bound.putObject("attributes").put("jwt.credential.sub", victim);
        assertRefused(register(bound), victim);

        ObjectNode pattern = squatter("squatter-pattern");
        pattern.putObject("attributes").put("jwt.credential.sub", "spiffe://" + TD + "/ns/prod/*");
        assertRefused(register(pattern), "spiffe://" + TD + "/ns/prod/*");

        assertRefused(register(squatter(victim)), "SPIFFE ID");
        assertRefused(register(squatter("\u200B" + victim)), "SPIFFE ID");

        for (String attribute : List.of("spiffe.trust_domain", "spiffe.registration")) {
            ObjectNode marked = squatter("squatter-" + attribute.replace('.', '-'));
            marked.putObject("attributes").put(attribute, "spiffe.registration".equals(attribute) ? "attested" : TD);
            assertRefused(register(marked), attribute);
        }
        assertThat(refusalReasons()).anyMatch(r -> r.contains(victim));
        assertThat(clientsWithClientId(admin, realm, "squatter-bound")).isEmpty();
        assertThat(clientsWithClientId(admin, realm, victim)).isEmpty();

        // The workload still gets its own registration-free client.
        assertTokenFor(token(admin, realm, authority.svid(victim).audience(issuer).sign()), victim);

        // A SPIFFE authenticator without a binding is refused too: only attestation gives the binding.
        ObjectNode plain = squatter("plain-client");
        plain.putObject("attributes").put("pkce.code.challenge.method", "S256");
        assertRefused(register(plain), "SPIFFE-attested registration");
        assertThat(clientsWithClientId(admin, realm, "plain-client")).isEmpty();

        // Registration without a reserved name still works.
        plain.put("clientAuthenticatorType", "client-secret");
        Http.Response registered = register(plain);
        assertThat(registered.status()).isEqualTo(201);

        // Nor does a registration update switch the client to a SPIFFE authenticator afterwards.
        ObjectNode update = (ObjectNode) registered.json().deepCopy();
        String registrationToken = update.remove("registrationAccessToken").asText();
        update.put("clientAuthenticatorType", Spiffe.AUTHENTICATOR);
        assertRefused(updateRegistration("plain-client", registrationToken, update), "cannot switch this client to a SPIFFE authenticator");
        assertThat(clientsWithClientId(admin, realm, "plain-client")).singleElement()
                .satisfies(c -> assertThat(c.path("clientAuthenticatorType").asText()).isEqualTo("client-secret"));
    }

    @Test
    @Order(3)
    void sca07_aBindingOnARegisteredClientNeverAnswersForTheWorkload() {
        // Bindings from before the guard: registered clients whose binding was written afterwards (here by
        // an administrator over admin REST, which registration policies do not govern).
        String victim = "spiffe://" + TD + "/ns/prod/sa/ledger";
        String squatted = "spiffe://" + TD + "/ns/prod/sa/billing";
        registeredThenSet("squatter-ledger", "squatter-ledger", Map.of("jwt.credential.sub", victim));
        registeredThenSet("squatter-billing", squatted, Map.of("jwt.credential.sub", squatted));
        for (int i = 0; i < 2; i++) {
            registeredThenSet("cap-filler-" + i, "cap-filler-" + i,
                    Map.of("spiffe.trust_domain", TD, "spiffe.registration", "registration-free"));
        }

        // The registered client's exact binding does not count, and its fillers do not count against the cap
        // (one registration-free client exists, from the test before): the workload gets its own client.
        assertTokenFor(token(admin, realm, authority.svid(victim).audience(issuer).sign()), victim);
        // A registered client holding the workload's client ID blocks it, but never answers for it.
        assertInvalidClient(token(admin, realm, authority.svid(squatted).audience(issuer).sign()), "not registered");
        assertInvalidClient(token(admin, realm, authority.svid(victim).audience(issuer).sign(), "squatter-ledger"),
                "not authorized");
        assertThat(policySubTypes(GUARD)).containsExactlyInAnyOrder("anonymous", "authenticated");
    }

    /**
     * Registers a plain client at the default endpoint, then an administrator renames it, gives it the
     * SPIFFE authenticator and sets attributes.
     */
    private void registeredThenSet(String clientId, String newClientId, Map<String, String> attributes) {
        assertThat(register(squatter(clientId).put("clientAuthenticatorType", "client-secret")).status()).isEqualTo(201);
        ObjectNode client = (ObjectNode) clientsWithClientId(admin, realm, clientId).get(0);
        client.put("clientId", newClientId).put("clientAuthenticatorType", Spiffe.AUTHENTICATOR);
        attributes.forEach(client.withObject("/attributes")::put);
        AdminClient.expect(admin.put("/realms/" + realm + "/clients/" + client.path("id").asText(), client), 204);
    }

    private static ObjectNode squatter(String clientId) {
        return Http.JSON.createObjectNode().put("clientId", clientId).put("publicClient", false)
                .put("clientAuthenticatorType", Spiffe.AUTHENTICATOR).put("serviceAccountsEnabled", true)
                .put("standardFlowEnabled", false);
    }

    private Http.Response register(ObjectNode client) {
        URI endpoint = admin.base().resolve("/realms/" + realm + "/clients-registrations/default");
        return Http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("Authorization", "Bearer " + initialAccessToken())
                .POST(HttpRequest.BodyPublishers.ofString(client.toString())).build());
    }

    private Http.Response updateRegistration(String clientId, String registrationToken, ObjectNode client) {
        URI endpoint = admin.base().resolve("/realms/" + realm + "/clients-registrations/default/" + clientId);
        return Http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("Authorization", "Bearer " + registrationToken)
                .PUT(HttpRequest.BodyPublishers.ofString(client.toString())).build());
    }

    private static void assertRefused(Http.Response r, String hint) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client_metadata");
        assertThat(r.json().path("error_description").asText()).contains(hint);
    }

    private String initialAccessToken() {
        Http.Response r = admin.post("/realms/" + realm + "/clients-initial-access", Map.of("expiration", 600, "count", 1));
        assertThat(r.status()).as(r.toString()).isBetween(200, 201);
        return r.json().path("token").asText();
    }

    private List<JsonNode> policies(String providerId) {
        List<JsonNode> out = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/components?type=" + POLICY_TYPE).forEach(c -> {
            if (providerId.equals(c.path("providerId").asText())) {
                out.add(c);
            }
        });
        return out;
    }

    private List<String> policySubTypes(String providerId) {
        return policies(providerId).stream().map(p -> p.path("subType").asText()).toList();
    }

    private void removePolicies(String providerId) {
        for (JsonNode p : policies(providerId)) {
            AdminClient.expect(admin.delete("/realms/" + realm + "/components/" + p.path("id").asText()), 204);
        }
    }

    private List<String> refusalReasons() {
        List<String> out = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/events?type=CLIENT_REGISTER_ERROR&max=100").forEach(e -> {
            if (GUARD.equals(e.path("details").path("client_registration_policy").asText())) {
                out.add(e.path("details").path("reason").asText());
            }
        });
        return out;
    }
}
