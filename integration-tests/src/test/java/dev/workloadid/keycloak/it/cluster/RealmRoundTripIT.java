package dev.workloadid.keycloak.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.workloadid.keycloak.it.cimd.DocumentHost;
import dev.workloadid.keycloak.it.dcr.Dcr;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.DistInstallation;
import dev.workloadid.keycloak.it.harness.HarnessConfig;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import dev.workloadid.keycloak.it.spiffe.Spiffe;
import dev.workloadid.keycloak.it.spiffe.Spiffe.TrustDomainConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every pack setting made over admin REST (a trust domain with registration-free and attested
 * registration, the CIMD settings, a statement issuer, a {@code wi-*} registration policy, SPIFFE
 * bindings by ID and by pattern) and every kind of client the pack makes survive (1) a restart of
 * Keycloak on its kept database (the installation's dev-file H2) and (2) {@code kc.sh export} of the
 * realm on the stopped server, then {@code kc.sh import} into a fresh installation. After each, the
 * realm works the same: JWT-SVID tokens for the registered, pattern, registration-free and attested
 * clients, a new registration-free ID, the URL client's login page, and the software-statement policy
 * refusing an unsigned registration and taking a signed one.
 *
 * <p>The restart also shows the start-up set-up (docs/configuration.md, "Realm files"): a pack policy
 * deleted and the client authentication flow set back to {@code clients} before the stop are back
 * after the start.
 *
 * <p>Starts its own servers from the distribution, so it runs with the dist backend only.
 */
class RealmRoundTripIT {

    private static final String POLICY_TYPE = "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy";
    private static final String PAGE_TYPE = Spiffe.TRUST_DOMAIN_PROVIDER_TYPE;
    private static final String TD = "roundtrip.test";
    private static final String ISS = "https://statements.roundtrip.test";
    private static final String REDIRECT = ClusterRequests.REDIRECT;
    private static final String DOC_PATH = "/roundtrip/app.json";
    /** kc.sh export and import re-augment the distribution first: as long as a server start may take. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(Long.getLong("wi.keycloak.start-timeout-seconds", 600));

    private static HarnessConfig config;
    private static DocumentHost documents;
    private static SpiffeTestAuthority authority;
    private static final ECKey STATEMENT_KEY = Dcr.newKey("stmt-1");
    private static String realm;
    private static String attestedClientId;

    @BeforeAll
    static void setUp() {
        config = HarnessConfig.fromSystemProperties();
        if (!config.dedicatedDistAllowed()) {
            System.out.println("[harness] RealmRoundTripIT skipped: restarts, kc.sh export and import need the dist backend");
        }
        Assumptions.assumeTrue(config.dedicatedDistAllowed(), "restarts, kc.sh export and import need the dist backend");
        documents = new DocumentHost(TestCa.shared(config.workDir()));
        ObjectNode document = Http.JSON.createObjectNode().put("client_id", documents.url(DOC_PATH))
                .put("client_name", "Round trip app");
        document.putArray("redirect_uris").add(REDIRECT);
        document.putArray("grant_types").add("authorization_code");
        documents.slowJson(DOC_PATH, document.toString(), 0);
        authority = new SpiffeTestAuthority(TD);
    }

    @AfterAll
    static void tearDown() {
        if (documents != null) {
            documents.close();
        }
    }

    @Test
    void packSettingsSurviveARestartAndAnExportImportIntoAFreshServer() throws Exception {
        DistInstallation original = DistInstallation.fresh(config, "roundtrip", List.of());
        Map<String, Object> settings;
        Map<String, Object> clients;
        try (KeycloakServer server = original.start()) {
            AdminClient admin = new AdminClient(server);
            configure(admin);
            settings = packSettings(admin);
            clients = packClients(admin);
            assertWorks(admin, "before the restart");

            // What the start-up set-up puts back: a pack policy deleted, the flow binding undone.
            for (JsonNode policy : admin.getJson("/realms/" + realm + "/components?type=" + POLICY_TYPE)) {
                if ("wi-spiffe-binding".equals(policy.path("providerId").asText())
                        && "anonymous".equals(policy.path("subType").asText())) {
                    AdminClient.expect(admin.delete("/realms/" + realm + "/components/" + policy.path("id").asText()), 204);
                }
            }
            AdminClient.expect(admin.put("/realms/" + realm,
                    Http.JSON.createObjectNode().put("clientAuthenticationFlow", "clients")), 204);
            assertThat(packSettings(admin)).isNotEqualTo(settings);
        }

        Instant restart = Instant.now();
        try (KeycloakServer server = original.start()) {
            System.out.printf("[round-trip] restart on the kept database took %d ms%n",
                    Duration.between(restart, Instant.now()).toMillis());
            AdminClient admin = new AdminClient(server);
            assertThat(packSettings(admin)).as("pack settings after the restart (the deleted policy and the flow binding back)")
                    .isEqualTo(settings);
            assertThat(packClients(admin)).as("pack clients after the restart").containsAllEntriesOf(clients);
            assertWorks(admin, "after the restart");
        }

        Path export = original.file(realm + "-realm.json");
        Files.deleteIfExists(export);
        Instant exporting = Instant.now();
        original.run(COMMAND_TIMEOUT, "export", "--realm", realm, "--file", export.toString());
        assertThat(export).exists();
        DistInstallation fresh = DistInstallation.fresh(config, "roundtrip-import", List.of());
        fresh.run(COMMAND_TIMEOUT, "import", "--file", export.toString());
        try (KeycloakServer server = fresh.start()) {
            System.out.printf("[round-trip] export, import into a fresh installation and its start took %d ms%n",
                    Duration.between(exporting, Instant.now()).toMillis());
            AdminClient admin = new AdminClient(server);
            assertThat(packSettings(admin)).as("pack settings after export and import").isEqualTo(settings);
            assertThat(packClients(admin)).as("pack clients after export and import").containsAllEntriesOf(clients);
            assertWorks(admin, "after export and import");
        }
    }

    /** Every pack setting over admin REST, and one client of each kind the pack makes or binds. */
    private static void configure(AdminClient admin) {
        realm = admin.createRealm("roundtrip");
        String issuer = admin.realmUrl(realm).toString();
        Spiffe.createTrustDomain(admin, realm, TrustDomainConfig.staticBundle(authority)
                .replayProtection(true)
                .registrationFree(null, authority.spiffeId("/rf/*"))
                .set("attestedRegistration", "true")
                .set("attestedRegistrationAllowList", authority.spiffeId("/att/*")));
        Dcr.addComponent(admin, realm, PAGE_TYPE, "wi-cimd-settings", Map.of(
                "allowedHosts", List.of(DocumentHost.HOST), "cacheFloorSeconds", List.of("60")));
        Dcr.addComponent(admin, realm, PAGE_TYPE, "dcr-statement-issuer", Map.of(
                "issuer", List.of(ISS), "keySource", List.of("static"), "staticJwks", List.of(Dcr.jwks(STATEMENT_KEY))));
        Dcr.removePolicy(admin, realm, "anonymous", "trusted-hosts");
        Dcr.addPolicy(admin, realm, "anonymous", "wi-software-statement", Map.of("required", List.of("true")));
        Spiffe.createSpiffeClient(admin, realm, "svc-exact", authority.spiffeId("/svc"));
        Spiffe.createSpiffeClient(admin, realm, "svc-pattern", authority.spiffeId("/pattern/*"));

        URI endpoint = Dcr.endpoint(admin, realm);
        Http.Response attested = Dcr.post(endpoint, Http.JSON.createObjectNode().put("client_name", "attested"),
                authority.svid("/att/one").audience(endpoint.toString()).randomJti().sign());
        assertThat(attested.status()).as("attested registration: %s", attested).isEqualTo(201);
        attestedClientId = attested.json().path("client_id").asText();
        Spiffe.assertTokenFor(Spiffe.token(admin, realm, authority.svid("/rf/one").audience(issuer).randomJti().sign()),
                authority.spiffeId("/rf/one"));
        Http.Response login = Http.get(authorize(admin));
        assertThat(login.status()).as("first use of the URL client: %s", login).isEqualTo(200);
    }

    /** What must work the same on every server of the round trip. */
    private static void assertWorks(AdminClient admin, String when) {
        String issuer = admin.realmUrl(realm).toString();
        Spiffe.assertTokenFor(Spiffe.token(admin, realm, authority.svid("/svc").audience(issuer).randomJti().sign()), "svc-exact");
        Spiffe.assertTokenFor(Spiffe.token(admin, realm, authority.svid("/pattern/w1").audience(issuer).randomJti().sign()),
                "svc-pattern");
        Spiffe.assertTokenFor(Spiffe.token(admin, realm, authority.svid("/rf/one").audience(issuer).randomJti().sign()),
                authority.spiffeId("/rf/one"));
        String newId = authority.spiffeId("/rf/" + when.replaceAll("[^a-z]", ""));
        Spiffe.assertTokenFor(Spiffe.token(admin, realm, authority.svid(newId).audience(issuer).randomJti().sign()), newId);
        Spiffe.assertTokenFor(Spiffe.token(admin, realm, authority.svid("/att/one").audience(issuer).randomJti().sign(),
                attestedClientId), attestedClientId);
        // A replayed JWT-SVID is refused: the trust domain's replay protection is in force.
        String once = authority.svid("/svc").audience(issuer).randomJti().sign();
        Spiffe.assertTokenFor(Spiffe.token(admin, realm, once), "svc-exact");
        Spiffe.assertInvalidClient(Spiffe.token(admin, realm, once));

        Http.Response login = Http.get(authorize(admin));
        assertThat(login.status()).as("URL client's login page %s: %s", when, login).isEqualTo(200);
        assertThat(Spiffe.clientsWithClientId(admin, realm, documents.url(DOC_PATH))).as(when).hasSize(1);

        URI endpoint = Dcr.endpoint(admin, realm);
        ObjectNode unsigned = Dcr.metadata(REDIRECT).put("token_endpoint_auth_method", "none");
        Http.Response refused = Dcr.post(endpoint, unsigned, null);
        assertThat(refused.status()).as("registration without a statement %s: %s", when, refused).isEqualTo(400);
        assertThat(refused.json().path("error").asText()).isEqualTo("invalid_client_metadata");
        ObjectNode signed = unsigned.deepCopy().put("software_statement", Dcr.sign(STATEMENT_KEY, Map.of(
                "iss", ISS, "software_id", "roundtrip-app", "client_name", "Signed app")));
        Http.Response accepted = Dcr.post(endpoint, signed, null);
        assertThat(accepted.status()).as("registration with a signed statement %s: %s", when, accepted).isEqualTo(201);
        assertThat(admin.getJson("/realms/" + realm).path("clientAuthenticationFlow").asText()).as(when)
                .isEqualTo("clients with SPIFFE");
    }

    private static URI authorize(AdminClient admin) {
        return ClusterRequests.authorize(admin, realm, documents.url(DOC_PATH));
    }

    /**
     * The pack's realm entries (pages, registration policies, the client lookup component) by type,
     * provider, policy set and name, with their config, plus the realm's client authentication flow
     * and the executions of it. Ids are left out: an import may give new ones.
     */
    private static Map<String, Object> packSettings(AdminClient admin) {
        Map<String, Object> settings = new TreeMap<>();
        for (String type : List.of(PAGE_TYPE, POLICY_TYPE, "org.keycloak.storage.client.ClientStorageProvider")) {
            for (JsonNode c : admin.getJson("/realms/" + realm + "/components?type=" + type)) {
                String key = type.substring(type.lastIndexOf('.') + 1) + " " + c.path("providerId").asText() + " "
                        + c.path("subType").asText("") + " " + c.path("name").asText();
                // Neither the components of one key nor a setting's values keep their order through an import.
                Map<String, TreeSet<String>> values = new TreeMap<>();
                c.path("config").fields().forEachRemaining(f -> {
                    TreeSet<String> v = new TreeSet<>();
                    f.getValue().forEach(x -> v.add(x.asText()));
                    values.put(f.getKey(), v);
                });
                @SuppressWarnings("unchecked")
                TreeSet<String> same = (TreeSet<String>) settings.computeIfAbsent(key, k -> new TreeSet<String>());
                same.add(values.toString());
            }
        }
        String flow = admin.getJson("/realms/" + realm).path("clientAuthenticationFlow").asText();
        settings.put("clientAuthenticationFlow", flow);
        List<String> executions = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/authentication/flows/" + flow.replace(" ", "%20") + "/executions")
                .forEach(e -> executions.add(e.path("providerId").asText() + ":" + e.path("requirement").asText()));
        settings.put("client authentication executions", executions);
        return settings;
    }

    /** The SPIFFE-bound and URL clients with their authenticator and pack attributes, by clientId. */
    private static Map<String, Object> packClients(AdminClient admin) {
        Map<String, Object> clients = new TreeMap<>();
        for (JsonNode c : admin.getJson("/realms/" + realm + "/clients?max=500")) {
            JsonNode attributes = c.path("attributes");
            boolean pack = attributes.has("jwt.credential.sub") || c.path("clientId").asText().startsWith("https://");
            if (!pack) {
                continue;
            }
            Map<String, String> kept = new TreeMap<>();
            attributes.fields().forEachRemaining(a -> {
                // Timestamps of the URL client's last fetch move on with every refresh.
                // Keycloak's import writes its default post-logout redirect ("+") on clients that have none.
                boolean importDefault = a.getKey().equals("post.logout.redirect.uris") && a.getValue().asText().equals("+");
                if (!importDefault && (!a.getKey().startsWith("cimd.") || a.getKey().equals("cimd.managed"))) {
                    kept.put(a.getKey(), a.getValue().asText());
                }
            });
            TreeSet<String> scopes = new TreeSet<>(); // Keycloak keeps no order of a client's scopes
            c.path("defaultClientScopes").forEach(v -> scopes.add(v.asText()));
            clients.put(c.path("clientId").asText(), c.path("clientAuthenticatorType").asText() + " "
                    + c.path("serviceAccountsEnabled").asBoolean() + " " + scopes + " " + kept);
        }
        assertThat(new TreeSet<>(clients.keySet())).as("pack clients").hasSizeGreaterThanOrEqualTo(5);
        return clients;
    }
}
