package dev.workloadid.keycloak.it.dcr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.workloadid.keycloak.it.fixtures.LoopbackHttpsServer;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The pack's policies in the anonymous set (stock Trusted Hosts removed), each accepting and refusing. */
@ExtendWith(KeycloakExtension.class)
class DcrPoliciesIT {

    private static String realm;
    private static URI endpoint;
    private static LoopbackHttpsServer jwksHost;

    @BeforeAll
    static void realm(AdminClient admin) {
        realm = admin.createRealm("dcr-pol");
        endpoint = Dcr.endpoint(admin, realm);
        Dcr.removePolicy(admin, realm, "anonymous", "trusted-hosts");
        Dcr.addPolicy(admin, realm, "anonymous", "wi-token-endpoint-auth-method", Map.of());
        Dcr.addPolicy(admin, realm, "anonymous", "wi-redirect-uris", Map.of());
        Dcr.addPolicy(admin, realm, "anonymous", "wi-jwks", Map.of());
        Dcr.addPolicy(admin, realm, "anonymous", "wi-mcp-clients", Map.of());
        Dcr.addPolicy(admin, realm, "anonymous", "wi-software-id-max-clients", Map.of("max-clients", List.of("2")));

        ECKey key = Dcr.newKey("c1");
        jwksHost = new LoopbackHttpsServer(TestCa.shared())
                .json("/jwks", () -> Dcr.jwks(key))
                .json("/not-jwks", () -> "{\"hello\":\"world\"}")
                .handle("/slow-jwks", exchange -> {
                    try {
                        Thread.sleep(3_000); // longer than the fetcher's 2 s read timeout
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    LoopbackHttpsServer.respond(exchange, 200, "application/json", Dcr.jwks(key));
                });
    }

    @AfterAll
    static void stop() {
        jwksHost.close();
    }

    private static ObjectNode publicNative() {
        ObjectNode m = Dcr.metadata("http://127.0.0.1:6276/oauth/callback");
        m.put("token_endpoint_auth_method", "none");
        m.put("application_type", "native");
        return m;
    }

    private static Http.Response register(ObjectNode m) {
        return Dcr.post(endpoint, m, null);
    }

    private static void refused(Http.Response r, String code, AdminClient admin, int before) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo(code);
        assertThat(r.json().get("error_description").asText()).isNotBlank();
        assertThat(Dcr.clientCount(admin, realm)).as("no client left behind").isEqualTo(before);
    }

    @Test
    void authMethod_anonymousPublicPkceClientAccepted_sharedSecretRefused(AdminClient admin) {
        Http.Response ok = register(publicNative());
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        assertThat(ok.json().get("token_endpoint_auth_method").asText()).isEqualTo("none");
        assertThat(ok.json().has("client_secret")).isFalse();
        String id = ok.json().get("client_id").asText();
        String internal = admin.getJson("/realms/" + realm + "/clients?clientId=" + id).get(0).get("id").asText();
        assertThat(admin.getJson("/realms/" + realm + "/clients/" + internal).get("attributes")
                .get("pkce.code.challenge.method").asText()).isEqualTo("S256");

        int before = Dcr.clientCount(admin, realm);
        ObjectNode secret = Dcr.metadata("https://app.example.com/cb");
        secret.put("token_endpoint_auth_method", "client_secret_post");
        refused(register(secret), "invalid_client_metadata", admin, before);
        refused(register(Dcr.metadata("https://app.example.com/cb")), "invalid_client_metadata", admin, before); // default basic
    }

    @Test
    void redirectUris_refusesHttpWebWildcardAndFragment(AdminClient admin) {
        int before = Dcr.clientCount(admin, realm);
        for (String bad : List.of("http://app.example.com/cb", "https://app.example.com/*", "https://app.example.com/cb#x")) {
            ObjectNode m = Dcr.metadata(bad);
            m.put("token_endpoint_auth_method", "none");
            m.put("application_type", "web");
            refused(register(m), "invalid_redirect_uri", admin, before);
        }
        ObjectNode web = Dcr.metadata("https://app.example.com/cb");
        web.put("token_endpoint_auth_method", "none");
        web.put("application_type", "web");
        assertThat(register(web).status()).isEqualTo(201);
    }

