package dev.workloadid.keycloak.it.spiffe;

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

import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertInvalidClient;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertTokenFor;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.createSpiffeClient;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.token;

/**
 * Which client a JWT-SVID authenticates as (SCA-07, SCA-51, SCA-P1): exact {@code spiffe.id}, the
 * most specific {@code /*} pattern, ties as a configuration error, and {@code client_id} naming the
 * SPIFFE ID or another client the SPIFFE ID is authorized for.
 */
@ExtendWith(KeycloakExtension.class)
class SpiffeClientAssociationIT {

    private static final String TD = "assoc.test";
    private static final String EXACT_ID = "spiffe://" + TD + "/ns/prod/sa/exact";

    private static String realm;
    private static String issuer;
    private static LoopbackHttpsServer server;
    private static SpiffeTestAuthority authority;

    @BeforeAll
    static void setUp(AdminClient admin) {
        server = new LoopbackHttpsServer(TestCa.shared());
        authority = new SpiffeTestAuthority(TD).serveOn(server, "bundles.td-one.test", "/assoc/bundle");
        realm = admin.createRealm("spiffe-assoc");
        issuer = admin.realmUrl(realm).toString();
        Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.httpsWeb(authority));

        createSpiffeClient(admin, realm, "svc-exact", EXACT_ID);
        createSpiffeClient(admin, realm, "svc-team", "spiffe://" + TD + "/team/*");
        createSpiffeClient(admin, realm, "svc-team-db", "spiffe://" + TD + "/team/db/*");
        createSpiffeClient(admin, realm, "svc-team-db-one", "spiffe://" + TD + "/team/db/one");
        createSpiffeClient(admin, realm, "svc-other", "spiffe://" + TD + "/other");
        createSpiffeClient(admin, realm, "dup-a", "spiffe://" + TD + "/dup/x");
        createSpiffeClient(admin, realm, "dup-b", "spiffe://" + TD + "/dup/x");
        createSpiffeClient(admin, realm, "dupw-a", "spiffe://" + TD + "/dupw/*");
        createSpiffeClient(admin, realm, "dupw-b", "spiffe://" + TD + "/dupw/*");
        admin.createClient(realm, Spiffe.spiffeClient("svc-disabled", "spiffe://" + TD + "/disabled")
                .put("enabled", false));
        admin.createClient(realm, TestClients.secretClient("secret-client", "s3cret"));
    }

    @AfterAll
    static void tearDown(AdminClient admin) {
        Spiffe.cleanUp(admin, realm, server);
    }

    private static String svid(String path) {
        return authority.svid(path).audience(issuer).sign();
    }

    @Test
    void sca07_exactSpiffeIdAuthenticatesItsClient(AdminClient admin) {
        assertTokenFor(token(admin, realm, svid("/ns/prod/sa/exact")), "svc-exact");
    }

    @Test
    void sca51_exactAssociationBeatsPatterns(AdminClient admin) {
        assertTokenFor(token(admin, realm, svid("/team/db/one")), "svc-team-db-one");
    }

    @Test
    void sca51_longestPatternWins(AdminClient admin) {
        assertTokenFor(token(admin, realm, svid("/team/db/two")), "svc-team-db");
        assertTokenFor(token(admin, realm, svid("/team/db/two/deeper")), "svc-team-db");
        assertTokenFor(token(admin, realm, svid("/team/web")), "svc-team");
    }

    @Test
    void sca51_patternMatchesWholePathSegmentsOnly(AdminClient admin) {
        // spiffe://assoc.test/team/* must not match spiffe://assoc.test/teamx
        assertInvalidClient(token(admin, realm, svid("/teamx")));
        assertInvalidClient(token(admin, realm, svid("/team-db/one")));
    }

    @Test
    void sca51_twoClientsWithSameExactSpiffeIdIsAConfigurationError(AdminClient admin) {
        assertInvalidClient(token(admin, realm, svid("/dup/x")), "config", "ambiguous", "more than one");
    }

    @Test
    void sca51_twoClientsWithSamePatternIsAConfigurationError(AdminClient admin) {
        assertInvalidClient(token(admin, realm, svid("/dupw/y")), "config", "ambiguous", "more than one");
    }

    @Test
    void sca07_unregisteredSpiffeIdIsInvalidClient(AdminClient admin) {
        assertInvalidClient(token(admin, realm, svid("/nobody/registered/this")));
    }

    @Test
    void sca07_disabledClientIsRejected(AdminClient admin) {
        Http.Response response = token(admin, realm, svid("/disabled"));
        org.assertj.core.api.Assertions.assertThat(response.status()).as(response.toString()).isIn(400, 401);
        org.assertj.core.api.Assertions.assertThat(response.json().path("error").asText())
                .isIn("invalid_client", "unauthorized_client");
    }

    @Test
    void scaP1_clientIdEqualToTheSpiffeIdIsAccepted(AdminClient admin) {
        assertTokenFor(token(admin, realm, svid("/ns/prod/sa/exact"), EXACT_ID), "svc-exact");
    }

    @Test
    void scaP1_clientIdOfTheAssociatedClientIsAccepted(AdminClient admin) {
        assertTokenFor(token(admin, realm, svid("/ns/prod/sa/exact"), "svc-exact"), "svc-exact");
    }

    @Test
    void scaP1_clientIdNamingAnotherAuthorizedClientSelectsThatClient(AdminClient admin) {
        // team/db/two is covered by svc-team-db (most specific) and svc-team: client_id picks svc-team.
        assertTokenFor(token(admin, realm, svid("/team/db/two"), "svc-team"), "svc-team");
        // With client_id, an exact association's SPIFFE ID may also use a wider pattern's client.
        assertTokenFor(token(admin, realm, svid("/team/db/one"), "svc-team-db"), "svc-team-db");
    }

    @Test
    void scaP1_clientIdNamingAClientTheSpiffeIdIsNotAuthorizedForIsInvalidClient(AdminClient admin) {
        assertInvalidClient(token(admin, realm, svid("/ns/prod/sa/exact"), "svc-other"));
        assertInvalidClient(token(admin, realm, svid("/team/web"), "svc-team-db"));
    }

    @Test
    void scaP1_clientIdNamingANonSpiffeClientIsInvalidClient(AdminClient admin) {
        assertInvalidClient(token(admin, realm, svid("/ns/prod/sa/exact"), "secret-client"));
    }

    @Test
    void scaP1_clientIdNamingAnUnknownClientIsInvalidClient(AdminClient admin) {
        assertInvalidClient(token(admin, realm, svid("/ns/prod/sa/exact"), "no-such-client"));
    }

    @Test
    void scaP1_clientIdThatIsAnotherSpiffeIdIsInvalidClient(AdminClient admin) {
        assertInvalidClient(token(admin, realm, svid("/ns/prod/sa/exact"), "spiffe://" + TD + "/other"));
    }

    @Test
    void scaP1_clientIdDisambiguatesADuplicateAssociationOrFailsCleanly(AdminClient admin) {
        // Two clients claim spiffe://assoc.test/dup/x. Naming one of them is unambiguous; an
        // implementation may still refuse the misconfiguration, but never with a 5xx.
        Http.Response response = token(admin, realm, svid("/dup/x"), "dup-a");
        if (response.status() == 200) {
            assertTokenFor(response, "dup-a");
        } else {
            assertInvalidClient(response);
        }
    }
    // The node remembers associations (association-cache-seconds); a change made through this node
    // must still take effect on the very next request.

    @Test
    void sca51_aMoreSpecificRegistrationTakesOverAtOnce(AdminClient admin) {
        createSpiffeClient(admin, realm, "svc-late-pattern", "spiffe://" + TD + "/late/*");
        assertTokenFor(token(admin, realm, svid("/late/x")), "svc-late-pattern");
        createSpiffeClient(admin, realm, "svc-late-exact", "spiffe://" + TD + "/late/x");
        assertTokenFor(token(admin, realm, svid("/late/x")), "svc-late-exact");
    }

    @Test
    void sca51_rebindingAClientTakesEffectAtOnce(AdminClient admin) {
        String internalId = createSpiffeClient(admin, realm, "svc-rebind", "spiffe://" + TD + "/rebind/x");
        assertTokenFor(token(admin, realm, svid("/rebind/x")), "svc-rebind");

        updateClient(admin, internalId, c -> ((ObjectNode) c.path("attributes"))
                .put("jwt.credential.sub", "spiffe://" + TD + "/rebind/y"));

        assertInvalidClient(token(admin, realm, svid("/rebind/x")));
        assertTokenFor(token(admin, realm, svid("/rebind/y")), "svc-rebind");
    }

    @Test
    void sca07_disablingOrDeletingAClientTakesEffectAtOnce(AdminClient admin) {
        String internalId = createSpiffeClient(admin, realm, "svc-gone", "spiffe://" + TD + "/gone/x");
        assertTokenFor(token(admin, realm, svid("/gone/x")), "svc-gone");

        updateClient(admin, internalId, c -> c.put("enabled", false));
        assertInvalidClient(token(admin, realm, svid("/gone/x")), "disabled");

        AdminClient.expect(admin.delete("/realms/" + realm + "/clients/" + internalId), 204);
        assertInvalidClient(token(admin, realm, svid("/gone/x")), "no client is registered");
    }

    private static void updateClient(AdminClient admin, String internalId, java.util.function.Consumer<ObjectNode> change) {
        ObjectNode client = (ObjectNode) admin.getJson("/realms/" + realm + "/clients/" + internalId);
        change.accept(client);
        AdminClient.expect(admin.put("/realms/" + realm + "/clients/" + internalId, client), 204);
    }
}
