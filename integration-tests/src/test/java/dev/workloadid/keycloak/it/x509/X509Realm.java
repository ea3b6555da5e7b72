package dev.workloadid.keycloak.it.x509;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;

/** Realm setup and requests shared by the X.509-SVID tests: trust domains with static PEM bundles, clients. */
public final class X509Realm {

    static final String PROVIDER_TYPE = "org.keycloak.services.ui.extend.UiPageProvider";

    private X509Realm() {
    }

    /** A realm trusting both test trust domains (static PEM bundles, X.509 authorities only). */
    public static String create(AdminClient admin, String prefix) {
        String realm = admin.createRealm(prefix);
        String realmId = admin.getJson("/realms/" + realm).get("id").asText();
        SpiffeX509Authorities x509 = SpiffeX509Authorities.shared();
        for (var issuer : new dev.workloadid.keycloak.spiffe.x509.X509SvidIssuer[] {x509.one(), x509.two()}) {
            ObjectNode component = Http.JSON.createObjectNode()
                    .put("name", issuer.trustDomain()).put("providerId", "spiffe-trust-domain")
                    .put("providerType", PROVIDER_TYPE).put("parentId", realmId);
            ObjectNode config = component.putObject("config");
            config.putArray("trustDomain").add(issuer.trustDomain());
            config.putArray("bundleSource").add("static");
            config.putArray("staticBundle").add(issuer.rootPem());
            AdminClient.expect(admin.post("/realms/" + realm + "/components", component), 201);
        }
        return realm;
    }

    /** A confidential service-account client of {@code authenticatorType} with the given attributes. */
    public static String client(AdminClient admin, String realm, String clientId, String authenticatorType, Map<String, String> attributes) {
        ObjectNode client = Http.JSON.createObjectNode()
                .put("clientId", clientId).put("publicClient", false)
                .put("clientAuthenticatorType", authenticatorType)
                .put("serviceAccountsEnabled", true).put("standardFlowEnabled", false);
        ObjectNode attrs = client.putObject("attributes");
        attributes.forEach(attrs::put);
        if ("client-secret".equals(authenticatorType)) {
            client.put("secret", "s3cret");
        }
        return admin.createClient(realm, client);
    }

    /** Puts the client itself into its tokens' audience, so it may introspect them (Keycloak 26 requires it). */
    public static void selfAudience(AdminClient admin, String realm, String internalId, String clientId) {
        ObjectNode mapper = Http.JSON.createObjectNode().put("name", "self-audience").put("protocol", "openid-connect")
                .put("protocolMapper", "oidc-audience-mapper");
        mapper.putObject("config").put("included.client.audience", clientId).put("access.token.claim", "true")
                .put("introspection.token.claim", "true");
        AdminClient.expect(admin.post("/realms/" + realm + "/clients/" + internalId + "/protocol-mappers/models", mapper), 201);
    }

    public static Http.Response post(HttpClient http, URI uri, Map<String, String> form, String basic) {
        String body = form.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (basic != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
        return send(http, request.build());
    }

    public static Http.Response get(HttpClient http, URI uri, String bearer) {
        return send(http, HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer).GET().build());
    }

    public static Http.Response send(HttpClient http, HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Http.Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            // A refused handshake: reported as status 0 so tests can say "never authenticated".
            return new Http.Response(0, "TLS/IO failure: " + e, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The JSON payload of a JWT, unverified: the tests read their own tokens. */
    public static JsonNode claims(String jwt) {
        try {
            return Http.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
