package dev.workloadid.keycloak.it.spiffe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertInvalidClient;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.assertTokenFor;
import static dev.workloadid.keycloak.it.spiffe.Spiffe.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * JWT-SVID client authentication beyond the token endpoint (introspection, revocation), AS metadata
 * (SCA-41/42) and the admin events of failed client authentications.
 */
@ExtendWith(KeycloakExtension.class)
class SpiffeEndpointsIT {

    private static final String CLIENT = "svc-ep";
    private static final String RESOURCE_SERVER = "svc-rs";
    private static final String REDIRECT = "https://app.test/cb";

    private static String realm;
    private static String issuer;
    private static LoopbackHttpsServer server;
    private static SpiffeTestAuthority authority;

    @BeforeAll
    static void setUp(AdminClient admin) {
        server = new LoopbackHttpsServer(TestCa.shared());
        authority = new SpiffeTestAuthority("ep.test").serveOn(server, "bundles.td-one.test", "/ep/bundle");
        realm = admin.createRealm("spiffe-ep");
        issuer = admin.realmUrl(realm).toString();
        Spiffe.enableEvents(admin, realm);
        Spiffe.createTrustDomain(admin, realm, Spiffe.TrustDomainConfig.httpsWeb(authority));
        // Keycloak 26 introspects only for a client in the token's audience: svc-ep's tokens are for
        // the resource server svc-rs, which introspects them authenticated with its own JWT-SVID.
        ObjectNode client = Spiffe.spiffeClient(CLIENT, authority.spiffeId("/svc"));
        // Refresh tokens for client_credentials and a redirect URI for PAR, to cover those endpoints.
        ((ObjectNode) client.get("attributes")).put("client_credentials.use_refresh_token", "true");
        client.put("standardFlowEnabled", true).putArray("redirectUris").add(REDIRECT);
        ObjectNode audience = client.putArray("protocolMappers").addObject()
                .put("name", "audience-rs").put("protocol", "openid-connect")
                .put("protocolMapper", "oidc-audience-mapper");
        audience.putObject("config").put("included.client.audience", RESOURCE_SERVER)
                .put("access.token.claim", "true").put("introspection.token.claim", "true")
                .put("id.token.claim", "false");
        admin.createClient(realm, client);
        Spiffe.createSpiffeClient(admin, realm, RESOURCE_SERVER, authority.spiffeId("/rs"));
    }

    @AfterAll
    static void tearDown(AdminClient admin) {
        Spiffe.cleanUp(admin, realm, server);
    }

    private static String svid() {
        return authority.svid("/svc").audience(issuer).randomJti().sign();
    }

    /** The resource server's JWT-SVID. */
    private static String rsSvid() {
        return authority.svid("/rs").audience(issuer).randomJti().sign();
    }

    private static Map<String, String> withAssertion(Map<String, String> form, String svid) {
        form.put("client_assertion_type", Spiffe.JWT_SPIFFE);
        form.put("client_assertion", svid);
        return form;
    }

    private static Http.Response introspect(AdminClient admin, String token, String svid) {
        return Http.postForm(Spiffe.oidc(admin, realm, "/token/introspect"),
                withAssertion(Http.form("token", token), svid));
    }

    private static String accessToken(AdminClient admin) {
        Http.Response response = token(admin, realm, svid());
        assertTokenFor(response, CLIENT);
        return response.json().get("access_token").asText();
    }

    // ---------------------------------------------------------------------------------------------
    // Other endpoints where Keycloak authenticates clients

    @Test
    void refreshTokenGrantAuthenticatesWithAFreshJwtSvid(AdminClient admin) {
        Http.Response first = token(admin, realm, svid());
        String refreshToken = first.json().path("refresh_token").asText();
        assertThat(refreshToken).as(first.toString()).isNotEmpty();
        Http.Response refreshed = Http.postForm(admin.tokenEndpoint(realm), withAssertion(
                Http.form("grant_type", "refresh_token", "refresh_token", refreshToken), svid()));
        assertTokenFor(refreshed, CLIENT);
        Http.Response forged = Http.postForm(admin.tokenEndpoint(realm), withAssertion(
                Http.form("grant_type", "refresh_token", "refresh_token", refreshToken),
                authority.svid("/svc").audience(issuer).signedBy(new SpiffeTestAuthority("x.test")).sign()));
        assertInvalidClient(forged);
    }

