package dev.workloadid.keycloak.it.dcr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.ECKey;
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
 * A SPIFFE-attested client keeps its authenticator and binding through registration updates with
 * its registration access token, on the pack's rfc7591 endpoint and on Keycloak's own
 * openid-connect endpoint alike: attempts to make it a secret, key or public client are refused
 * with 400 invalid_client_metadata, and the workload still authenticates with its JWT-SVID.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DcrSpiffeBindingIT {

    private static final String TD = "td-two.test";
    private static final String SPIFFE_ID = "spiffe://" + TD + "/ns/prod/sa/ledger";
    private final ECKey spiffeKey = Dcr.newKey("k1");
    private AdminClient admin;
    private String realm;
    private URI endpoint;
    private URI stock;
    private String clientId;
    private String internalId;
    private String rat;

    @BeforeAll
    void realm(AdminClient admin) {
        this.admin = admin;
        realm = admin.createRealm("dcr-binding");
        endpoint = Dcr.endpoint(admin, realm);
        stock = admin.base().resolve("/realms/" + realm + "/clients-registrations/openid-connect");
        ObjectNode events = Http.JSON.createObjectNode().put("eventsEnabled", true);
        events.putArray("enabledEventTypes");
        AdminClient.expect(admin.put("/realms/" + realm, events), 204);
        Dcr.addComponent(admin, realm, "org.keycloak.services.ui.extend.UiPageProvider", "spiffe-trust-domain", Map.of(
                "trustDomain", List.of(TD), "bundleSource", List.of("static"), "staticBundle", List.of(Dcr.spiffeBundle(spiffeKey)),
                "attestedRegistration", List.of("true"), "attestedRegistrationAllowList", List.of("spiffe://" + TD + "/ns/prod/*")));
        Http.Response created = Dcr.post(endpoint, Http.JSON.createObjectNode().put("client_name", "ledger"),
                Dcr.jwtSvid(spiffeKey, SPIFFE_ID, endpoint.toString()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        clientId = created.json().get("client_id").asText();
        rat = created.json().get("registration_access_token").asText();
        internalId = admin.getJson("/realms/" + realm + "/clients?clientId=" + clientId).get(0).get("id").asText();
    }

    @AfterAll
    void tearDown() {
        if (realm != null) {
            admin.deleteRealm(realm);
        }
    }

    private ObjectNode update(String name, String method) {
        ObjectNode m = Http.JSON.createObjectNode().put("client_id", clientId).put("client_name", name);
        m.putArray("grant_types").add("client_credentials");
        m.putArray("response_types");
        if (method != null) {
            m.put("token_endpoint_auth_method", method);
        }
        return m;
    }

    /** Sends an update; a successful one rotates the registration access token. */
    private Http.Response put(URI base, ObjectNode body) {
        Http.Response r = Dcr.put(URI.create(base + "/" + clientId), body, rat);
        if (r.status() == 200) {
            rat = r.json().path("registration_access_token").asText(rat);
        }
        return r;
    }

    private void assertStillBound() {
        JsonNode c = admin.getJson("/realms/" + realm + "/clients/" + internalId);
        assertThat(c.path("clientAuthenticatorType").asText()).isEqualTo("spiffe-jwt-svid");
        assertThat(c.path("publicClient").asBoolean()).isFalse();
        assertThat(c.path("attributes").path("jwt.credential.sub").asText()).isEqualTo(SPIFFE_ID);
    }

    private static void assertRefused(Http.Response r, String what) {
        assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).as(what).isEqualTo("invalid_client_metadata");
        assertThat(r.json().path("error_description").asText()).as(what).contains(SPIFFE_ID);
    }

    @Test
    void attestedRegistrationPutsTheBindingPolicyInBothPolicySets() {
        long sets = java.util.stream.StreamSupport.stream(admin.getJson("/realms/" + realm + "/components?type="
                        + Dcr.POLICY_TYPE).spliterator(), false)
                .filter(c -> "wi-spiffe-binding".equals(c.path("providerId").asText()))
                .map(c -> c.path("subType").asText()).distinct().count();
        assertThat(sets).isEqualTo(2);
    }

    @Test
    void bothEndpointsRefuseToChangeTheAuthenticatorOrMakeItPublic() {
        ObjectNode withKeys = update("ledger", "private_key_jwt");
        Map<String, Object> signingKey = new java.util.HashMap<>(Dcr.newKey("x").toPublicJWK().toJSONObject());
        signingKey.put("use", "sig"); // else Keycloak's own jwks check answers first
        withKeys.set("jwks", Http.JSON.valueToTree(Map.of("keys", List.of(signingKey))));
        Map<String, ObjectNode> attempts = Map.of(
                "client_secret_basic", update("ledger", "client_secret_basic"),
                "none", update("ledger", "none"),
                "private_key_jwt", withKeys);
        for (Map.Entry<String, ObjectNode> a : attempts.entrySet()) {
            assertRefused(put(endpoint, a.getValue()), "rfc7591 " + a.getKey());
            assertRefused(put(stock, a.getValue()), "openid-connect " + a.getKey());
            assertStillBound();
        }
        // Keycloak's endpoint reads an omitted method as its default (a client secret): refused too.
        assertRefused(put(stock, update("ledger", null)), "openid-connect without a method");
        assertStillBound();
        JsonNode events = admin.getJson("/realms/" + realm + "/events?type=CLIENT_UPDATE_ERROR&max=50");
        assertThat(events.toString()).contains("wi-spiffe-binding");
    }

    @Test
    void updatesThatKeepTheBindingWorkOnBothEndpoints() {
        Http.Response viaStock = put(stock, update("ledger (stock)", "spiffe_jwt"));
        assertThat(viaStock.status()).as(viaStock.body()).isEqualTo(200);
        assertThat(viaStock.json().has("client_secret")).isFalse();
        Http.Response viaPack = put(endpoint, update("ledger (pack)", null));
        assertThat(viaPack.status()).as(viaPack.body()).isEqualTo(200);
        assertThat(viaPack.json().get("token_endpoint_auth_method").asText()).isEqualTo("spiffe_jwt");
        assertThat(viaPack.json().get("spiffe_id").asText()).isEqualTo(SPIFFE_ID);
        assertStillBound();

        Http.Response token = Http.postForm(admin.tokenEndpoint(realm), Http.form(
                "grant_type", "client_credentials", "client_id", clientId,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe",
                "client_assertion", Dcr.jwtSvid(spiffeKey, SPIFFE_ID, admin.realmUrl(realm).toString())));
        assertThat(token.status()).as(token.body()).isEqualTo(200);
    }

    @Test
    void dcrm06_keycloaksRepresentationEndpointCannotCreateABinding() {
        // Keycloak's "default" endpoint takes a whole client representation, attributes included.
        URI representation = admin.base().resolve("/realms/" + realm + "/clients-registrations/default");
        ObjectNode client = Http.JSON.createObjectNode().put("clientId", "squatter").put("publicClient", false)
                .put("serviceAccountsEnabled", true).put("clientAuthenticatorType", "spiffe-jwt-svid");
        client.putObject("attributes").put("jwt.credential.sub", SPIFFE_ID);
        int before = Dcr.clientCount(admin, realm);

        Http.Response r = Dcr.post(representation, client, Dcr.initialAccessToken(admin, realm));

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_client_metadata");
        assertThat(r.json().path("error_description").asText()).contains("attested");
        assertThat(Dcr.clientCount(admin, realm)).as("nothing created").isEqualTo(before);
        assertStillBound();
    }

    private URI representationEndpoint() {
        return admin.base().resolve("/realms/" + realm + "/clients-registrations/default");
    }

    /** An ordinary confidential client registered at Keycloak's default endpoint: its representation. */
    private JsonNode registerUnbound(String id) {
        ObjectNode client = Http.JSON.createObjectNode().put("clientId", id).put("publicClient", false)
                .put("serviceAccountsEnabled", true).put("standardFlowEnabled", false);
        Http.Response r = Dcr.post(representationEndpoint(), client, Dcr.initialAccessToken(admin, realm));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    @Test
    void dcrm06_attestedClientStaysAWorkloadClientOnKeycloaksRepresentationEndpoint() {
        // The registration access token of a workload must not turn it into a user-facing client.
        ObjectNode phish = Http.JSON.createObjectNode().put("clientId", clientId).put("standardFlowEnabled", true)
                .put("implicitFlowEnabled", true).put("directAccessGrantsEnabled", true).put("fullScopeAllowed", true)
                .put("consentRequired", false);
        phish.putArray("redirectUris").add("https://phish.example/cb");
        Http.Response r = Dcr.put(URI.create(representationEndpoint() + "/" + clientId), phish, rat);

        assertRefused(r, "default endpoint, user-facing");
        assertThat(r.json().path("error_description").asText()).contains("redirectUris", "standardFlowEnabled",
                "implicitFlowEnabled", "directAccessGrantsEnabled", "fullScopeAllowed");
        for (String one : List.of("standardFlowEnabled", "directAccessGrantsEnabled", "fullScopeAllowed")) {
            ObjectNode single = Http.JSON.createObjectNode().put("clientId", clientId).put(one, true);
            assertRefused(Dcr.put(URI.create(representationEndpoint() + "/" + clientId), single, rat), "default " + one);
        }
        ObjectNode unmark = Http.JSON.createObjectNode().put("clientId", clientId);
        unmark.putObject("attributes").put("spiffe.registration", "");
        Http.Response removed = Dcr.put(URI.create(representationEndpoint() + "/" + clientId), unmark, rat);
        assertThat(removed.status()).as(removed.body()).isEqualTo(400);
        assertThat(removed.json().path("error_description").asText()).contains("spiffe.registration");
        // Keycloak's OIDC endpoint: asking for the code flow with a redirect URI is refused the same way.
        ObjectNode oidc = update("ledger", "spiffe_jwt");
        oidc.putArray("grant_types").add("authorization_code");
        oidc.putArray("response_types").add("code");
        oidc.putArray("redirect_uris").add("https://phish.example/cb");
        assertRefused(put(stock, oidc), "openid-connect, code flow");

        assertStillBound();
        JsonNode c = admin.getJson("/realms/" + realm + "/clients/" + internalId);
        assertThat(c.path("attributes").path("spiffe.registration").asText()).isEqualTo("attested");
        assertThat(c.path("redirectUris")).isEmpty();
        assertThat(c.path("standardFlowEnabled").asBoolean()).isFalse();
        assertThat(c.path("implicitFlowEnabled").asBoolean()).isFalse();
        assertThat(c.path("directAccessGrantsEnabled").asBoolean()).isFalse();
        assertThat(c.path("fullScopeAllowed").asBoolean()).isFalse();
    }

    @Test
    void dcrm06_attestedClientGetsNoConsentScreenBearerOnlyTokenExchangeOrJwtGrant() {
        URI own = URI.create(representationEndpoint() + "/" + clientId);
        ObjectNode consent = Http.JSON.createObjectNode().put("clientId", clientId).put("consentRequired", true);
        assertRefused(Dcr.put(own, consent, rat), "default consentRequired");
        ObjectNode bearerOnly = Http.JSON.createObjectNode().put("clientId", clientId).put("bearerOnly", true);
        assertRefused(Dcr.put(own, bearerOnly, rat), "default bearerOnly");
        for (String grant : List.of("standard.token.exchange.enabled", "oauth2.jwt.authorization.grant.enabled")) {
            ObjectNode switchOn = Http.JSON.createObjectNode().put("clientId", clientId);
            switchOn.putObject("attributes").put(grant, "true");
            Http.Response r = Dcr.put(own, switchOn, rat);
            assertRefused(r, "default " + grant);
            assertThat(r.json().path("error_description").asText()).contains(grant);
        }
        JsonNode c = admin.getJson("/realms/" + realm + "/clients/" + internalId);
        assertThat(c.path("consentRequired").asBoolean()).isFalse();
        assertThat(c.path("bearerOnly").asBoolean()).isFalse();
        assertThat(c.path("attributes").path("standard.token.exchange.enabled").asText("false")).isEqualTo("false");
        assertThat(c.path("attributes").path("oauth2.jwt.authorization.grant.enabled").asText("false")).isEqualTo("false");
        assertStillBound();
    }

    @Test
    void dcrm06_unboundClientCannotBindItselfToAWorkload() {
        // An ordinary client's registration access token must not claim a workload's SPIFFE ID or pattern.
        JsonNode unbound = registerUnbound("would-be-ledger");
        String token = unbound.path("registrationAccessToken").asText();
        URI self = URI.create(representationEndpoint() + "/would-be-ledger");
        for (String sub : List.of(SPIFFE_ID, "spiffe://" + TD + "/ns/prod/*")) {
            ObjectNode bind = Http.JSON.createObjectNode().put("clientId", "would-be-ledger")
                    .put("clientAuthenticatorType", "spiffe-jwt-svid");
            bind.putObject("attributes").put("jwt.credential.sub", sub);
            Http.Response r = Dcr.put(self, bind, token);
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.json().path("error").asText()).isEqualTo("invalid_client_metadata");
            assertThat(r.json().path("error_description").asText()).contains("attested");
        }
        JsonNode c = admin.getJson("/realms/" + realm + "/clients?clientId=would-be-ledger").get(0);
        assertThat(c.path("clientAuthenticatorType").asText()).isEqualTo("client-secret");
        assertThat(c.path("attributes").path("jwt.credential.sub").asText("")).isEmpty();
        assertStillBound();
    }

    @Test
    void dcrm06_updateWithoutItsRegistrationAccessTokenLearnsNothingOfTheClient() {
        // The token is checked before the body: no client_secret oracle, no SPIFFE ID in refusals.
        JsonNode holder = registerUnbound("secret-holder");
        for (String target : List.of("secret-holder", clientId, "no-such-client")) {
            ObjectNode guess = Http.JSON.createObjectNode().put("client_id", target).put("client_secret", "guess-1")
                    .put("token_endpoint_auth_method", "client_secret_basic");
            for (String token : new String[] {null, "not-a-token", rat}) {
                if (target.equals(clientId) && token == rat) {
                    continue; // its own token
                }
                Http.Response r = Dcr.put(URI.create(endpoint + "/" + target), guess, token);
                String what = target + " with " + (token == null ? "no token" : token == rat ? "another client's token" : "a bad token");
                assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(401);
                assertThat(r.body()).as(what).doesNotContain("client_secret").doesNotContain(SPIFFE_ID);
            }
        }
        // With its own token, the caller may be told its secret is not the client's.
        ObjectNode own = Http.JSON.createObjectNode().put("client_id", "secret-holder").put("client_secret", "guess-1")
                .put("token_endpoint_auth_method", "client_secret_basic");
        Http.Response r = Dcr.put(URI.create(endpoint + "/secret-holder"), own, holder.path("registrationAccessToken").asText());
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("error_description").asText()).contains("client_secret does not match");
    }

    @Test
    void aSpiffeTrustDomainInstallsTheBindingPolicy() {
        String other = admin.createRealm("dcr-binding-td");
        try {
            Dcr.addComponent(admin, other, "org.keycloak.services.ui.extend.UiPageProvider", "spiffe-trust-domain", Map.of(
                    "trustDomain", List.of(TD), "bundleSource", List.of("static"),
                    "staticBundle", List.of(Dcr.spiffeBundle(spiffeKey))));
            List<String> sets = java.util.stream.StreamSupport.stream(admin.getJson("/realms/" + other + "/components?type="
                            + Dcr.POLICY_TYPE).spliterator(), false)
                    .filter(c -> "wi-spiffe-binding".equals(c.path("providerId").asText()))
                    .map(c -> c.path("subType").asText()).sorted().toList();
            assertThat(sets).containsExactly("anonymous", "authenticated");
        } finally {
            admin.deleteRealm(other);
        }
    }

    @Test
    void dcr04_attestedRegistrationNeverYieldsAUserFacingFlow() {
        // Keycloak's converter reads both as "standard flow on"; the pack turns every user flow off.
        Map<String, ObjectNode> shapes = new java.util.LinkedHashMap<>();
        ObjectNode noGrants = Http.JSON.createObjectNode().put("client_name", "no grants");
        noGrants.putArray("grant_types");
        shapes.put("billing", noGrants);
        ObjectNode noneResponse = Http.JSON.createObjectNode().put("client_name", "none response");
        noneResponse.putArray("grant_types").add("client_credentials");
        noneResponse.putArray("response_types").add("none");
        shapes.put("audit", noneResponse);
        for (Map.Entry<String, ObjectNode> shape : shapes.entrySet()) {
            String spiffeId = "spiffe://" + TD + "/ns/prod/sa/" + shape.getKey();
            Http.Response created = Dcr.post(endpoint, shape.getValue(), Dcr.jwtSvid(spiffeKey, spiffeId, endpoint.toString()));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String id = created.json().get("client_id").asText();
            assertWorkloadOnly(id, "created as " + shape.getValue());

            // An update through the pack's endpoint with the same metadata keeps it so.
            ObjectNode again = shape.getValue().deepCopy().put("client_id", id);
            Http.Response updated = Dcr.put(URI.create(endpoint + "/" + id), again,
                    created.json().get("registration_access_token").asText());
            assertThat(updated.status()).as(updated.body()).isEqualTo(200);
            assertWorkloadOnly(id, "updated with " + again);
            assertThat(updated.json().path("response_types").toString()).doesNotContain("code");
        }
    }

    private void assertWorkloadOnly(String id, String what) {
        JsonNode c = admin.getJson("/realms/" + realm + "/clients?clientId=" + id).get(0);
        assertThat(c.path("standardFlowEnabled").asBoolean()).as(what).isFalse();
        assertThat(c.path("implicitFlowEnabled").asBoolean()).as(what).isFalse();
        assertThat(c.path("directAccessGrantsEnabled").asBoolean()).as(what).isFalse();
        assertThat(c.path("attributes").path("oauth2.device.authorization.grant.enabled").asText("false")).as(what)
                .isEqualTo("false");
    }
}
