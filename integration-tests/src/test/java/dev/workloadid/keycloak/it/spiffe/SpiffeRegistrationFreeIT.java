package dev.workloadid.keycloak.it.spiffe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.fixtures.LoopbackHttpsServer;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.TestClients;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertInvalidClient;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertTokenFor;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.clientsWithClientId;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Registration-free clients: a SPIFFE ID on the trust domain's allow-list gets a client (clientId =
 * the SPIFFE ID) on first use, exactly once even under a burst of concurrent first requests, with
 * the template client's default scopes and service-account roles.
 */
@ExtendWith(KeycloakExtension.class)
class SpiffeRegistrationFreeIT {

    private static final String TD = "regfree.test";
    private static final String TEMPLATE = "spiffe-template";
    private static final String ROLE = "workload-reader";
    private static final String SCOPE = "spiffe-test-scope";

    private static String realm;
    private static String issuer;
    private static LoopbackHttpsServer server;
    private static SpiffeTestAuthority authority;

    @BeforeAll
    static void setUp(AdminClient admin) {
        server = new LoopbackHttpsServer(TestCa.shared());
        authority = new SpiffeTestAuthority(TD).serveOn(server, "bundles.td-one.test", "/regfree/bundle");
        realm = admin.createRealm("spiffe-regfree");
        issuer = admin.realmUrl(realm).toString();

        // Template: a realm role on its service account and a default client scope with a marker claim.
        AdminClient.expect(admin.post("/realms/" + realm + "/roles",
                Http.JSON.createObjectNode().put("name", ROLE)), 201);
        String templateId = admin.createClient(realm, Http.JSON.createObjectNode()
                .put("clientId", TEMPLATE).put("publicClient", false)
                .put("clientAuthenticatorType", "client-secret")
                .put("serviceAccountsEnabled", true).put("standardFlowEnabled", false));
        String saUser = admin.getJson("/realms/" + realm + "/clients/" + templateId + "/service-account-user")
                .get("id").asText();
        JsonNode role = admin.getJson("/realms/" + realm + "/roles/" + ROLE);
        AdminClient.expect(admin.post("/realms/" + realm + "/users/" + saUser + "/role-mappings/realm",
                Http.JSON.createArrayNode().add(role)), 204);
        // Created clients never get full scope: the role reaches tokens through the template's scope
        // mapping, which is copied with it.
        AdminClient.expect(admin.post("/realms/" + realm + "/clients/" + templateId + "/scope-mappings/realm",
                Http.JSON.createArrayNode().add(role)), 204);

        ObjectNode scope = Http.JSON.createObjectNode().put("name", SCOPE).put("protocol", "openid-connect");
        ArrayNode mappers = scope.putArray("protocolMappers");
        ObjectNode mapper = mappers.addObject().put("name", "marker").put("protocol", "openid-connect")
                .put("protocolMapper", "oidc-hardcoded-claim-mapper");
        mapper.putObject("config").put("claim.name", "wi_template_marker").put("claim.value", "from-template")
                .put("jsonType.label", "String").put("access.token.claim", "true")
                .put("id.token.claim", "false").put("userinfo.token.claim", "false");
        Http.Response created = AdminClient.expect(admin.post("/realms/" + realm + "/client-scopes", scope), 201);
        String location = created.header("Location");
        String scopeId = location.substring(location.lastIndexOf('/') + 1);
        AdminClient.expect(admin.put("/realms/" + realm + "/clients/" + templateId
                + "/default-client-scopes/" + scopeId, Http.JSON.createObjectNode()), 204);

        Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.httpsWeb(authority)
                .registrationFree(TEMPLATE, "spiffe://" + TD + "/allowed/*", "spiffe://" + TD + "/exact-one"));