    @Test
    void parAuthenticatesWithAJwtSvid(AdminClient admin) {
        Map<String, String> request = Http.form("client_id", CLIENT, "response_type", "code", "redirect_uri", REDIRECT,
                "scope", "openid", "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                "code_challenge_method", "S256");
        Http.Response par = Http.postForm(Spiffe.oidc(admin, realm, "/ext/par/request"), withAssertion(request, svid()));
        assertThat(par.status()).as(par.toString()).isEqualTo(201);
        assertThat(par.json().path("request_uri").asText()).startsWith("urn:ietf:params:oauth:request_uri:");

        Map<String, String> again = Http.form("client_id", CLIENT, "response_type", "code", "redirect_uri", REDIRECT,
                "scope", "openid", "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                "code_challenge_method", "S256");
        Http.Response refused = Http.postForm(Spiffe.oidc(admin, realm, "/ext/par/request"),
                withAssertion(again, authority.svid("/other").audience(issuer).sign()));
        assertThat(refused.status()).as(refused.toString()).isIn(400, 401);
    }

    // ---------------------------------------------------------------------------------------------
    // Introspection and revocation (SCA-42)

    @Test
    void sca42_introspectionAuthenticatesWithAJwtSvid(AdminClient admin) {
        String accessToken = accessToken(admin);
        Http.Response response = introspect(admin, accessToken, rsSvid());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().path("active").asBoolean()).as(response.toString()).isTrue();
        assertThat(response.json().path("azp").asText()).isEqualTo(CLIENT);
    }

    @Test
    void sca42_introspectionWithABadJwtSvidIsInvalidClient(AdminClient admin) {
        String accessToken = accessToken(admin);
        String badAudience = authority.svid("/rs").audience(admin.tokenEndpoint(realm).toString()).sign();
        assertInvalidClient(introspect(admin, accessToken, badAudience));
        String foreign = authority.svid("/rs").audience(issuer).signedBy(new SpiffeTestAuthority("x.test")).sign();
        assertInvalidClient(introspect(admin, accessToken, foreign));
    }

    @Test
    void sca42_revocationAuthenticatesWithAJwtSvid(AdminClient admin) {
        String accessToken = accessToken(admin);
        Http.Response before = introspect(admin, accessToken, rsSvid());
        assertThat(before.json().path("active").asBoolean()).as("token before revocation: %s", before).isTrue();
        Http.Response revoke = Http.postForm(Spiffe.oidc(admin, realm, "/revoke"),
                withAssertion(Http.form("token", accessToken, "token_type_hint", "access_token"), svid()));
        assertThat(revoke.status()).as(revoke.toString()).isEqualTo(200);

        Http.Response after = introspect(admin, accessToken, rsSvid());
        assertThat(after.status()).as(after.toString()).isEqualTo(200);
        assertThat(after.json().path("active").asBoolean()).as("revoked token: %s", after).isFalse();
    }

    @Test
    void sca42_revocationWithABadJwtSvidIsInvalidClient(AdminClient admin) {
        String accessToken = accessToken(admin);
        String expired = authority.svid("/svc").audience(issuer)
                .expiresAt(java.time.Instant.now().minusSeconds(600)).sign();
        Http.Response revoke = Http.postForm(Spiffe.oidc(admin, realm, "/revoke"),
                withAssertion(Http.form("token", accessToken, "token_type_hint", "access_token"), expired));
        assertInvalidClient(revoke);
        Http.Response after = introspect(admin, accessToken, rsSvid());
        assertThat(after.json().path("active").asBoolean()).as("token not revoked: %s", after).isTrue();
    }

    // ---------------------------------------------------------------------------------------------
    // Discovery (SCA-41, SCA-42)

    private static JsonNode discovery(AdminClient admin, String realmName) {
        Http.Response response = Http.get(URI.create(admin.realmUrl(realmName) + "/.well-known/openid-configuration"));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private static List<String> values(JsonNode metadata, String field) {
        List<String> out = new ArrayList<>();
        metadata.path(field).forEach(v -> out.add(v.asText()));
        return out;
    }

    @Test
    void sca41_discoveryAdvertisesSpiffeJwtForTokenIntrospectionAndRevocation(AdminClient admin) {
        JsonNode metadata = discovery(admin, realm);
        assertThat(values(metadata, "token_endpoint_auth_methods_supported")).contains("spiffe_jwt")
                .contains("private_key_jwt", "client_secret_basic");
        assertThat(values(metadata, "introspection_endpoint_auth_methods_supported")).contains("spiffe_jwt");
        assertThat(values(metadata, "revocation_endpoint_auth_methods_supported")).contains("spiffe_jwt");
        assertThat(values(metadata, "token_endpoint_auth_methods_supported"))
                .as("no method this pack does not implement").doesNotContain("spiffe_wit", "spiffe");
    }

    @Test
    void sca41_realmWithoutTrustDomainDoesNotAdvertiseSpiffeJwt(AdminClient admin) {
        String bare = admin.createRealm("spiffe-bare");
        try {
            JsonNode metadata = discovery(admin, bare);
            assertThat(values(metadata, "token_endpoint_auth_methods_supported")).doesNotContain("spiffe_jwt")
                    .contains("private_key_jwt");
            assertThat(values(metadata, "introspection_endpoint_auth_methods_supported")).doesNotContain("spiffe_jwt");
            assertThat(values(metadata, "revocation_endpoint_auth_methods_supported")).doesNotContain("spiffe_jwt");
        } finally {
            admin.deleteRealm(bare);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Events

    private static List<JsonNode> events(AdminClient admin, String type) {
        List<JsonNode> out = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/events?type=" + type + "&max=500").forEach(out::add);
        return out;
    }

    @Test
    void events_rejectedJwtSvidIsAClientLoginErrorEvent(AdminClient admin) {
        int before = events(admin, "CLIENT_LOGIN_ERROR").size();
        assertInvalidClient(token(admin, realm, authority.svid("/svc")
                .audience(issuer, "https://other.example").sign()));
        List<JsonNode> after = Spiffe.poll(Duration.ofSeconds(10), Duration.ofMillis(250),
                () -> events(admin, "CLIENT_LOGIN_ERROR"), l -> l.size() > before, "a CLIENT_LOGIN_ERROR event");
        JsonNode event = after.get(0); // newest first
        assertThat(event.path("type").asText()).isEqualTo("CLIENT_LOGIN_ERROR");
        assertThat(event.path("error").asText()).as("error of %s", event).isNotBlank();
        assertThat(event.path("details").path("reason").asText()).as("details.reason of %s", event).contains("aud");
        assertThat(event.path("details").path("spiffe_id").asText()).as("details.spiffe_id of %s", event)
                .isEqualTo(authority.spiffeId("/svc"));
    }

    @Test
    void events_successfulJwtSvidAuthenticationIsAClientLoginEvent(AdminClient admin) {
        int before = events(admin, "CLIENT_LOGIN").size();
        accessToken(admin);
        List<JsonNode> after = Spiffe.poll(Duration.ofSeconds(10), Duration.ofMillis(250),
                () -> events(admin, "CLIENT_LOGIN"), l -> l.size() > before, "a CLIENT_LOGIN event");
        JsonNode event = after.get(0);
        assertThat(event.path("clientId").asText()).as("event %s", event).isEqualTo(CLIENT);
    }

    @Test
    void events_unknownTrustDomainIsAClientLoginErrorEvent(AdminClient admin) {
        int before = events(admin, "CLIENT_LOGIN_ERROR").size();
        assertInvalidClient(token(admin, realm, new SpiffeTestAuthority("nowhere.test").svid("/svc")
                .audience(issuer).sign()));
        JsonNode event = Spiffe.poll(Duration.ofSeconds(10), Duration.ofMillis(250),
                () -> events(admin, "CLIENT_LOGIN_ERROR"), l -> l.size() > before, "a CLIENT_LOGIN_ERROR event").get(0);
        assertThat(event.path("details").path("reason").asText()).as("details.reason of %s", event)
                .contains("nowhere.test");
        assertThat(event.path("details").path("spiffe_id").asText()).as("details.spiffe_id of %s", event)
                .isEqualTo("spiffe://nowhere.test/svc");
    }
}
