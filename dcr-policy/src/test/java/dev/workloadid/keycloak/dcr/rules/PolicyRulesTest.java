package dev.workloadid.keycloak.dcr.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One test per rule, named after the requirement id it proves. */
class PolicyRulesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static RegistrationMetadata parse(String json) {
        return RegistrationMetadata.parse(MAPPER, json);
    }

    private static void assertCode(Runnable r, String code) {
        assertThatThrownBy(r::run).isInstanceOf(DcrError.class).extracting(e -> ((DcrError) e).code()).isEqualTo(code);
    }

    @Test
    void dcr04_unknownMetadataIsDroppedNotRefused() {
        RegistrationMetadata m = parse("{\"client_name\":\"a\",\"x_unknown\":1,\"nested\":{\"b\":2}}");
        m.dropUnknown(Set.of("client_name", "redirect_uris"));
        assertThat(m.metadata().has("client_name")).isTrue();
        assertThat(m.metadata().has("x_unknown")).isFalse();
        assertThat(m.ignored()).containsExactly("nested", "x_unknown");
    }

    @Test
    void dcr04_bodyMustBeJsonObject() {
        assertCode(() -> parse("[1,2]"), DcrError.INVALID_CLIENT_METADATA);
        assertCode(() -> parse("{bad"), DcrError.INVALID_CLIENT_METADATA);
        assertCode(() -> parse(""), DcrError.INVALID_CLIENT_METADATA);
    }

    @Test
    void dcrm06_readOnlyMembersAreDroppedFromUpdates() {
        RegistrationMetadata m = parse("{\"registration_access_token\":\"x\",\"registration_client_uri\":\"y\","
                + "\"client_secret_expires_at\":0,\"client_id_issued_at\":1,\"client_name\":\"n\"}");
        assertThat(m.metadata().fieldNames()).toIterable().containsExactly("client_name");
    }

    @Test
    void dcr09_statementClaimsTakePrecedenceButNotJwtBookkeeping() {
        RegistrationMetadata m = parse("{\"client_name\":\"from request\",\"software_statement\":\"abc\"}");
        assertThat(m.softwareStatement()).isEqualTo("abc");
        Set<String> used = m.applyStatementClaims(MAPPER, Map.of("client_name", "from statement", "iss", "x",
                "software_id", "sid", "exp", 1, "client_id", "hijack"));
        assertThat(used).containsExactlyInAnyOrder("client_name", "software_id");
        assertThat(m.text("client_name")).isEqualTo("from statement");
        assertThat(m.metadata().has("iss")).isFalse();
        assertThat(m.metadata().has("client_id")).isFalse();
    }

    @Test
    void sca53_spiffeBundleEndpointFromClientIsIgnored() {
        RegistrationMetadata m = parse("{\"spiffe_bundle_endpoint\":\"https://evil.example/bundle\",\"spiffe_id\":\"spiffe://td/a\"}");
        assertThat(m.metadata().has("spiffe_bundle_endpoint")).isFalse();
        assertThat(m.ignored()).contains("spiffe_bundle_endpoint");
        assertThat(m.requestedSpiffeId()).isEqualTo("spiffe://td/a");
    }

    @Test
    void dcr07_refusesJwksAndJwksUriTogether() {
        assertCode(() -> MetadataRules.checkJwks(parse("{\"jwks\":{\"keys\":[]},\"jwks_uri\":\"https://a.example/jwks\"}")),
                DcrError.INVALID_CLIENT_METADATA);
        assertThatCode(() -> MetadataRules.checkJwks(parse("{\"jwks_uri\":\"https://a.example/jwks\"}"))).doesNotThrowAnyException();
        assertThatCode(() -> MetadataRules.checkJwks(parse("{\"jwks\":{\"keys\":[]}}"))).doesNotThrowAnyException();
    }

    @Test
    void dcr07_jwksUriMustBeHttps() {
        assertCode(() -> MetadataRules.checkJwks(parse("{\"jwks_uri\":\"http://a.example/jwks\"}")), DcrError.INVALID_CLIENT_METADATA);
        assertCode(() -> MetadataRules.checkJwks(parse("{\"jwks_uri\":\"https://u:p@a.example/jwks\"}")), DcrError.INVALID_CLIENT_METADATA);
        assertCode(() -> MetadataRules.checkJwks(parse("{\"jwks_uri\":\"/relative\"}")), DcrError.INVALID_CLIENT_METADATA);
    }

    @Test
    void dcr08_grantAndResponseTypesMustAgree() {
        assertCode(() -> MetadataRules.checkGrantResponseConsistency(parse(
                "{\"grant_types\":[\"client_credentials\"],\"response_types\":[\"code\"]}")), DcrError.INVALID_CLIENT_METADATA);
        assertCode(() -> MetadataRules.checkGrantResponseConsistency(parse(
                "{\"grant_types\":[\"authorization_code\"],\"response_types\":[\"token\"]}")), DcrError.INVALID_CLIENT_METADATA);
        assertThatCode(() -> MetadataRules.checkGrantResponseConsistency(parse(
                "{\"grant_types\":[\"authorization_code\",\"refresh_token\"],\"response_types\":[\"code\"]}"))).doesNotThrowAnyException();
    }

    @Test
    void dcr05_webRedirectsMustBeHttps() {
        RedirectUriRules.Settings s = RedirectUriRules.Settings.DEFAULTS;
        assertThatCode(() -> RedirectUriRules.check(List.of("https://app.example.com/cb"), "web", s)).doesNotThrowAnyException();
        assertCode(() -> RedirectUriRules.check(List.of("http://app.example.com/cb"), "web", s), DcrError.INVALID_REDIRECT_URI);
        assertCode(() -> RedirectUriRules.check(List.of("http://127.0.0.1:8080/cb"), "web", s), DcrError.INVALID_REDIRECT_URI);
        assertCode(() -> RedirectUriRules.check(List.of("com.example.app:/cb"), "web", s), DcrError.INVALID_REDIRECT_URI);
    }

    @Test
    void dcr05_nativeMayUseLoopbackHttpAndPrivateSchemes() {
        RedirectUriRules.Settings s = RedirectUriRules.Settings.DEFAULTS;
        assertThatCode(() -> RedirectUriRules.check(List.of("http://127.0.0.1:6276/oauth/callback", "http://[::1]/cb",
                "http://localhost:6274/oauth/callback", "com.example.app:/cb"), "native", s)).doesNotThrowAnyException();
        assertCode(() -> RedirectUriRules.check(List.of("http://10.0.0.1/cb"), "native", s), DcrError.INVALID_REDIRECT_URI);
        assertCode(() -> RedirectUriRules.check(List.of("http://127.0.0.1.evil.example/cb"), "native", s), DcrError.INVALID_REDIRECT_URI);
        assertCode(() -> RedirectUriRules.check(List.of("myapp:/cb"), "native", s), DcrError.INVALID_REDIRECT_URI);
        assertCode(() -> RedirectUriRules.check(List.of("http://localhost/cb"), "native",
                new RedirectUriRules.Settings(false, true, false)), DcrError.INVALID_REDIRECT_URI);
        assertCode(() -> RedirectUriRules.check(List.of("com.example.app:/cb"), "native",
                new RedirectUriRules.Settings(true, false, false)), DcrError.INVALID_REDIRECT_URI);
    }

    @Test
    void dcr05_noWildcardsFragmentsOrUserInfo() {
        RedirectUriRules.Settings s = RedirectUriRules.Settings.DEFAULTS;
        assertCode(() -> RedirectUriRules.check(List.of("https://app.example.com/*"), "web", s), DcrError.INVALID_REDIRECT_URI);
        assertCode(() -> RedirectUriRules.check(List.of("https://*.example.com/cb"), "web", s), DcrError.INVALID_REDIRECT_URI);
        assertCode(() -> RedirectUriRules.check(List.of("https://app.example.com/cb#frag"), "web", s), DcrError.INVALID_REDIRECT_URI);
        assertCode(() -> RedirectUriRules.check(List.of("https://u@app.example.com/cb"), "web", s), DcrError.INVALID_REDIRECT_URI);
        assertCode(() -> RedirectUriRules.check(List.of("/relative"), "web", s), DcrError.INVALID_REDIRECT_URI);
    }

    @Test
    void dcr06_missingAuthMethodMeansClientSecretBasicWhichAnonymousDefaultRefuses() {
        assertThat(AuthMethodRules.effective(null)).isEqualTo("client_secret_basic");
        assertCode(() -> AuthMethodRules.check(null, AuthMethodRules.ANONYMOUS_DEFAULT), DcrError.INVALID_CLIENT_METADATA);
        for (String secret : AuthMethodRules.SHARED_SECRET_METHODS) {
            assertCode(() -> AuthMethodRules.check(secret, AuthMethodRules.ANONYMOUS_DEFAULT), DcrError.INVALID_CLIENT_METADATA);
            assertThatCode(() -> AuthMethodRules.check(secret, AuthMethodRules.AUTHENTICATED_DEFAULT)).doesNotThrowAnyException();
        }
        assertThatCode(() -> AuthMethodRules.check("private_key_jwt", AuthMethodRules.ANONYMOUS_DEFAULT)).doesNotThrowAnyException();
        assertThatCode(() -> AuthMethodRules.check("none", AuthMethodRules.ANONYMOUS_DEFAULT)).doesNotThrowAnyException();
    }

    @Test
    void mcp_applicationTypeValidatedInferredOrRequired() {
        assertThat(McpRules.applicationType("native", null, false)).isEqualTo("native");
        assertCode(() -> McpRules.applicationType("desktop", null, false), DcrError.INVALID_CLIENT_METADATA);
        assertCode(() -> McpRules.applicationType(null, null, true), DcrError.INVALID_CLIENT_METADATA);
        assertThat(McpRules.applicationType(null, List.of("http://127.0.0.1:6276/cb"), false)).isEqualTo("native");
        assertThat(McpRules.applicationType(null, List.of("https://a.example/cb", "http://127.0.0.1/cb"), false)).isEqualTo("web");
        assertThat(McpRules.applicationType(null, null, false)).isEqualTo("web");
    }

    @Test
    void mcp_publicClientsOnlyCodeFlow() {
        assertThatCode(() -> McpRules.checkPublicClient("none", List.of("authorization_code", "refresh_token"), List.of("code")))
                .doesNotThrowAnyException();
        assertCode(() -> McpRules.checkPublicClient("none", List.of("implicit"), null), DcrError.INVALID_CLIENT_METADATA);
        assertCode(() -> McpRules.checkPublicClient("none", List.of("client_credentials"), null), DcrError.INVALID_CLIENT_METADATA);
        assertCode(() -> McpRules.checkPublicClient("none", null, List.of("code id_token")), DcrError.INVALID_CLIENT_METADATA);
        assertThatCode(() -> McpRules.checkPublicClient("private_key_jwt", List.of("client_credentials"), null)).doesNotThrowAnyException();
    }

    @Test
    void dcr03_rateLimitHoldsUnderConcurrentBurst() throws Exception {
        Map<String, Boolean> slots = new ConcurrentHashMap<>();
        RateLimiter limiter = new RateLimiter((key, lifespan) -> slots.putIfAbsent(key, Boolean.TRUE) == null);
        Instant now = Instant.parse("2026-01-01T00:00:10Z");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            results.add(pool.submit(() -> limiter.tryAcquire("src:1.2.3.4", 7, 60, now)));
        }
        int allowed = 0;
        for (Future<Boolean> f : results) {
            allowed += f.get() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThat(allowed).isEqualTo(7);
        // A new window starts a new count; other keys are independent.
        assertThat(limiter.tryAcquire("src:1.2.3.4", 7, 60, now.plusSeconds(60))).isTrue();
        assertThat(limiter.tryAcquire("src:5.6.7.8", 7, 60, now)).isTrue();
        assertThat(limiter.tryAcquire("x", 0, 60, now)).isFalse();
    }

    @Test
    void dcr04_settingsKeycloakWouldFetchAreRefusedInRepresentationsToo() {
        java.util.function.Function<Map<String, String>, org.keycloak.representations.idm.ClientRepresentation> rep = attrs -> {
            org.keycloak.representations.idm.ClientRepresentation r = new org.keycloak.representations.idm.ClientRepresentation();
            r.setAttributes(new java.util.HashMap<>(attrs));
            return r;
        };
        assertCode(() -> MetadataRules.refuseServerFetchedSettings(rep.apply(Map.of("request.uris", "https://a.test/r"))),
                DcrError.INVALID_CLIENT_METADATA);
        assertCode(() -> MetadataRules.refuseServerFetchedSettings(rep.apply(Map.of("backchannel.logout.url", "https://a.test/l"))),
                DcrError.INVALID_CLIENT_METADATA);
        assertCode(() -> MetadataRules.refuseServerFetchedSettings(rep.apply(
                Map.of("ciba.backchannel.client.notification.endpoint", "https://a.test/n"))), DcrError.INVALID_CLIENT_METADATA);
        assertCode(() -> MetadataRules.refuseServerFetchedSettings(rep.apply(
                Map.of("use.jwks.url", "true", "jwks.url", "https://a.test/jwks"))), DcrError.INVALID_CLIENT_METADATA);
        assertThatCode(() -> MetadataRules.refuseServerFetchedSettings(rep.apply(
                Map.of("use.jwks.url", "false", "jwks.url", "https://a.test/jwks"))))
                .as("a stored URL Keycloak does not use").doesNotThrowAnyException();

        org.keycloak.representations.idm.ClientRepresentation admin = rep.apply(Map.of());
        admin.setAdminUrl("http://internal.test/admin");
        assertCode(() -> MetadataRules.refuseServerFetchedSettings(admin), DcrError.INVALID_CLIENT_METADATA);

        org.keycloak.representations.idm.ClientRepresentation pairwise = rep.apply(Map.of());
        org.keycloak.representations.idm.ProtocolMapperRepresentation mapper = new org.keycloak.representations.idm.ProtocolMapperRepresentation();
        mapper.setConfig(Map.of("sectorIdentifierUri", "https://a.test/sector"));
        pairwise.setProtocolMappers(List.of(mapper));
        assertCode(() -> MetadataRules.refuseServerFetchedSettings(pairwise), DcrError.INVALID_CLIENT_METADATA);

        assertThatCode(() -> MetadataRules.refuseServerFetchedSettings(rep.apply(Map.of("pkce.code.challenge.method", "S256"))))
                .doesNotThrowAnyException();

        // Keycloak's own conversion writes empty members: nothing to fetch, nothing to refuse.
        assertThatCode(() -> MetadataRules.refuseServerFetchedUris(parse("{\"request_uris\":[],\"backchannel_logout_uri\":\"\"}")))
                .doesNotThrowAnyException();
        assertCode(() -> MetadataRules.refuseServerFetchedUris(parse("{\"request_uris\":[\"https://a.test/r\"]}")),
                DcrError.INVALID_CLIENT_METADATA);
    }

    @Test
    void dcr04_samlUrlsKeycloakCallsServerSideAreRefused() {
        java.util.function.BiFunction<Boolean, Map<String, String>, org.keycloak.representations.idm.ClientRepresentation> saml =
                (frontChannel, attrs) -> {
                    org.keycloak.representations.idm.ClientRepresentation r = new org.keycloak.representations.idm.ClientRepresentation();
                    r.setProtocol("saml");
                    r.setFrontchannelLogout(frontChannel);
                    r.setAttributes(new java.util.HashMap<>(attrs));
                    return r;
                };
        String post = "saml_single_logout_service_url_post";
        // Back-channel logout POSTs to these from the server.
        for (String name : List.of(post, "saml_single_logout_service_url_redirect")) {
            assertCode(() -> MetadataRules.refuseSamlServerCalledSettings(saml.apply(false, Map.of(name, "https://sp.test/slo")),
                    null, null), DcrError.INVALID_CLIENT_METADATA);
            assertThatCode(() -> MetadataRules.refuseSamlServerCalledSettings(saml.apply(true, Map.of(name, "https://sp.test/slo")),
                    null, null)).as("front-channel: the browser goes there").doesNotThrowAnyException();
        }
        // SOAP logout and artifact resolution are server calls in every mode.
        for (String name : List.of("saml_single_logout_service_url_soap", "saml_artifact_resolution_service_url")) {
            assertCode(() -> MetadataRules.refuseSamlServerCalledSettings(saml.apply(true, Map.of(name, "https://sp.test/soap")),
                    null, null), DcrError.INVALID_CLIENT_METADATA);
        }
        assertCode(() -> MetadataRules.refuseSamlServerCalledSettings(saml.apply(true, Map.of(
                "saml.useMetadataDescriptorUrl", "true", "saml.metadataDescriptorUrl", "https://sp.test/md")), null, null),
                DcrError.INVALID_CLIENT_METADATA);
        // A new SAML client without a logout mode gets Keycloak's front-channel default.
        assertThatCode(() -> MetadataRules.refuseSamlServerCalledSettings(saml.apply(null, Map.of(post, "https://sp.test/slo")),
                null, null)).doesNotThrowAnyException();
        // An update that only switches logout to back-channel is judged with the stored URL.
        assertCode(() -> MetadataRules.refuseSamlServerCalledSettings(saml.apply(false, Map.of()),
                name -> post.equals(name) ? "https://sp.test/slo" : null, true), DcrError.INVALID_CLIENT_METADATA);
        // ... and one that leaves the mode alone keeps the stored back-channel mode.
        assertCode(() -> MetadataRules.refuseSamlServerCalledSettings(saml.apply(null, Map.of(post, "https://sp.test/slo")),
                name -> null, false), DcrError.INVALID_CLIENT_METADATA);
        // Clearing the URL in the same update is fine.
        assertThatCode(() -> MetadataRules.refuseSamlServerCalledSettings(saml.apply(false, Map.of(post, "")),
                name -> post.equals(name) ? "https://sp.test/slo" : null, true)).doesNotThrowAnyException();
    }

    @Test
    void dcr08_publicClientsGetCodeAndTheEmptyResponseTypeOnly() {
        assertThatCode(() -> McpRules.checkPublicClient("none", List.of("authorization_code"), List.of("code", "none")))
                .as("Keycloak's own endpoints list none for every standard-flow client").doesNotThrowAnyException();
        assertCode(() -> McpRules.checkPublicClient("none", List.of("authorization_code"), List.of("code", "token")),
                DcrError.INVALID_CLIENT_METADATA);
    }
}
