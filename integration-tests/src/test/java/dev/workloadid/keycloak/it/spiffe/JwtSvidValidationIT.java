package dev.workloadid.keycloak.it.spiffe;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.fixtures.JwtSvidBuilder;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertInvalidClient;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertTokenFor;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JWT-SVID itself (JSV-*, SCA-01..06, SCA-63): algorithms, header, serialization, claims, times,
 * audience, keys of the right trust domain only, and the assertion type.
 *
 * <p>The realm trusts two trust domains: {@code jsv.test} (https_web; max SVID lifetime 120 s,
 * clock skew 5 s) and {@code jsv-other.test} (static bundle), so "signed by another trust domain's
 * key" uses a key the realm really trusts, only not for that trust domain.
 */
@ExtendWith(KeycloakExtension.class)
class JwtSvidValidationIT {

    private static final String TD = "jsv.test";
    private static final String WORKLOAD = "spiffe://" + TD + "/workload";
    private static final String CLIENT = "svc-jsv";

    private static String realm;
    private static String issuer;
    private static LoopbackHttpsServer server;
    private static SpiffeTestAuthority authority;
    private static SpiffeTestAuthority other;
    private static SpiffeTestAuthority unknown;
    private static RSAKey sigUseKey;
    private static RSAKey noUseKey;
    private static RSAKey privateKeyJwtKey;

