package dev.workloadid.keycloak.it.cimd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static dev.workloadid.keycloak.it.harness.Http.form;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * URL client_ids end to end against a real Keycloak: every endpoint, the refusal matrix, caching
 * counted at the document host, and concurrent first uses. All traffic stays on 127.0.0.1.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CimdIT {

    static final String REDIRECT = "http://127.0.0.1:48123/cb";
    static final String USER = "alice";
    static final String PASSWORD = "alice-password-1";
    /** Allowed in the realm, but no fixture name: the JDK hosts-file resolver fails it without any DNS query. */
    static final String NXDOMAIN = "nxdomain.docs.test";

    private AdminClient admin;
    private String realm;
    private DocumentHost host;
    private ECKey clientKey;

    @BeforeAll
    void setUp(AdminClient admin) throws Exception {
        this.admin = admin;
        realm = admin.createRealm("cimd");
        CimdRealms.saveEvents(admin, realm);
        CimdRealms.addUser(admin, realm, USER, PASSWORD);

        clientKey = new ECKeyGenerator(Curve.P_256).keyID("k1").keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.ES256).generate();
        host = new DocumentHost(TestCa.shared());
        host.json("/good.json", publicDoc(host.url("/good.json"), "Good MCP Client"))
                // Keys cacheable for an hour: the refresh task leaves them alone while the tests count fetches.
                .versioned("/jwks.json", new DocumentHost.Versioned(new JWKSet(clientKey.toPublicJWK()).toString(), null,
                        "max-age=3600"))
                .versioned("/jwt-client.json", new DocumentHost.Versioned(doc(host.url("/jwt-client.json"), Map.of(
                        "token_endpoint_auth_method", "private_key_jwt",
                        "jwks_uri", host.url("keys.docs.test", "/jwks.json"),
                        "grant_types", List.of("client_credentials"))), null, "max-age=3600"))
                .json("/keys-elsewhere.json", doc(host.url("/keys-elsewhere.json"), Map.of(
                        "token_endpoint_auth_method", "private_key_jwt", "redirect_uris", List.of(REDIRECT),
                        "jwks_uri", host.url("unlisted.docs.test", "/jwks-elsewhere.json"))))
                .json("/keys-denied.json", doc(host.url("/keys-denied.json"), Map.of(
                        "token_endpoint_auth_method", "private_key_jwt", "redirect_uris", List.of(REDIRECT),
                        "jwks_uri", host.url("denied.docs.test", "/jwks-denied.json"))))
                .json("/jwks-elsewhere.json", new JWKSet(clientKey.toPublicJWK()).toString())
                .json("/jwks-denied.json", new JWKSet(clientKey.toPublicJWK()).toString())
                .json("/mismatch.json", publicDoc(host.url("/other.json"), "x"))
                .json("/secret.json", doc(host.url("/secret.json"), Map.of("client_secret", "s3cret",
                        "redirect_uris", List.of(REDIRECT))))
                .json("/basic.json", doc(host.url("/basic.json"), Map.of("token_endpoint_auth_method", "client_secret_basic",
                        "redirect_uris", List.of(REDIRECT))))
                .json("/wildcard.json", doc(host.url("/wildcard.json"), Map.of("redirect_uris", List.of("https://app.test/*"))))
                .json("/unknown-members.json", doc(host.url("/unknown-members.json"), Map.of("redirect_uris", List.of(REDIRECT),
                        "software_statement", "eyJhbGciOiJub25lIn0.e30.", "x_vendor", Map.of("a", 1))))
                .redirect("/redirect.json", host.url("/good.json"))
                .status("/error.json", 500, "application/json", "{}")
                .status("/html.json", 200, "text/html", "<html></html>")
                .json("/big.json", DocumentHost.bytes(6000))
                .slowDrip("/slow.json");
        CimdRealms.configure(admin, realm, Map.of(
                // nxdomain.docs.test is allowed but resolves nowhere (not in the fixtures' hosts file).
                "allowedHosts", List.of("mcp-client.docs.test", "keys.docs.test", "denied.docs.test", NXDOMAIN),
                "deniedHosts", List.of("denied.docs.test"),
                "cacheFloorSeconds", List.of("0"),
                "defaultCacheSeconds", List.of("0"),
                "failureRetrySeconds", List.of("2"),
                // The private_key_jwt workload below uses client_credentials (off by default).
                "allowClientCredentials", List.of("true")));
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

    static String publicDoc(String url, String name) {
        return doc(url, Map.of("client_name", name, "redirect_uris", List.of(REDIRECT),
                "grant_types", List.of("authorization_code", "refresh_token")));
    }

    static String doc(String url, Map<String, Object> members) {
        ObjectNode node = Http.JSON.createObjectNode().put("client_id", url);
        members.forEach((k, v) -> node.set(k, Http.JSON.valueToTree(v)));
        return node.toString();
    }

    private URI endpoint(String path) {
        return admin.realmUrl(realm).resolve("/realms/" + realm + "/protocol/openid-connect/" + path);
    }

    private URI authUrl(String clientId, String challenge) {
        return authUrl(endpoint("auth"), clientId, challenge);
    }

    /** An authorization request (code, S256 PKCE, fresh state) of {@code clientId} to {@code authEndpoint}. */
    static URI authUrl(URI authEndpoint, String clientId, String challenge) {
        return CimdRealms.authUrl(authEndpoint, clientId, REDIRECT, challenge);
    }

    static String challenge(String verifier) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }

    private List<JsonNode> clientsWithId(String clientId) {
        return CimdRealms.clientsWithId(admin, realm, clientId);
    }

    @Test
    void cimd40_discoveryAdvertisesSupport() {
        for (String wk : List.of("openid-configuration", "oauth-authorization-server")) {
            JsonNode metadata = AdminClient.expect(Http.get(admin.realmUrl(realm).resolve("/realms/" + realm + "/.well-known/" + wk)), 200).json();
            assertThat(metadata.path("client_id_metadata_document_supported").asBoolean()).as(wk).isTrue();
            assertThat(metadata.path("code_challenge_methods_supported").toString()).contains("S256");
        }
    }

    @Test
    void authorizationCodeWithPkceConsentAndRefresh() throws Exception {
        String clientId = host.url("/good.json");
        String verifier = "v-" + UUID.randomUUID() + UUID.randomUUID();
        LoginBrowser browser = new LoginBrowser();
        Http.Response login = browser.get(authUrl(clientId, challenge(verifier)));
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        String base = admin.base().toString();
        Http.Response afterLogin = browser.follow(
                browser.post(LoginBrowser.formAction(login), form("username", USER, "password", PASSWORD)), base);
        Http.Response redirect = afterLogin;
        if (afterLogin.status() == 200) {
            // Consent (required by default); the page names the document's host and redirect host.
            assertThat(afterLogin.body()).contains("Good MCP Client").contains("mcp-client.docs.test").contains("127.0.0.1");
            String code = LoginBrowser.consentCode(afterLogin);
            Map<String, String> accept = code == null ? form("accept", "Yes") : form("code", code, "accept", "Yes");
            URI action = URI.create(base).resolve(LoginBrowser.formAction(afterLogin)); // the consent form's action is relative
            redirect = browser.follow(browser.post(action, accept), base);
        }
        assertThat(redirect.status()).as(redirect.body()).isEqualTo(302);
        String location = redirect.header("Location");
        assertThat(location).startsWith(REDIRECT);
        String code = LoginBrowser.param(location, "code");
        assertThat(code).isNotNull();

        Http.Response token = Http.postForm(endpoint("token"), form("grant_type", "authorization_code", "code", code,
                "redirect_uri", REDIRECT, "client_id", clientId, "code_verifier", verifier));
        assertThat(token.status()).as(token.body()).isEqualTo(200);
        assertThat(token.json().path("access_token").asText()).isNotEmpty();
        String refresh = token.json().path("refresh_token").asText();
        assertThat(refresh).isNotEmpty();

        Http.Response refreshed = Http.postForm(endpoint("token"), form("grant_type", "refresh_token",
                "refresh_token", refresh, "client_id", clientId));
        assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);

        // The persisted client: document-managed, public, consent required, exact redirect URI.
        List<JsonNode> clients = clientsWithId(clientId);
        assertThat(clients).hasSize(1);
        JsonNode c = clients.get(0);
        assertThat(c.path("attributes").path("cimd.managed").asText()).isEqualTo("true");
        assertThat(c.path("publicClient").asBoolean()).isTrue();
        assertThat(c.path("consentRequired").asBoolean()).isTrue();
        assertThat(c.path("redirectUris").toString()).isEqualTo("[\"" + REDIRECT + "\"]");
        assertThat(c.path("attributes").path("pkce.code.challenge.method").asText()).isEqualTo("S256");
    }

    @Test
    void cimd20_redirectUriMustMatchExactly() throws Exception {
        String clientId = host.url("/good.json");
        for (String other : List.of(REDIRECT + "/", REDIRECT + "?x=1", "http://127.0.0.1:48123/CB")) {
            URI uri = URI.create(authUrl(clientId, challenge("v")).toString().replace(
                    URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8), URLEncoder.encode(other, StandardCharsets.UTF_8)));
            Http.Response r = new LoginBrowser().get(uri);
            assertThat(r.status()).as(other).isEqualTo(400);
        }
    }

    @Test
    void pushedAuthorizationRequest() throws Exception {
        String clientId = host.url("/unknown-members.json"); // first use of this URL happens at PAR
        Http.Response par = Http.postForm(endpoint("ext/par/request"), form("client_id", clientId, "response_type", "code",
                "redirect_uri", REDIRECT, "scope", "openid", "state", "s", "code_challenge", challenge("verifier-par-0123456789012345678901234567890"),
                "code_challenge_method", "S256"));
        assertThat(par.status()).as(par.body()).isEqualTo(201);
        String requestUri = par.json().path("request_uri").asText();
        LoginBrowser browser = new LoginBrowser();
        Http.Response login = browser.follow(browser.get(URI.create(endpoint("auth") + "?client_id="
                + URLEncoder.encode(clientId, StandardCharsets.UTF_8) + "&request_uri=" + URLEncoder.encode(requestUri, StandardCharsets.UTF_8))),
                admin.base().toString());
        assertThat(login.status()).as(login.header("Location") + " " + login.body()).isEqualTo(200);
        assertThat(LoginBrowser.formAction(login).toString()).contains("login-actions/authenticate");
    }

    @Test
    void clientCredentialsWithPrivateKeyJwtFromJwksUri() throws Exception {
        String clientId = host.url("/jwt-client.json");
        Http.Response token = Http.postForm(endpoint("token"), form("grant_type", "client_credentials",
                "client_id", clientId,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", assertion(clientId, clientKey)));
        assertThat(token.status()).as(token.body()).isEqualTo(200);
        String accessToken = token.json().path("access_token").asText();
        assertThat(host.hits("/jwks.json")).isEqualTo(1);

        // Introspection and revocation authenticate the same client the same way.
        Http.Response introspect = Http.postForm(endpoint("token/introspect"), form("token", accessToken,
                "client_id", clientId,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", assertion(clientId, clientKey)));
        // 200 = the client authenticated; "active" is false because Keycloak 26 only reports tokens whose
        // audience includes the introspecting client, and a client_credentials token is not for itself.
        assertThat(introspect.status()).as(introspect.body()).isEqualTo(200);
        assertThat(introspect.json().has("active")).isTrue();
        Http.Response revoke = Http.postForm(endpoint("revoke"), form("token", accessToken,
                "client_id", clientId,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", assertion(clientId, clientKey)));
        assertThat(revoke.status()).as(revoke.body()).isEqualTo(200);

        // A key that is not in the document's JWKS is refused.
        ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        Http.Response refused = Http.postForm(endpoint("token"), form("grant_type", "client_credentials",
                "client_id", clientId,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", assertion(clientId, stranger)));
        // Keycloak's client-jwt answers a bad signature with 400 (not 401) invalid_client.
        assertThat(refused.status()).as(refused.body()).isBetween(400, 401);
        assertThat(refused.json().path("error").asText()).isEqualTo("invalid_client");
        // A public document client cannot use client_credentials.
        Http.Response publicCc = Http.postForm(endpoint("token"), form("grant_type", "client_credentials",
                "client_id", host.url("/good.json")));
        assertThat(publicCc.status()).isBetween(400, 401);
    }

    private String assertion(String clientId, ECKey key) throws Exception {
        return assertion(clientId, key, admin.realmUrl(realm).toString());
    }

    /** A private_key_jwt client assertion (RFC 7523) for {@code audience}, the realm's issuer. */
    static String assertion(String clientId, ECKey key, String audience) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(clientId).subject(clientId)
                .audience(audience).jwtID(UUID.randomUUID().toString())
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(60))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    /**
     * Each refusal: 401 invalid_client at the token endpoint, a 400 error page at the authorization
     * endpoint, nothing created, and an event whose reason says why. The page and the token
     * endpoint's error_description say nothing of the reason: fetcher detail (host names, what they
     * resolve to, the range a refused address is in) is for administrators only (CIMD-36).
     */
    @Test
    void cimd36_refusalMatrixKeepsTheReasonInTheEventNotThePage() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(host.url("/mismatch.json"), "does not equal");
        cases.put(host.url("/secret.json"), "client_secret");
        cases.put(host.url("/basic.json"), "shared-secret");
        cases.put(host.url("/wildcard.json"), "wildcard");
        cases.put(host.url("/redirect.json"), "redirects are not followed");
        cases.put(host.url("/error.json"), "HTTP 500");
        cases.put(host.url("/html.json"), "content type text/html");
        cases.put(host.url("/big.json"), "larger than");
        cases.put(host.url("/slow.json"), "took longer");
        cases.put(host.url("/missing.json"), "HTTP 404");
        cases.put(host.url("/good.json?x=1"), "must not contain a query");
        cases.put(host.url("/a/../good.json"), ". or ..");
        cases.put(host.url("/good.json#frag"), "must not contain a fragment");
        cases.put(host.url("/good.json").replace("https://", "http://"), "must use the https scheme");
        cases.put(host.url("denied.docs.test", "/good.json"), "deny-list");
        cases.put(host.url("unlisted.docs.test", "/good.json"), "allow-list");
        cases.put(host.url("/good.json").replace(DocumentHost.HOST, NXDOMAIN), "host " + NXDOMAIN + " could not be resolved");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Http.Response page = new LoginBrowser().get(authUrl(c.getKey(), challenge("v")));
            assertThat(page.status()).as("auth " + c.getKey() + ": " + page.body()).isEqualTo(400);
            assertThat(page.body()).as("auth " + c.getKey()).contains("metadata document could not be used")
                    .doesNotContain(c.getValue()).doesNotContain("CIMD-").doesNotContain("refused");
            Http.Response token = Http.postForm(endpoint("token"), form("grant_type", "client_credentials", "client_id", c.getKey()));
            assertThat(token.status()).as("token " + c.getKey() + ": " + token).isEqualTo(401);
            assertThat(token.json().path("error").asText()).isEqualTo("invalid_client");
            assertThat(token.json().path("error_description").asText()).as("token " + c.getKey())
                    .doesNotContain(c.getValue()).doesNotContain(".docs.test").doesNotContain("CIMD-");
            assertThat(clientsWithId(c.getKey())).as("nothing created for " + c.getKey()).isEmpty();
            List<JsonNode> events = CimdRealms.refusals(admin, realm, c.getKey());
            assertThat(events).as("events for " + c.getKey()).isNotEmpty();
            assertThat(events.stream().map(e -> e.path("details").path("reason").asText()))
                    .as("event reason for " + c.getKey()).anyMatch(reason -> reason.contains(c.getValue()));
            assertThat(events.get(0).path("details").path("cimd_rule").asText()).startsWith("CIMD-");
        }
        // Unknown members were ignored, not fatal: that URL resolved (PAR test) or resolves now.
        assertThat(new LoginBrowser().get(authUrl(host.url("/unknown-members.json"), challenge("v"))).status()).isEqualTo(200);
    }

    /** A jwks_uri is fetched only from a host the realm's host lists allow, like the document itself. */
    @Test
    void cimd36_jwksUriHostMustPassTheRealmsHostLists() throws Exception {
        Map<String, String> cases = Map.of(
                host.url("/keys-elsewhere.json"), "jwks_uri host unlisted.docs.test is not on this realm's allow-list",
                host.url("/keys-denied.json"), "jwks_uri host denied.docs.test is on this realm's deny-list");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Http.Response page = new LoginBrowser().get(authUrl(c.getKey(), challenge("v")));
            assertThat(page.status()).as(page.body()).isEqualTo(400);
            assertThat(clientsWithId(c.getKey())).isEmpty();
            JsonNode event = CimdRealms.refusal(admin, realm, c.getKey(), "CIMD-36");
            assertThat(event.path("error").asText()).isEqualTo("invalid_client_metadata");
            assertThat(event.path("details").path("reason").asText()).contains(c.getValue());
        }
        assertThat(host.hits("/jwks-elsewhere.json")).isZero();
        assertThat(host.hits("/jwks-denied.json")).isZero();
    }

    @Test
    void cimd34_errorsAreNotCachedButRefetchIsRateLimited() throws Exception {
        String path = "/flaky.json";
        String clientId = host.url(path);
        host.sequence(path, n -> n == 0 ? new Object[] {503, "{}"} : new Object[] {200, publicDoc(clientId, "Flaky")});
        assertThat(new LoginBrowser().get(authUrl(clientId, challenge("v"))).status()).isEqualTo(400);
        assertThat(new LoginBrowser().get(authUrl(clientId, challenge("v"))).status()).isEqualTo(400); // throttled
        assertThat(host.hits(path)).isEqualTo(1);
        Thread.sleep(2500);
        assertThat(new LoginBrowser().get(authUrl(clientId, challenge("v"))).status()).isEqualTo(200);
        // At least the one refetch; this realm caches documents for 0 s, so the background refresh
        // may already have revalidated the new client as well.
        assertThat(host.hits(path)).isGreaterThanOrEqualTo(2);
    }

    @Test
    void cimd33_revalidatesWithEtagAndPicksUpChanges() throws Exception {
        String path = "/versioned.json";
        String clientId = host.url(path);
        DocumentHost.Versioned doc = new DocumentHost.Versioned(publicDoc(clientId, "Version One"), "\"v1\"", "max-age=1");
        host.versioned(path, doc);
        assertThat(new LoginBrowser().get(authUrl(clientId, challenge("v"))).status()).isEqualTo(200);
        await(Duration.ofSeconds(20), () -> host.notModified(path) >= 2);
        assertThat(clientsWithId(clientId).get(0).path("name").asText()).startsWith("Version One");

        doc.body = publicDoc(clientId, "Version Two");
        doc.etag = "\"v2\"";
        await(Duration.ofSeconds(20), () -> clientsWithId(clientId).get(0).path("name").asText().startsWith("Version Two"));
        // A document that turns invalid disables the client until it is valid again.
        doc.body = "{\"client_id\":\"https://elsewhere.test/x\"}";
        doc.etag = "\"v3\"";
        await(Duration.ofSeconds(20), () -> !clientsWithId(clientId).get(0).path("enabled").asBoolean());
        assertThat(clientsWithId(clientId).get(0).path("attributes").path("cimd.refresh_error").asText()).contains("CIMD-10");
        doc.body = publicDoc(clientId, "Version Four");
        doc.etag = "\"v4\"";
        await(Duration.ofSeconds(20), () -> clientsWithId(clientId).get(0).path("enabled").asBoolean());
        // One long-lived cache entry: no request until max-age runs out.
        doc.cacheControl = "max-age=3600";
        doc.etag = "\"v5\"";
        doc.body = publicDoc(clientId, "Version Five");
        await(Duration.ofSeconds(20), () -> clientsWithId(clientId).get(0).path("name").asText().startsWith("Version Five"));
        int hits = host.hits(path);
        Thread.sleep(3000);
        assertThat(host.hits(path)).isEqualTo(hits);
    }

    @Test
    void cimd33_jwksUriKeysAreFetchedAgainByTheirOwnLifetimeWhileTheDocumentAnswers304() throws Exception {
        String path = "/rotating-keys.json";
        String keysPath = "/rotating-keys-jwks.json";
        String clientId = host.url(path);
        DocumentHost.Versioned keys = new DocumentHost.Versioned(new JWKSet(clientKey.toPublicJWK()).toString(), null, "max-age=1");
        host.versioned(keysPath, keys)
                .versioned(path, new DocumentHost.Versioned(doc(clientId, Map.of(
                        "token_endpoint_auth_method", "private_key_jwt",
                        "jwks_uri", host.url("keys.docs.test", keysPath),
                        "grant_types", List.of("client_credentials"))), "\"r1\"", "max-age=1"));
        Http.Response first = Http.postForm(endpoint("token"), form("grant_type", "client_credentials",
                "client_id", clientId,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", assertion(clientId, clientKey)));
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(host.hits(keysPath)).isEqualTo(1);
        // The document keeps answering 304; its keys expire after a second and are fetched again.
        await(Duration.ofSeconds(20), () -> host.notModified(path) >= 2 && host.hits(keysPath) >= 3);

        // The host rotates its key: the new one works without the document changing.
        ECKey rotated = new ECKeyGenerator(Curve.P_256).keyID("k2").keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.ES256).generate();
        keys.body = new JWKSet(rotated.toPublicJWK()).toString();
        await(Duration.ofSeconds(20), () -> Http.postForm(endpoint("token"), form("grant_type", "client_credentials",
                "client_id", clientId,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", assertion(clientId, rotated))).status() == 200);
        assertThat(clientsWithId(clientId).get(0).path("attributes").path("cimd.jwks_uri").asText())
                .isEqualTo(host.url("keys.docs.test", keysPath));
    }

    @Test
    void consentsAreRevokedWhenTheDocumentChangesItsNameOrRedirectUris() throws Exception {
        String path = "/consented.json";
        String clientId = host.url(path);
        DocumentHost.Versioned doc = new DocumentHost.Versioned(publicDoc(clientId, "Consented One"), "\"c1\"", "max-age=1");
        host.versioned(path, doc);
        String userId = admin.getJson("/realms/" + realm + "/users?username=" + USER + "&exact=true").get(0).get("id").asText();
        loginWithConsent(clientId);
        assertThat(consentedClients(userId)).contains(clientId);
        // Unchanged document (304s): the consent stays.
        await(Duration.ofSeconds(20), () -> host.notModified(path) >= 2);
        assertThat(consentedClients(userId)).contains(clientId);

        doc.body = publicDoc(clientId, "Consented Two");
        doc.etag = "\"c2\"";
        await(Duration.ofSeconds(20), () -> clientsWithId(clientId).get(0).path("name").asText().startsWith("Consented Two"));
        await(Duration.ofSeconds(10), () -> !consentedClients(userId).contains(clientId));

        loginWithConsent(clientId);
        assertThat(consentedClients(userId)).contains(clientId);
        doc.body = doc(clientId, Map.of("client_name", "Consented Two", "redirect_uris", List.of(REDIRECT, REDIRECT + "/other"),
                "grant_types", List.of("authorization_code", "refresh_token")));
        doc.etag = "\"c3\"";
        await(Duration.ofSeconds(20), () -> clientsWithId(clientId).get(0).path("redirectUris").size() == 2);
        await(Duration.ofSeconds(10), () -> !consentedClients(userId).contains(clientId));
    }

    private List<String> consentedClients(String userId) {
        List<String> out = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/users/" + userId + "/consents").forEach(c -> out.add(c.path("clientId").asText()));
        return out;
    }

    /** Logs alice in to {@code clientId} and grants the consent it asks for. */
    private void loginWithConsent(String clientId) throws Exception {
        LoginBrowser browser = new LoginBrowser();
        Http.Response login = browser.get(authUrl(clientId, challenge("v")));
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        String base = admin.base().toString();
        Http.Response consent = browser.follow(
                browser.post(LoginBrowser.formAction(login), form("username", USER, "password", PASSWORD)), base);
        assertThat(consent.status()).as("consent page").isEqualTo(200);
        String code = LoginBrowser.consentCode(consent);
        Map<String, String> accept = code == null ? form("accept", "Yes") : form("code", code, "accept", "Yes");
        Http.Response redirect = browser.follow(browser.post(URI.create(base).resolve(LoginBrowser.formAction(consent)), accept), base);
        assertThat(redirect.status()).as(redirect.body()).isEqualTo(302);
        assertThat(redirect.header("Location")).startsWith(REDIRECT);
    }

    @Test
    void cimd35_urlLongerThanKeycloaksClientIdColumnIsRefusedBeforeAnyFetch() throws Exception {
        String path = "/" + "long-".repeat(60) + "client.json";
        String clientId = host.url(path);
        assertThat(clientId.length()).isGreaterThan(255);
        host.json(path, publicDoc(clientId, "Too Long"));
        Http.Response token = Http.postForm(endpoint("token"), form("grant_type", "client_credentials",
                "client_id", clientId,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", assertion(clientId, clientKey)));
        assertThat(token.status()).as(token.body()).isBetween(400, 401);
        assertThat(token.json().path("error").asText()).isEqualTo("invalid_client");
        Http.Response page = new LoginBrowser().get(authUrl(clientId, challenge("v")));
        assertThat(page.status()).as(page.body()).isEqualTo(400);
        assertThat(host.hits(path)).isZero();
        assertThat(clientsWithId(clientId)).isEmpty();
        JsonNode event = CimdRealms.refusals(admin, realm, clientId.substring(0, 255)).stream()
                .filter(e -> "CIMD-35".equals(e.path("details").path("cimd_rule").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no CIMD-35 refusal event"));
        assertThat(event.path("details").path("reason").asText()).contains("at most 255 characters");
    }

    @Test
    void fiftyConcurrentFirstUsesMakeOneFetchAndOneClient() throws Exception {
        String path = "/concurrent.json";
        String clientId = host.url(path);
        host.slowJson(path, publicDoc(clientId, "Concurrent"), 800);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(() -> new LoginBrowser().get(authUrl(clientId, challenge("v"))).status());
        }
        List<Future<Integer>> results = pool.invokeAll(calls);
        pool.shutdown();
        for (Future<Integer> r : results) {
            assertThat(r.get()).isEqualTo(200);
        }
        assertThat(host.hits(path)).isEqualTo(1);
        assertThat(clientsWithId(clientId)).hasSize(1);
    }

    static void await(Duration max, Callable<Boolean> condition) throws Exception {
        Instant deadline = Instant.now().plus(max);
        while (Instant.now().isBefore(deadline)) {
            if (Boolean.TRUE.equals(condition.call())) {
                return;
            }
            Thread.sleep(250);
        }
        assertThat(condition.call()).as("condition within " + max).isTrue();
    }

    static ArrayNode array(String... values) {
        ArrayNode a = Http.JSON.createArrayNode();
        for (String v : values) {
            a.add(v);
        }
        return a;
    }
}
