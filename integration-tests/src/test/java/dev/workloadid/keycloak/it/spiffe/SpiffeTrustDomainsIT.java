package dev.workloadid.keycloak.it.spiffe;

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