    @BeforeAll
    static void setUp(AdminClient admin) throws Exception {
        server = new LoopbackHttpsServer(TestCa.shared());
        authority = new SpiffeTestAuthority(TD).serveOn(server, "bundles.td-one.test", "/jsv/bundle");
        sigUseKey = authority.publishNonJwtSvidKey("sig");
        noUseKey = authority.publishNonJwtSvidKey(null);
        other = new SpiffeTestAuthority("jsv-other.test");
        unknown = new SpiffeTestAuthority("jsv-unknown.test").serveOn(server, "bundles.td-two.test", "/jsv-unknown/bundle");

        realm = admin.createRealm("spiffe-jsv");
        issuer = admin.realmUrl(realm).toString();
        Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.httpsWeb(authority)
                .set("maxSvidLifetimeSeconds", "120")
                .set("clockSkewSeconds", "5"));
        Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.staticBundle(other));

        Spiffe.createSpiffeClient(admin, realm, CLIENT, WORKLOAD);
        Spiffe.createSpiffeClient(admin, realm, "svc-jsv-other", other.spiffeId("/workload"));
        // A registered client for a SPIFFE ID of a trust domain the realm does not know (SCA-63).
        Spiffe.createSpiffeClient(admin, realm, "svc-unknown-td", unknown.spiffeId("/workload"));

        // use=sig: Keycloak only takes signing keys from a client's JWKS.
        privateKeyJwtKey = new RSAKeyGenerator(2048).keyID("pkj-1").keyUse(KeyUse.SIGNATURE).generate();
        ObjectNode jwtClient = Http.JSON.createObjectNode()
                .put("clientId", "jwt-client").put("publicClient", false)
                .put("clientAuthenticatorType", "client-jwt")
                .put("serviceAccountsEnabled", true).put("standardFlowEnabled", false);
        jwtClient.putObject("attributes")
                .put("use.jwks.string", "true")
                .put("jwks.string", new JWKSet(privateKeyJwtKey.toPublicJWK()).toString());
        admin.createClient(realm, jwtClient);
        admin.createClient(realm, TestClients.secretClient("secret-client", "s3cret"));
        Spiffe.enableEvents(admin, realm);
    }

    @AfterAll
    static void tearDown(AdminClient admin) {
        Spiffe.cleanUp(admin, realm, server);
    }

    private static JwtSvidBuilder svid() {
        return authority.svid(WORKLOAD).audience(issuer);
    }

    private static Http.Response send(AdminClient admin, String assertion) {
        return token(admin, realm, assertion);
    }

    // ---------------------------------------------------------------------------------------------
    // Happy path, algorithms (JSV-03)

    static List<String> algorithms() {
        return SpiffeTestAuthority.JWT_SVID_ALGORITHMS.stream().map(JWSAlgorithm::getName).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("algorithms")
    void jsv03_everyJwtSvidAlgorithmIsAccepted(String alg, AdminClient admin) {
        assertTokenFor(send(admin, svid().alg(JWSAlgorithm.parse(alg)).sign()), CLIENT);
    }

    @Test
    void jsv03_hs256WithARandomSecretIsRejected(AdminClient admin) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        assertInvalidClient(send(admin, svid().hmac(JWSAlgorithm.HS256, secret)), "alg");
    }

    @Test
    void jsv03_hs256KeyedWithThePublicKeyIsRejected(AdminClient admin) {
        assertInvalidClient(send(admin, svid().hmacWithPublicKeyAsSecret()), "alg");
    }

    @Test
    void jsv03_algNoneIsRejected(AdminClient admin) {
        assertInvalidClient(send(admin, svid().unsecured()), "alg", "unsecured", "none");
        assertInvalidClient(send(admin, svid().withoutKid().unsecured()), "alg", "unsecured", "none");
    }

    @ParameterizedTest
    @ValueSource(strings = {"EdDSA", "HS512", "RS1", "ES256K", "none", "NONE", ""})
    void jsv03_otherAlgorithmsAreRejected(String alg, AdminClient admin) {
        assertInvalidClient(send(admin, svid().forgedAlg(alg)));
    }

    // ---------------------------------------------------------------------------------------------
    // Header: typ (JSV-05), kid (JSV-04)

    @Test
    void jsv05_typAbsentJwtOrJoseIsAccepted(AdminClient admin) {
        assertTokenFor(send(admin, svid().withoutTyp().sign()), CLIENT);
        assertTokenFor(send(admin, svid().typ("JWT").sign()), CLIENT);
        assertTokenFor(send(admin, svid().typ("JOSE").sign()), CLIENT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"at+jwt", "client-authentication+jwt", "JWS", "application/jwt+json", "wit+jwt"})
    void jsv05_otherTypIsRejected(String typ, AdminClient admin) {
        assertInvalidClient(send(admin, svid().typ(typ).sign()), "typ");
    }

    @Test
    void jsv04_svidWithoutKidVerifiesAgainstTheTrustDomainKeys(AdminClient admin) {
        assertTokenFor(send(admin, svid().withoutKid().sign()), CLIENT);
        assertTokenFor(send(admin, svid().alg(JWSAlgorithm.ES384).withoutKid().sign()), CLIENT);
    }

    @Test
    void jsv04_unknownKidIsRejected(AdminClient admin) {
        assertInvalidClient(send(admin, svid().kid("no-such-kid-" + UUID.randomUUID()).sign()), "kid", "key");
    }

    @Test
    void jsv10_bundleKeysWithoutJwtSvidUseAreNotTrusted(AdminClient admin) {
        assertInvalidClient(send(admin, svid().signingKey(sigUseKey).sign()));
        assertInvalidClient(send(admin, svid().signingKey(noUseKey).sign()));
        assertInvalidClient(send(admin, svid().signingKey(sigUseKey).withoutKid().sign()));
    }

    // ---------------------------------------------------------------------------------------------
    // Serialization (JSV-01, SCA-02) and junk: invalid_client, never 5xx

    @Test
    void jsv01_jwsJsonSerializationIsRejected(AdminClient admin) {
        assertInvalidClient(send(admin, svid().signJsonSerialization()));
        assertInvalidClient(send(admin, svid().signFlattenedJsonSerialization()));
    }

    @Test
    void sca02_twoJwtSvidsInOneAssertionAreRejected(AdminClient admin) {
        String a = svid().sign();
        String b = svid().sign();
        assertInvalidClient(send(admin, a + " " + b));
        assertInvalidClient(send(admin, a + "," + b));
        assertInvalidClient(send(admin, a + "." + b));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "abc", "a.b.c", "a.b", "{}", "[]", "eyJhbGciOiJSUzI1NiJ9..", "eyJ9.eyJ9.eyJ9",
            "....", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOjF9.AAAA"})
    void sca02_malformedAssertionIsInvalidClientNever5xx(String assertion, AdminClient admin) {
        assertInvalidClient(send(admin, assertion));
    }

    @Test
    void sca02_oversizedAssertionIsInvalidClientNever5xx(AdminClient admin) {
        // Over the authenticator's own cap (a JWT-SVID is normally under 2 KiB). Whoever refuses it
        // (the authenticator or the HTTP layer's form limits), it is a 4xx and never a token or a 5xx.
        String huge = svid().claim("padding", "x".repeat(40_000)).sign();
        Http.Response response = send(admin, huge);
        assertThat(response.status()).as(response.toString()).isBetween(400, 499);
        if (response.status() == 400 || response.status() == 401) {
            assertInvalidClient(response);
        }
    }

    @Test
    void sca02_jweIsRejected(AdminClient admin) {
        // A five-part compact serialization (JWE shape) is never a JWT-SVID.
        assertInvalidClient(send(admin, "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.AAAA.AAAA.AAAA.AAAA"));
    }

    // ---------------------------------------------------------------------------------------------
    // Required claims (SCA-03, JSV-06..08)

    @Test
    void sca03_missingSubIsRejected(AdminClient admin) {
        assertInvalidClient(send(admin, svid().withoutSubject().sign()), "sub");
    }

    @Test
    void sca03_missingAudIsRejected(AdminClient admin) {
        assertInvalidClient(send(admin, svid().withoutAudience().sign()), "aud");
    }

    @Test
    void sca03_missingExpIsRejected(AdminClient admin) {
        assertInvalidClient(send(admin, svid().withoutExpiry().sign()), "exp");
    }

    @ParameterizedTest
    @ValueSource(strings = {"svc-jsv", "https://jsv.test/workload", "spiffe://jsv.test", "spiffe://jsv.test/",
            "spiffe://jsv.test/workload/", "spiffe://jsv.test/workload?x=1", "spiffe://jsv.test/workload#f",
            "spiffe://jsv.test//workload", "spiffe://jsv.test/./workload", "spiffe://jsv.test/%77orkload",
            "spiffe://user@jsv.test/workload", "spiffe://jsv.test:443/workload"})
    void jsv06_subThatIsNotAWorkloadSpiffeIdIsRejected(String sub, AdminClient admin) {
        assertInvalidClient(send(admin, svid().subject(sub).sign()));
    }

    @Test
    void jsv06_nonStringSubIsRejected(AdminClient admin) {
        assertInvalidClient(send(admin, svid().claim("sub", 42).sign()));
        assertInvalidClient(send(admin, svid().claim("sub", List.of(WORKLOAD)).sign()));
    }

    @Test
    void sca03_iatIsOptional(AdminClient admin) {
        assertTokenFor(send(admin, svid().withoutIssuedAt().sign()), CLIENT);
    }

    @Test
    void sca09_issIsNeitherRequiredNorUsed(AdminClient admin) {
        assertTokenFor(send(admin, svid().sign()), CLIENT);
        assertTokenFor(send(admin, svid().claim("iss", "https://attacker.example/").sign()), CLIENT);
    }

    // ---------------------------------------------------------------------------------------------
    // Times (SCA-04, JSV-08) and the lifetime cap counted from now

    @Test
    void sca04_expiredSvidIsRejected(AdminClient admin) {
        assertInvalidClient(send(admin, svid().issuedAt(Instant.now().minusSeconds(300))
                .expiresAt(Instant.now().minusSeconds(120)).sign()), "exp");
        // Beyond the configured 5 s clock skew.
        assertInvalidClient(send(admin, svid().expiresAt(Instant.now().minusSeconds(30)).sign()), "exp");
    }

    @Test
    void sca04_expJustPastWithinClockSkewIsAccepted(AdminClient admin) {
        assertTokenFor(send(admin, svid().expiresAt(Instant.now().minusSeconds(1)).sign()), CLIENT);
    }

    @Test
    void jsv08_nonNumericExpIsRejected(AdminClient admin) {
        assertInvalidClient(send(admin, svid().claim("exp", "tomorrow").sign()));
    }

    @Test
    void jsv08_iatOrNbfInTheFutureIsRejected(AdminClient admin) {
        assertInvalidClient(send(admin, svid().issuedAt(Instant.now().plusSeconds(60)).sign()));
        assertInvalidClient(send(admin, svid().notBefore(Instant.now().plusSeconds(60)).sign()));
    }

    @Test
    void lifetime_expBeyondTheCapCountedFromNowIsRejected(AdminClient admin) {
        // Stock Keycloak counts from iat; a fresh iat with exp an hour away must still fail.
        assertInvalidClient(send(admin, svid().issuedAt(Instant.now()).expiresIn(Duration.ofHours(1)).sign()),
                "exp", "lifetime");
        assertInvalidClient(send(admin, svid().expiresIn(Duration.ofSeconds(200)).sign()), "exp", "lifetime");
    }

    @Test
    void lifetime_withinTheCapIsAccepted(AdminClient admin) {
        assertTokenFor(send(admin, svid().expiresIn(Duration.ofSeconds(100)).sign()), CLIENT);
    }

    @Test
    void lifetime_isCountedFromNowNotFromIat(AdminClient admin) {
        // iat an hour ago, exp in 60 s: the token can be used for 60 more seconds, under the 120 s cap.
        assertTokenFor(send(admin, svid().issuedAt(Instant.now().minus(Duration.ofHours(1)))
                .expiresIn(Duration.ofSeconds(60)).sign()), CLIENT);
    }

    // ---------------------------------------------------------------------------------------------
    // Audience (SCA-05, JSV-07)

    @Test
    void sca05_issuerAsSoleAudienceIsAcceptedAsArrayOrString(AdminClient admin) {
        assertTokenFor(send(admin, authority.svid(WORKLOAD).audience(issuer).sign()), CLIENT);
        assertTokenFor(send(admin, authority.svid(WORKLOAD).audienceAsString(issuer).sign()), CLIENT);
    }

    @Test
    void sca05_audienceWithSecondValueIsInvalidClient(AdminClient admin) {
        assertInvalidClient(send(admin, authority.svid(WORKLOAD).audience(issuer, "https://other.example").sign()), "aud");
        assertInvalidClient(send(admin, authority.svid(WORKLOAD).audience(issuer, issuer).sign()), "aud");
    }

    @Test
    void sca05_tokenEndpointAsAudienceIsInvalidClient(AdminClient admin) {
        assertInvalidClient(send(admin, authority.svid(WORKLOAD)
                .audience(admin.tokenEndpoint(realm).toString()).sign()), "aud");
        assertInvalidClient(send(admin, authority.svid(WORKLOAD)
                .audienceAsString(admin.tokenEndpoint(realm).toString()).sign()), "aud");
    }

    @Test
    void sca05_almostTheIssuerIsInvalidClient(AdminClient admin) {
        for (String aud : List.of(issuer + "/", issuer.toUpperCase(), issuer.replace("127.0.0.1", "localhost"),
                issuer.replace("http://", "https://"), admin.realmUrl("master").toString(), "")) {
            assertInvalidClient(send(admin, authority.svid(WORKLOAD).audience(aud).sign()), "aud");
        }
        assertInvalidClient(send(admin, authority.svid(WORKLOAD).audience().sign()), "aud");
    }

    // ---------------------------------------------------------------------------------------------
    // Keys of the SVID's own trust domain only (SCA-06, SID-06), unknown trust domains (SCA-63)

    @Test
    void sca06_signedWithAnotherTrustDomainsKeyIsRejected(AdminClient admin) {
        // Sanity: the other trust domain's own SVIDs work in this realm.
        assertTokenFor(send(admin, other.svid("/workload").audience(issuer).sign()), "svc-jsv-other");
        // Its key (with its own kid) does not sign for jsv.test ...
        assertInvalidClient(send(admin, svid().signedBy(other).sign()));
        // ... nor without a kid, nor under a jsv.test kid.
        assertInvalidClient(send(admin, svid().signedBy(other).withoutKid().sign()));
        assertInvalidClient(send(admin, svid().signedBy(other).kid(authority.kid(JWSAlgorithm.RS256)).sign()));
        // And jsv.test's key does not sign for jsv-other.test.
        assertInvalidClient(send(admin, other.svid("/workload").audience(issuer).signedBy(authority).sign()));
    }

    @Test
    void sca06_kidOfTheRightTrustDomainWithAForeignSignatureIsRejected(AdminClient admin) {
        SpiffeTestAuthority strangers = new SpiffeTestAuthority("stranger.test");
        for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.PS512)) {
            JWK stranger = strangers.signingKey(alg);
            assertInvalidClient(send(admin, svid().alg(alg).signingKey(stranger).kid(authority.kid(alg)).sign()),
                    "signature", "verify", "key");
        }
    }

    @Test
    void sca06_tamperedPayloadIsRejected(AdminClient admin) {
        String good = svid().sign();
        String otherPayload = svid().subject("spiffe://" + TD + "/someone-else").sign().split("\\.")[1];
        String[] parts = good.split("\\.");
        assertInvalidClient(send(admin, parts[0] + "." + otherPayload + "." + parts[2]));
    }

    @Test
    void sca63_unknownTrustDomainIsRejectedWithoutAnyDiscovery(AdminClient admin) {
        int before = unknown.fetches();
        String description = assertInvalidClient(
                send(admin, unknown.svid("/workload").audience(issuer).sign()), "trust domain", "trust-domain", "bundle");
        assertThat(description).contains("jsv-unknown.test");
        // The SVID carries no hint where its bundle lives, and iss must not be used for discovery.
        assertInvalidClient(send(admin, unknown.svid("/workload").audience(issuer)
                .claim("iss", unknown.bundleEndpointUrl().toString())
                .header("jku", unknown.bundleEndpointUrl().toString()).sign()));
        assertThat(unknown.fetches()).as("fetches of the unknown trust domain's endpoint").isEqualTo(before);
    }

    // ---------------------------------------------------------------------------------------------
    // Assertion type (SCA-01)

    @Test
    void sca01_jwtSvidSentAsJwtBearerIsNotAcceptedAsJwtSpiffe(AdminClient admin) {
        for (String clientId : new String[] {null, CLIENT, WORKLOAD}) {
            java.util.Map<String, String> form = Http.form(
                    "grant_type", "client_credentials",
                    "client_assertion_type", Spiffe.JWT_BEARER,
                    "client_assertion", svid().randomJti().sign());
            if (clientId != null) {
                form.put("client_id", clientId);
            }
            Http.Response response = Http.postForm(admin.tokenEndpoint(realm), form);
            assertThat(response.status()).as("jwt-bearer with a JWT-SVID, client_id %s: %s", clientId, response)
                    .isIn(400, 401);
            assertThat(response.json().path("error").asText()).isIn("invalid_client", "unauthorized_client");
        }
    }

    @Test
    void sca01_privateKeyJwtSentAsJwtSpiffeIsRejected(AdminClient admin) throws Exception {
        String assertion = privateKeyJwt();
        assertInvalidClient(token(admin, realm, assertion, null));
        assertInvalidClient(token(admin, realm, assertion, "jwt-client"));
    }

    @Test
    void sca01_stockClientAuthenticationStillWorksInARealmWithATrustDomain(AdminClient admin) throws Exception {
        Http.Response jwt = Http.postForm(admin.tokenEndpoint(realm), Http.form(
                "grant_type", "client_credentials",
                "client_id", "jwt-client",
                "client_assertion_type", Spiffe.JWT_BEARER,
                "client_assertion", privateKeyJwt()));
        assertTokenFor(jwt, "jwt-client");
        Http.Response secret = Http.postForm(admin.tokenEndpoint(realm),
                Http.form("grant_type", "client_credentials"), "secret-client:s3cret");
        assertTokenFor(secret, "secret-client");
    }

    // ---------------------------------------------------------------------------------------------
    // One client authentication method per request (RFC 6749 §2.3)

    private static java.util.Map<String, String> assertionForm(String... more) {
        java.util.Map<String, String> form = Http.form(
                "grant_type", "client_credentials",
                "client_assertion_type", Spiffe.JWT_SPIFFE,
                "client_assertion", svid().sign());
        for (int i = 0; i < more.length; i += 2) {
            form.put(more[i], more[i + 1]);
        }
        return form;
    }

    @Test
    void rfc6749_clientSecretNextToTheJwtSvidIsInvalidClient(AdminClient admin) {
        int before = Spiffe.events(admin, realm, "CLIENT_LOGIN_ERROR").size();
        assertInvalidClient(Http.postForm(admin.tokenEndpoint(realm), assertionForm("client_secret", "anything")),
                "more than one client authentication method");
        assertInvalidClient(Http.postForm(admin.tokenEndpoint(realm),
                assertionForm("client_id", CLIENT, "client_secret", "anything")), "more than one client authentication method");

        JsonNode event = Spiffe.poll(Duration.ofSeconds(10), Duration.ofMillis(250),
                () -> Spiffe.events(admin, realm, "CLIENT_LOGIN_ERROR"), l -> l.size() > before,
                "a CLIENT_LOGIN_ERROR event").get(0);
        assertThat(event.path("details").path("reason").asText()).as("details.reason of %s", event)
                .contains("client_secret");
    }

    @Test
    void rfc6749_realClientSecretNextToAJwtSvidGetsNoToken(AdminClient admin) {
        // Whichever client the request names, two methods are never "the one that worked".
        Http.Response response = Http.postForm(admin.tokenEndpoint(realm),
                assertionForm("client_id", "secret-client", "client_secret", "s3cret"));
        assertThat(response.status()).as(response.toString()).isIn(400, 401);
        assertThat(response.json().path("access_token").isMissingNode()).as(response.toString()).isTrue();
    }

    @Test
    void rfc6749_authorizationHeaderNextToTheJwtSvidIsInvalidClient(AdminClient admin) {
        assertInvalidClient(Http.postForm(admin.tokenEndpoint(realm), assertionForm(), "secret-client:s3cret"),
                "more than one client authentication method");
    }

    @Test
    void sca01_unknownAssertionTypeIsNotTakenAsJwtSpiffe(AdminClient admin) {
        Http.Response response = Http.postForm(admin.tokenEndpoint(realm), Http.form(
                "grant_type", "client_credentials",
                "client_assertion_type", Spiffe.JWT_SPIFFE + "-extra",
                "client_assertion", svid().sign()));
        assertThat(response.status()).as(response.toString()).isIn(400, 401);
    }

    private static String privateKeyJwt() throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(privateKeyJwtKey.getKeyID())
                .type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder().issuer("jwt-client").subject("jwt-client").audience(issuer)
                        .jwtID(UUID.randomUUID().toString()).issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plusSeconds(60))).build());
        jwt.sign(new RSASSASigner(privateKeyJwtKey));
        return jwt.serialize();
    }
}