    @Test
    void jwks_httpsFetchedThroughSafeFetcher(AdminClient admin) {
        ObjectNode good = Dcr.metadata("https://app.example.com/cb");
        good.put("token_endpoint_auth_method", "private_key_jwt");
        good.put("jwks_uri", jwksHost.url("statements.issuer.test", "/jwks").toString());
        Http.Response ok = register(good);
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        // The keys are fetched now, through the SSRF-safe fetcher, and kept inline: Keycloak never
        // fetches the URL later with its own, unchecked HTTP client.
        assertThat(ok.json().has("jwks_uri")).as(ok.body()).isFalse();
        assertThat(ok.json().get("jwks").get("keys").size()).isPositive();

        int before = Dcr.clientCount(admin, realm);
        ObjectNode notJwks = good.deepCopy().put("jwks_uri", jwksHost.url("statements.issuer.test", "/not-jwks").toString());
        refused(register(notJwks), "invalid_client_metadata", admin, before);
        ObjectNode http = good.deepCopy().put("jwks_uri", "http://statements.issuer.test/jwks");
        refused(register(http), "invalid_client_metadata", admin, before);
    }

    /**
     * CIMD-36 for DCR: a jwks_uri that leads nowhere public is refused with a description that does
     * not tell "resolves to a refused address" from "does not resolve" (no probing of internal names).
     * The name below is in no hosts file: the JDK's hosts-file resolver fails it without any DNS query.
     */
    @Test
    void cimd36_jwksUriFailureDescriptionSaysNothingAboutTheNetwork(AdminClient admin) {
        int before = Dcr.clientCount(admin, realm);
        ObjectNode request = Dcr.metadata("https://app.example.com/cb");
        request.put("token_endpoint_auth_method", "private_key_jwt");
        request.put("jwks_uri", jwksHost.url("statements.issuer.test", "/jwks").toString()
                .replace("statements.issuer.test", "nxdomain.issuer.test"));
        Http.Response r = register(request);
        refused(r, "invalid_client_metadata", admin, before);
        assertThat(r.json().path("error_description").asText())
                .contains("host nxdomain.issuer.test could not be resolved to a permitted public address")
                .doesNotContain("special-use").doesNotContain("private-use");
    }

    @Test
    void urlsKeycloakWouldFetchOutsideTheSafeFetcherAreRefused(AdminClient admin) {
        int before = Dcr.clientCount(admin, realm);
        for (String member : List.of("sector_identifier_uri", "backchannel_logout_uri")) {
            ObjectNode request = Dcr.metadata("https://app.example.com/cb");
            request.put("token_endpoint_auth_method", "none");
            // A loopback fixture name: even if the refusal regressed, Keycloak's own fetch of it
            // would stay on 127.0.0.1 (tests never send traffic anywhere else).
            request.put(member, "https://statements.issuer.test/latest/meta-data");
            refused(register(request), "invalid_client_metadata", admin, before);
        }
    }

    @Test
    void mcp_applicationTypeAndPublicClientGrants(AdminClient admin) {
        int before = Dcr.clientCount(admin, realm);
        ObjectNode badType = publicNative().put("application_type", "desktop");
        refused(register(badType), "invalid_client_metadata", admin, before);
        ObjectNode implicit = publicNative();
        implicit.putArray("grant_types").add("implicit");
        implicit.putArray("response_types").add("token");
        refused(register(implicit), "invalid_client_metadata", admin, before);
    }

    @Test
    void maxClientsPerSoftwareId(AdminClient admin) {
        for (int i = 0; i < 2; i++) {
            Http.Response r = register(publicNative().put("software_id", "capped-app"));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
        int before = Dcr.clientCount(admin, realm);
        refused(register(publicNative().put("software_id", "capped-app")), "invalid_client_metadata", admin, before);
        assertThat(register(publicNative().put("software_id", "other-app")).status()).isEqualTo(201);
    }

    @Test
    void maxClientsPerSoftwareIdHoldsUnderConcurrentRegistrations(AdminClient admin) throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Http.Response> responses = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ObjectNode m = publicNative().put("software_id", "burst-app");
                futures.add(pool.submit(() -> {
                    go.await();
                    return register(m);
                }));
            }
            go.countDown();
            for (Future<Http.Response> f : futures) {
                responses.add(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(responses).allSatisfy(r -> {
            assertThat(r.status()).as(r.body()).isIn(201, 400, 429);
            if (r.status() == 400) {
                assertThat(r.json().path("error").asText()).isEqualTo("invalid_client_metadata");
            } else if (r.status() == 429) {
                assertThat(r.json().path("error").asText()).isEqualTo("temporarily_unavailable");
            }
        });
        long created = responses.stream().filter(r -> r.status() == 201).count();
        long stored = StreamSupport.stream(admin.getJson("/realms/" + realm + "/clients?max=1000").spliterator(), false)
                .filter(c -> "burst-app".equals(c.path("attributes").path("software_id").asText(null)))
                .count();
        assertThat(stored).as("clients stored with software_id burst-app").isEqualTo(created).isBetween(1L, 2L);
    }

    @Test
    void unknownMetadataAccepted(AdminClient admin) {
        ObjectNode m = publicNative();
        m.put("x_mcp_vendor", "whatever").putArray("x_list").add(1);
        Http.Response r = register(m);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().has("x_mcp_vendor")).isFalse();
        assertThat(r.json().get("application_type").asText()).isEqualTo("native");
    }