        Spiffe.createSpiffeClient(admin, realm, "svc-registered", "spiffe://" + TD + "/allowed/registered");
        // A client someone else made whose clientId looks like a SPIFFE ID: never to be taken over.
        admin.createClient(realm, TestClients.secretClient("spiffe://" + TD + "/allowed/not-yours", "s3cret"));
    }

    @AfterAll
    static void tearDown(AdminClient admin) {
        Spiffe.cleanUp(admin, realm, server);
    }

    private static String unique(String prefix) {
        return "spiffe://" + TD + prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void regfree_firstUseCreatesTheClientOnceAndReusesIt(AdminClient admin) {
        String id = unique("/allowed/w-");
        assertThat(clientsWithClientId(admin, realm, id)).isEmpty();

        assertTokenFor(token(admin, realm, authority.svid(id).audience(issuer).sign()), id);
        List<JsonNode> clients = clientsWithClientId(admin, realm, id);
        assertThat(clients).hasSize(1);
        JsonNode client = clients.get(0);
        assertThat(client.path("attributes").path("jwt.credential.sub").asText()).isEqualTo(id);
        assertThat(client.path("attributes").path("spiffe.registration").asText()).isEqualTo("registration-free");
        assertThat(client.path("publicClient").asBoolean()).isFalse();
        String internalId = client.path("id").asText();

        assertTokenFor(token(admin, realm, authority.svid(id).audience(issuer).sign()), id);
        assertTokenFor(token(admin, realm, authority.svid(id).audience(issuer).sign(), id), id);
        List<JsonNode> after = clientsWithClientId(admin, realm, id);
        assertThat(after).hasSize(1);
        assertThat(after.get(0).path("id").asText()).as("same client reused").isEqualTo(internalId);
    }

    @Test
    void regfree_concurrentFirstRequestsCreateExactlyOneClient(AdminClient admin) throws Exception {
        String id = unique("/allowed/burst-");
        int n = 12;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch ready = new CountDownLatch(n);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String svid = authority.svid(id).audience(issuer).randomJti().sign();
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return token(admin, realm, svid);
                }));
            }
            ready.await(10, TimeUnit.SECONDS);
            go.countDown();
            List<Http.Response> responses = new ArrayList<>();
            for (Future<Http.Response> f : futures) {
                responses.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(responses).as("no request of the burst may fail with 5xx")
                    .allSatisfy(r -> assertThat(r.status()).as(r.toString()).isLessThan(500));
            assertThat(responses).as("every first request of the burst gets a token")
                    .allSatisfy(r -> assertTokenFor(r, id));
        } finally {
            pool.shutdownNow();
        }
        assertThat(clientsWithClientId(admin, realm, id)).as("clients created for %s", id).hasSize(1);
    }

    @Test
    void regfree_spiffeIdNotOnTheAllowListIsRejectedAndNoClientIsCreated(AdminClient admin) {
        String id = unique("/denied/w-");
        assertInvalidClient(token(admin, realm, authority.svid(id).audience(issuer).sign()));
        assertThat(clientsWithClientId(admin, realm, id)).isEmpty();

        // An exact allow-list entry does not cover its children.
        String child = "spiffe://" + TD + "/exact-one/child";
        assertInvalidClient(token(admin, realm, authority.svid(child).audience(issuer).sign()));
        assertThat(clientsWithClientId(admin, realm, child)).isEmpty();

        // "allowed/*" matches whole segments only.
        String lookalike = unique("/allowedx-");
        assertInvalidClient(token(admin, realm, authority.svid(lookalike).audience(issuer).sign()));
        assertThat(clientsWithClientId(admin, realm, lookalike)).isEmpty();
    }

    @Test
    void regfree_exactAllowListEntryIsAccepted(AdminClient admin) {
        String id = "spiffe://" + TD + "/exact-one";
        assertTokenFor(token(admin, realm, authority.svid(id).audience(issuer).sign()), id);
        assertThat(clientsWithClientId(admin, realm, id)).hasSize(1);
    }

    @Test
    void regfree_rejectedSvidCreatesNoClient(AdminClient admin) {
        String id = unique("/allowed/bad-aud-");
        assertInvalidClient(token(admin, realm, authority.svid(id).audience(issuer + "/other").sign()));
        assertThat(clientsWithClientId(admin, realm, id)).isEmpty();
    }

    @Test
    void regfree_registeredClientTakesPrecedence(AdminClient admin) {
        String id = "spiffe://" + TD + "/allowed/registered";
        assertTokenFor(token(admin, realm, authority.svid(id).audience(issuer).sign()), "svc-registered");
        assertThat(clientsWithClientId(admin, realm, id)).as("no registration-free client next to a registered one")
                .isEmpty();
    }

    @Test
    void regfree_existingNonSpiffeClientWithThatClientIdIsNotTakenOver(AdminClient admin) {
        String id = "spiffe://" + TD + "/allowed/not-yours";
        assertInvalidClient(token(admin, realm, authority.svid(id).audience(issuer).sign()));
        List<JsonNode> clients = clientsWithClientId(admin, realm, id);
        assertThat(clients).hasSize(1);
        assertThat(clients.get(0).path("clientAuthenticatorType").asText()).isEqualTo("client-secret");
        assertThat(clients.get(0).path("attributes").path("jwt.credential.sub").isMissingNode()).isTrue();
    }

    @Test
    void regfree_templateDefaultScopesAndServiceAccountRolesAreCopied(AdminClient admin) {
        String id = unique("/allowed/tpl-");
        JsonNode accessToken = assertTokenFor(token(admin, realm, authority.svid(id).audience(issuer).sign()), id);
        assertThat(accessToken.path("wi_template_marker").asText())
                .as("claim of the template's default client scope %s in %s", SCOPE, accessToken)
                .isEqualTo("from-template");
        List<String> roles = new ArrayList<>();
        accessToken.path("realm_access").path("roles").forEach(r -> roles.add(r.asText()));
        assertThat(roles).as("realm roles of the new client's service account").contains(ROLE);

        String internalId = clientsWithClientId(admin, realm, id).get(0).path("id").asText();
        List<String> scopes = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/clients/" + internalId + "/default-client-scopes")
                .forEach(s -> scopes.add(s.path("name").asText()));
        assertThat(scopes).contains(SCOPE);
        assertThat(clientsWithClientId(admin, realm, id).get(0).path("fullScopeAllowed").asBoolean())
                .as("created clients never inherit full scope").isFalse();
    }

    @Test
    void regfree_theTrustDomainsClientLimitRefusesNewIdsAndKeepsExistingOnes(AdminClient admin) {
        String capped = admin.createRealm("spiffe-regfree-cap");
        try {
            SpiffeTestAuthority capAuthority = new SpiffeTestAuthority("cap.test");
            Spiffe.createTrustDomain(admin, capped, Spiffe.TrustDomainConfig.staticBundle(capAuthority)
                    .registrationFree(null, "spiffe://cap.test/w/*").set("registrationFreeMaxClients", "2"));
            String cappedIssuer = admin.realmUrl(capped).toString();
            String first = "spiffe://cap.test/w/one";
            String second = "spiffe://cap.test/w/two";
            assertTokenFor(token(admin, capped, capAuthority.svid(first).audience(cappedIssuer).sign()), first);
            assertTokenFor(token(admin, capped, capAuthority.svid(second).audience(cappedIssuer).sign()), second);

            String third = "spiffe://cap.test/w/three";
            assertInvalidClient(token(admin, capped, capAuthority.svid(third).audience(cappedIssuer).sign()), "limit of 2");
            assertThat(clientsWithClientId(admin, capped, third)).as("no client beyond the limit").isEmpty();

            assertTokenFor(token(admin, capped, capAuthority.svid(first).audience(cappedIssuer).sign()), first);
        } finally {
            admin.deleteRealm(capped);
        }
    }
}
