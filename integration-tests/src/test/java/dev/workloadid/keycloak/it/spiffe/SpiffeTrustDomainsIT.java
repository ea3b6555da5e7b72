package dev.workloadid.keycloak.it.spiffe;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import dev.workloadid.keycloak.it.fixtures.LoopbackHttpsServer;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertInvalidClient;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertTokenFor;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several trust domains side by side (SCA-60, BND-06, FED-03): two https_web trust domains and a
 * static one in one realm, each trusting only its own keys and fetching only its own bundle; the same
 * trust-domain name in two realms kept apart; static bundles and their updates; deleting a trust
 * domain; and replay protection per trust domain (SCA-10): off on td-one.test, on on td-two.test.
 */
@ExtendWith(KeycloakExtension.class)
class SpiffeTrustDomainsIT {

    private static String realm;
    private static String issuer;
    private static LoopbackHttpsServer server;
    private static SpiffeTestAuthority one;
    private static SpiffeTestAuthority two;
    private static SpiffeTestAuthority fixed;
    private static String fixedComponentId;

    @BeforeAll
    static void setUp(AdminClient admin) {
        server = new LoopbackHttpsServer(TestCa.shared());
        one = new SpiffeTestAuthority("td-one.test").serveOn(server, "bundles.td-one.test", "/td-one/bundle");
        two = new SpiffeTestAuthority("td-two.test").serveOn(server, "bundles.td-two.test", "/td-two/bundle");
        fixed = new SpiffeTestAuthority("td-static.test");

        realm = admin.createRealm("spiffe-tds");
        issuer = admin.realmUrl(realm).toString();
        Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.httpsWeb(one));
        Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.httpsWeb(two).replayProtection(true));
        fixedComponentId = Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.staticBundle(fixed));

        Spiffe.createSpiffeClient(admin, realm, "svc-one", one.spiffeId("/svc"));
        Spiffe.createSpiffeClient(admin, realm, "svc-two", two.spiffeId("/svc"));
        Spiffe.createSpiffeClient(admin, realm, "svc-static", fixed.spiffeId("/svc"));
    }

    @AfterAll
    static void tearDown(AdminClient admin) {
        Spiffe.cleanUp(admin, realm, server);
    }

    private static String svid(SpiffeTestAuthority authority) {
        return authority.svid("/svc").audience(issuer).sign();
    }

    @Test
    void sca60_eachTrustDomainAcceptsItsOwnSvids(AdminClient admin) {
        assertTokenFor(token(admin, realm, svid(one)), "svc-one");
        assertTokenFor(token(admin, realm, two.svid("/svc").audience(issuer).randomJti().sign()), "svc-two");
        assertTokenFor(token(admin, realm, svid(fixed)), "svc-static");
    }

    @Test
    void sca06_keysAreNotSharedBetweenTrustDomainsOfOneRealm(AdminClient admin) {
        assertInvalidClient(token(admin, realm, one.svid("/svc").audience(issuer).signedBy(two).sign()));
        assertInvalidClient(token(admin, realm, one.svid("/svc").audience(issuer).signedBy(two).withoutKid().sign()));
        assertInvalidClient(token(admin, realm, two.svid("/svc").audience(issuer).randomJti().signedBy(one).sign()));
        assertInvalidClient(token(admin, realm, fixed.svid("/svc").audience(issuer).signedBy(one).sign()));
        assertInvalidClient(token(admin, realm, one.svid("/svc").audience(issuer).signedBy(fixed).sign()));
    }

    @Test
    void bnd06_validatingOneTrustDomainNeverFetchesAnothersBundle(AdminClient admin) {
        assertTokenFor(token(admin, realm, svid(one)), "svc-one");
        assertTokenFor(token(admin, realm, two.svid("/svc").audience(issuer).randomJti().sign()), "svc-two");
        int twoBefore = two.fetches();
        for (int i = 0; i < 5; i++) {
            assertTokenFor(token(admin, realm, svid(one)), "svc-one");
            // Also a td-one.test SVID signed with a td-two.test key (kid included): still not td-two's business.
            assertInvalidClient(token(admin, realm, one.svid("/svc").audience(issuer).signedBy(two).sign()));
        }
        assertThat(two.fetches()).as("td-two.test bundle fetches caused by td-one.test SVIDs").isEqualTo(twoBefore);
    }

    @Test
    void static_bundleSourceNeedsNoEndpointAndAnAdminUpdateIsUsed(AdminClient admin) {
        assertTokenFor(token(admin, realm, svid(fixed)), "svc-static");
        String oldKeySvid = svid(fixed);

        fixed.rotate();
        Spiffe.updateTrustDomain(admin, realm, fixedComponentId, Spiffe.TrustDomainConfig.staticBundle(fixed));
        // The new static bundle applies right away (an admin change, not a refresh interval) ...
        Http.Response newKey = Spiffe.poll(Duration.ofSeconds(5), Duration.ofMillis(250),
                () -> token(admin, realm, svid(fixed)), r -> r.status() == 200, "the updated static bundle");
        assertTokenFor(newKey, "svc-static");
        // ... and the replaced key is no longer trusted.
        assertInvalidClient(token(admin, realm, oldKeySvid));
    }

    @Test
    void sca60_sameTrustDomainNameInAnotherRealmHasItsOwnBundle(AdminClient admin) {
        SpiffeTestAuthority impostor = new SpiffeTestAuthority("td-one.test")
                .serveOn(server, "bundles.td-two.test", "/td-one-other-realm/bundle");
        String otherRealm = admin.createRealm("spiffe-tds-b");
        try {
            String otherIssuer = admin.realmUrl(otherRealm).toString();
            Spiffe.createTrustDomain(admin, otherRealm, Spiffe.TrustDomainConfig.httpsWeb(impostor));
            Spiffe.createSpiffeClient(admin, otherRealm, "svc-one", impostor.spiffeId("/svc"));

            // Warm both realms' caches, then cross the keys over.
            assertTokenFor(token(admin, realm, svid(one)), "svc-one");
            assertTokenFor(token(admin, otherRealm, impostor.svid("/svc").audience(otherIssuer).sign()), "svc-one");
            assertInvalidClient(token(admin, realm, impostor.svid("/svc").audience(issuer).sign()));
            assertInvalidClient(token(admin, otherRealm, one.svid("/svc").audience(otherIssuer).sign()));
        } finally {
            admin.deleteRealm(otherRealm);
        }
    }

    @Test
    void sca63_deletingATrustDomainStopsItsSvids(AdminClient admin) {
        SpiffeTestAuthority temp = new SpiffeTestAuthority("td-temp.test");
        String componentId = Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.staticBundle(temp));
        Spiffe.createSpiffeClient(admin, realm, "svc-temp", temp.spiffeId("/svc"));
        assertTokenFor(token(admin, realm, svid(temp)), "svc-temp");

        AdminClient.expect(admin.delete("/realms/" + realm + "/components/" + componentId), 204);
        Http.Response after = Spiffe.poll(Duration.ofSeconds(5), Duration.ofMillis(250),
                () -> token(admin, realm, svid(temp)), r -> r.status() != 200, "SVIDs of the deleted trust domain to fail");
        assertInvalidClient(after);
        // The other trust domains are unaffected.
        assertTokenFor(token(admin, realm, svid(one)), "svc-one");
    }

    @Test
    void aDisabledSpiffeExecutionStaysDisabledWhenATrustDomainIsSaved(AdminClient admin) {
        // Its own realm: the shared one needs its JWT-SVID execution enabled.
        String own = admin.createRealm("spiffe-tds-flow");
        try {
            SpiffeTestAuthority temp = new SpiffeTestAuthority("td-flow.test");
            String componentId = Spiffe.createTrustDomain(admin, own, Spiffe.TrustDomainConfig.staticBundle(temp));
            ObjectNode execution = (ObjectNode) Spiffe.clientFlowExecutions(admin, own, Spiffe.AUTHENTICATOR).get(0);
            execution.put("requirement", "DISABLED");
            assertThat(admin.put(Spiffe.clientFlowExecutionsPath(admin, own), execution).status()).isIn(202, 204);

            Spiffe.updateTrustDomain(admin, own, componentId,
                    Spiffe.TrustDomainConfig.staticBundle(temp).set("clockSkewSeconds", "10"));

            assertThat(Spiffe.clientFlowExecutions(admin, own, Spiffe.AUTHENTICATOR))
                    .as("the administrator's DISABLED execution, not re-enabled and not joined by a new one")
                    .singleElement().satisfies(e -> assertThat(e.path("requirement").asText()).isEqualTo("DISABLED"));
        } finally {
            admin.deleteRealm(own);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Saving trust domains: what is refused (HTTP 400), and a duplicate that got in anyway (BND-07)

    @Test
    void settingsTheRuntimeWouldRefuseAreRefusedOnSave(AdminClient admin) {
        SpiffeTestAuthority temp = new SpiffeTestAuthority("td-limits.test");
        String realmId = Spiffe.realmId(admin, realm);
        String[][] refused = {
                {"clockSkewSeconds", "301"},
                {"maxSvidLifetimeSeconds", "86401"},
                {"maxStalenessSeconds", "2592001"},
                {"refreshHintFloorSeconds", "9223372036854775807"},
                {"refreshHintCeilingSeconds", "99999999999999999999"}};
        for (String[] setting : refused) {
            Http.Response r = admin.post("/realms/" + realm + "/components",
                    Spiffe.TrustDomainConfig.staticBundle(temp).set(setting[0], setting[1]).toComponent(realmId));
            assertThat(r.status()).as("%s=%s: %s", setting[0], setting[1], r).isEqualTo(400);
            assertThat(r.body()).as("the message names the setting").contains(setting[0]);
        }
        // An update is checked the same way, and the stored entry stays as it was.
        ObjectNode update = Spiffe.TrustDomainConfig.staticBundle(fixed).set("clockSkewSeconds", "3600")
                .toComponent(realmId).put("id", fixedComponentId);
        Http.Response r = admin.put("/realms/" + realm + "/components/" + fixedComponentId, update);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertTokenFor(token(admin, realm, svid(fixed)), "svc-static");
    }

    @Test
    void bnd07_aDuplicateTrustDomainIsRefusedHoweverEitherIsSpelled(AdminClient admin) {
        SpiffeTestAuthority spelled = new SpiffeTestAuthority("td-spelled.test");
        String realmId = Spiffe.realmId(admin, realm);
        String stored = Spiffe.createTrustDomain(admin, realm,
                Spiffe.TrustDomainConfig.staticBundle(spelled).set("trustDomain", "spiffe://TD-Spelled.test"));
        try {
            for (String spelling : new String[] {"td-spelled.test", "spiffe://td-spelled.test", " TD-SPELLED.test "}) {
                ObjectNode component = Spiffe.TrustDomainConfig.staticBundle(spelled).set("trustDomain", spelling)
                        .toComponent(realmId);
                Http.Response r = admin.post("/realms/" + realm + "/components", component);
                assertThat(r.status()).as("%s: %s", spelling, r).isEqualTo(400);
                assertThat(r.body()).contains("already configured");
            }
        } finally {
            AdminClient.expect(admin.delete("/realms/" + realm + "/components/" + stored), 204);
        }
    }

    @Test
    void bnd07_aRealmImportNamingATrustDomainTwiceIsRefused(AdminClient admin) {
        // Import runs the same check entry by entry. (Should a duplicate get in some other way, e.g.
        // two saves at the same moment, the lookup refuses that trust domain: see the unit tests.)
        SpiffeTestAuthority dup = new SpiffeTestAuthority("td-dup.test");
        String name = "spiffe-tds-dup-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode representation = Http.JSON.createObjectNode().put("realm", name).put("enabled", true);
        ArrayNode entries = representation.putObject("components").putArray(Spiffe.TRUST_DOMAIN_PROVIDER_TYPE);
        for (String spelling : new String[] {"spiffe://TD-DUP.test", "td-dup.test"}) {
            ObjectNode entry = Spiffe.TrustDomainConfig.staticBundle(dup).set("trustDomain", spelling).toComponent(null);
            entry.remove(List.of("providerType", "parentId"));
            entries.add(entry);
        }
        try {
            Http.Response imported = admin.post("/realms", representation);
            // Keycloak answers a component refused during realm import with 500, whatever the provider.
            assertThat(imported.status()).as(imported.toString()).isNotEqualTo(201);
            assertThat(admin.get("/realms/" + name).status()).as("the realm was not created").isEqualTo(404);
        } finally {
            admin.deleteRealm(name);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Replay protection (SCA-10, JSV-09)

    @Test
    void sca10_replayProtectionIsOffByDefault(AdminClient admin) {
        String withJti = one.svid("/svc").audience(issuer).randomJti().sign();
        assertTokenFor(token(admin, realm, withJti), "svc-one");
        assertTokenFor(token(admin, realm, withJti), "svc-one");
        String withoutJti = one.svid("/svc").audience(issuer).withoutJti().sign();
        assertTokenFor(token(admin, realm, withoutJti), "svc-one");
        assertTokenFor(token(admin, realm, withoutJti), "svc-one");
    }

    @Test
    void sca10_replayProtectionRejectsTheSecondUseOfAJti(AdminClient admin) {
        String svid = two.svid("/svc").audience(issuer).randomJti().sign();
        assertTokenFor(token(admin, realm, svid), "svc-two");
        assertInvalidClient(token(admin, realm, svid), "replay", "jti", "already", "used");
        assertInvalidClient(token(admin, realm, svid, "svc-two"), "replay", "jti", "already", "used");
    }

    @Test
    void sca10_replayProtectionRejectsAReusedJtiInADifferentToken(AdminClient admin) {
        // Single use is about the jti, not the exact token bytes.
        String jti = UUID.randomUUID().toString();
        assertTokenFor(token(admin, realm, two.svid("/svc").audience(issuer).jti(jti).sign()), "svc-two");
        assertInvalidClient(token(admin, realm, two.svid("/svc").audience(issuer).jti(jti)
                .alg(JWSAlgorithm.ES256).sign()), "replay", "jti", "already", "used");
    }

    @Test
    void sca10_replayProtectionRequiresAJti(AdminClient admin) {
        assertInvalidClient(token(admin, realm, two.svid("/svc").audience(issuer).withoutJti().sign()), "jti");
    }

    @Test
    void sca10_replayProtectionAcceptsDistinctJtis(AdminClient admin) {
        for (int i = 0; i < 3; i++) {
            assertTokenFor(token(admin, realm, two.svid("/svc").audience(issuer).randomJti().sign()), "svc-two");
        }
    }

    @Test
    void sca10_aRejectedSvidDoesNotBurnItsJtiForItsRealOwner(AdminClient admin) {
        // An SVID that fails validation (wrong audience) must not consume the jti: otherwise anyone
        // who sees a jti could lock its owner out.
        String jti = UUID.randomUUID().toString();
        assertInvalidClient(token(admin, realm, two.svid("/svc").audience(issuer + "/x").jti(jti).sign()));
        assertInvalidClient(token(admin, realm, two.svid("/svc").audience(issuer).jti(jti).signedBy(one).sign()));
        assertTokenFor(token(admin, realm, two.svid("/svc").audience(issuer).jti(jti).sign()), "svc-two");
    }
}