    /** A realm of its own: wi-server-fetched-uris in both sets besides Keycloak's defaults (trusted hosts off for anonymous). */
    private static String realmWithServerFetchedUrisPolicy(AdminClient admin, String prefix) {
        String own = admin.createRealm(prefix);
        Dcr.removePolicy(admin, own, "anonymous", "trusted-hosts");
        Dcr.addPolicy(admin, own, "anonymous", "wi-server-fetched-uris", Map.of());
        Dcr.addPolicy(admin, own, "authenticated", "wi-server-fetched-uris", Map.of());
        return own;
    }

    @Test
    void dcr04_keycloaksOwnEndpointsRefuseUrlsKeycloakWouldCall(AdminClient admin) {
        String own = realmWithServerFetchedUrisPolicy(admin, "dcr-fetched");
        try {
            URI oidc = admin.base().resolve("/realms/" + own + "/clients-registrations/openid-connect");
            URI representation = admin.base().resolve("/realms/" + own + "/clients-registrations/default");
            int before = Dcr.clientCount(admin, own);

            ObjectNode logout = Dcr.metadata("https://app.test/cb").put("backchannel_logout_uri", "https://logout.test/bc");
            Http.Response viaOidc = Dcr.post(oidc, logout, null);
            assertThat(viaOidc.status()).as(viaOidc.body()).isBetween(400, 403);
            assertThat(viaOidc.body()).contains("backchannel_logout_uri");

            ObjectNode adminUrl = Http.JSON.createObjectNode().put("clientId", "calls-home").put("adminUrl", "https://internal.test/admin");
            Http.Response viaDefault = Dcr.post(representation, adminUrl, Dcr.initialAccessToken(admin, own));
            assertThat(viaDefault.status()).as(viaDefault.body()).isBetween(400, 403);
            assertThat(viaDefault.body()).contains("adminUrl");
            assertThat(Dcr.clientCount(admin, own)).as("nothing created").isEqualTo(before);

            ObjectNode plain = Http.JSON.createObjectNode().put("clientId", "plain-default").put("publicClient", true);
            plain.putArray("redirectUris").add("https://app.test/cb");
            Http.Response ok = Dcr.post(representation, plain, Dcr.initialAccessToken(admin, own));
            assertThat(ok.status()).as(ok.body()).isEqualTo(201);
            Http.Response okOidc = Dcr.post(oidc, Dcr.metadata("https://app.test/cb"), null);
            assertThat(okOidc.status()).as(okOidc.body()).isEqualTo(201);
        } finally {
            admin.deleteRealm(own);
        }
    }

    @Test
    void dcr04_samlClientsCannotMakeKeycloakCallTheirUrls(AdminClient admin) throws Exception {
        String own = realmWithServerFetchedUrisPolicy(admin, "dcr-saml-fetched");
        try {
            URI representation = admin.base().resolve("/realms/" + own + "/clients-registrations/default");
            URI descriptor = admin.base().resolve("/realms/" + own + "/clients-registrations/saml2-entity-descriptor");
            int before = Dcr.clientCount(admin, own);

            for (String attribute : List.of("saml_single_logout_service_url_post", "saml_single_logout_service_url_redirect",
                    "saml_single_logout_service_url_soap", "saml_artifact_resolution_service_url")) {
                ObjectNode rep = Http.JSON.createObjectNode().put("clientId", "sp-" + attribute)
                        .put("protocol", "saml").put("frontchannelLogout", false);
                rep.putObject("attributes").put(attribute, "http://127.0.0.1:9/internal");
                Http.Response r = Dcr.post(representation, rep, Dcr.initialAccessToken(admin, own));
                assertThat(r.status()).as(attribute + ": " + r.body()).isBetween(400, 403);
                assertThat(r.body()).contains(attribute);
            }

            String entity = """
                    <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:test:sp:artifact">
                      <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
                        <md:ArtifactResolutionService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP"
                            Location="http://127.0.0.1:9/ars" index="0"/>
                        <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
                            Location="https://sp.test/acs" index="0"/>
                      </md:SPSSODescriptor>
                    </md:EntityDescriptor>""";
            Http.Response viaDescriptor = Http.send(java.net.http.HttpRequest.newBuilder(descriptor)
                    .header("Content-Type", "application/xml").header("Accept", "application/json")
                    .header("Authorization", "Bearer " + Dcr.initialAccessToken(admin, own))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(entity)).build());
            assertThat(viaDescriptor.status()).as(viaDescriptor.body()).isBetween(400, 403);
            assertThat(viaDescriptor.body()).contains("saml_artifact_resolution_service_url");
            assertThat(Dcr.clientCount(admin, own)).as("nothing created").isEqualTo(before);

            // Front-channel logout: the browser carries the request, so the POST URL is fine ...
            ObjectNode front = Http.JSON.createObjectNode().put("clientId", "sp-front")
                    .put("protocol", "saml").put("frontchannelLogout", true);
            front.putObject("attributes").put("saml_single_logout_service_url_post", "https://sp.test/slo");
            Http.Response created = Dcr.post(representation, front, Dcr.initialAccessToken(admin, own));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            // ... until an update switches the client to back-channel logout with the stored URL.
            ObjectNode toBack = Http.JSON.createObjectNode().put("clientId", "sp-front")
                    .put("protocol", "saml").put("frontchannelLogout", false);
            URI self = representation.resolve("default/sp-front");
            Http.Response update = Dcr.put(self, toBack, created.json().get("registrationAccessToken").asText());
            assertThat(update.status()).as(update.body()).isBetween(400, 403);
            JsonNode stored = StreamSupport.stream(admin.getJson("/realms/" + own + "/clients").spliterator(), false)
                    .filter(c -> "sp-front".equals(c.path("clientId").asText())).findFirst().orElseThrow();
            assertThat(stored.path("frontchannelLogout").asBoolean()).as("update not applied").isTrue();
        } finally {
            admin.deleteRealm(own);
        }
    }

    /** CIMD-36 for DCR: fetched URLs name port 443 unless the server allows others; nothing else is even resolved. */
    @Test
    void cimd36_jwksUriOnAPortOutsideTheAllowListIsRefusedUnfetched(AdminClient admin) {
        int before = Dcr.clientCount(admin, realm);
        ObjectNode request = Dcr.metadata("https://app.example.com/cb");
        request.put("token_endpoint_auth_method", "private_key_jwt");
        // 8443 is outside the fixtures' (ephemeral) port range the harness allows; nothing listens there.
        request.put("jwks_uri", "https://statements.issuer.test:8443/jwks");
        Http.Response r = register(request);
        refused(r, "invalid_client_metadata", admin, before);
        assertThat(r.json().path("error_description").asText()).contains("port 8443").contains("not allowed");
    }

    /**
     * CIMD-36 for DCR: an unauthenticated registrant learns nothing about the network from a
     * jwks_uri: no name, a refused connection, a failed TLS handshake and a timeout all get one
     * description; the event log keeps what happened.
     */
    @Test
    void cimd36_everyNetworkFailureGetsOneDescriptionAndTheEventKeepsTheDetail(AdminClient admin) throws Exception {
        ObjectNode events = Http.JSON.createObjectNode().put("eventsEnabled", true);
        events.putArray("enabledEventTypes");
        AdminClient.expect(admin.put("/realms/" + realm, events), 204);
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String good = jwksHost.url("statements.issuer.test", "/jwks").toString();
        Map<String, String> failures = new java.util.LinkedHashMap<>();
        failures.put("could not be resolved", good.replace("statements.issuer.test", "nxdomain.issuer.test"));
        failures.put("could not connect", "https://statements.issuer.test:" + closedPort + "/jwks");
        // localhost resolves to loopback but is not a name on the fixture's certificate.
        failures.put("TLS certificate", good.replace("statements.issuer.test", "localhost"));
        failures.put("sent nothing", jwksHost.url("statements.issuer.test", "/slow-jwks").toString());
        java.util.Set<String> descriptions = new java.util.HashSet<>();
        int before = Dcr.clientCount(admin, realm);
        for (Map.Entry<String, String> failure : failures.entrySet()) {
            String url = failure.getValue();
            ObjectNode request = Dcr.metadata("https://app.example.com/cb");
            request.put("token_endpoint_auth_method", "private_key_jwt");
            request.put("jwks_uri", url);
            Http.Response r = register(request);
            refused(r, "invalid_client_metadata", admin, before);
            String host = URI.create(url).getHost();
            descriptions.add(r.json().path("error_description").asText().replace(url, "URL").replace(host, "HOST"));
            JsonNode event = StreamSupport.stream(admin.getJson("/realms/" + realm
                            + "/events?type=CLIENT_REGISTER_ERROR&max=100").spliterator(), false)
                    .filter(e -> e.path("details").path("reason").asText().contains(url))
                    .findFirst().orElseThrow(() -> new AssertionError("no event for " + url));
            assertThat(event.path("error").asText()).isEqualTo("invalid_client_metadata");
            assertThat(event.path("details").path("reason").asText()).as(url).contains(failure.getKey());
        }
        assertThat(descriptions).as("what the registrant is told").hasSize(1);
        assertThat(descriptions.iterator().next()).isEqualTo(
                "jwks_uri could not be fetched: the JWK set at URL could not be fetched: "
                        + "host HOST could not be resolved to a permitted public address");
    }
}
