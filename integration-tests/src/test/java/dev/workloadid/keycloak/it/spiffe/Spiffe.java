package dev.workloadid.keycloak.it.spiffe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.fixtures.LoopbackHttpsServer;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared steps of the SPIFFE integration tests, written against the pack's admin contract: trust
 * domains are realm components ({@code providerId} {@code spiffe-trust-domain}), clients use the
 * {@code spiffe-jwt-svid} authenticator with a {@code spiffe.id} attribute, and a token request sends
 * the JWT-SVID as a {@code jwt-spiffe} client assertion. Public for test classes of other packages
 * (the cluster tests); each call goes to the Keycloak its {@link AdminClient} points at.
 */
public final class Spiffe {

    public static final String JWT_SPIFFE = "urn:ietf:params:oauth:client-assertion-type:jwt-spiffe";
    public static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    public static final String AUTHENTICATOR = "spiffe-jwt-svid";
    public static final String TRUST_DOMAIN_PROVIDER = "spiffe-trust-domain";
    public static final String TRUST_DOMAIN_PROVIDER_TYPE = "org.keycloak.services.ui.extend.UiPageProvider";

    private Spiffe() {
    }

    // ---------------------------------------------------------------------------------------------
    // Trust domains

    /** Config of a trust-domain component; every value is a string array, as components store them. */
    public static final class TrustDomainConfig {
        private final String name;
        private final Map<String, List<String>> config = new LinkedHashMap<>();

        private TrustDomainConfig(String trustDomain) {
            this.name = trustDomain;
            set("trustDomain", trustDomain);
        }

        /** https_web bundle endpoint of the authority, with a 1 s refresh floor so tests stay fast. */
        public static TrustDomainConfig httpsWeb(SpiffeTestAuthority authority) {
            return new TrustDomainConfig(authority.trustDomain())
                    .set("bundleSource", "https_web")
                    .set("bundleEndpointUrl", authority.bundleEndpointUrl().toString())
                    .set("refreshHintFloorSeconds", "1");
        }

        /** The authority's current bundle pasted as a static JWKS. */
        public static TrustDomainConfig staticBundle(SpiffeTestAuthority authority) {
            return new TrustDomainConfig(authority.trustDomain())
                    .set("bundleSource", "static")
                    .set("staticBundle", authority.bundleJson());
        }

        public TrustDomainConfig set(String key, String... values) {
            config.put(key, List.of(values));
            return this;
        }

        public TrustDomainConfig replayProtection(boolean on) {
            return set("replayProtection", Boolean.toString(on));
        }

        public TrustDomainConfig registrationFree(String templateClientId, String... allowList) {
            set("registrationFree", "true");
            set("registrationFreeAllowList", allowList);
            if (templateClientId != null) {
                set("registrationFreeTemplateClient", templateClientId);
            }
            return this;
        }

        ObjectNode toComponent(String realmId) {
            ObjectNode component = Http.JSON.createObjectNode()
                    .put("name", name)
                    .put("providerType", TRUST_DOMAIN_PROVIDER_TYPE)
                    .put("providerId", TRUST_DOMAIN_PROVIDER)
                    .put("parentId", realmId);
            ObjectNode cfg = component.putObject("config");
            config.forEach((k, v) -> {
                ArrayNode values = cfg.putArray(k);
                v.forEach(values::add);
            });
            return component;
        }
    }

    /** Deletes the test class's realm and stops its fixture server; either may be null. */
    public static void cleanUp(AdminClient admin, String realm, LoopbackHttpsServer server) {
        if (realm != null) {
            admin.deleteRealm(realm);
        }
        if (server != null) {
            server.close();
        }
    }

    public static String realmId(AdminClient admin, String realm) {
        return admin.getJson("/realms/" + realm).get("id").asText();
    }

    /** Creates the trust-domain component and returns its id. */
    public static String createTrustDomain(AdminClient admin, String realm, TrustDomainConfig config) {
        Http.Response r = admin.post("/realms/" + realm + "/components", config.toComponent(realmId(admin, realm)));
        AdminClient.expect(r, 201);
        String location = r.header("Location");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /** Replaces a trust-domain component's config (PUT of the whole representation). */
    public static void updateTrustDomain(AdminClient admin, String realm, String componentId, TrustDomainConfig config) {
        ObjectNode component = config.toComponent(realmId(admin, realm)).put("id", componentId);
        AdminClient.expect(admin.put("/realms/" + realm + "/components/" + componentId, component), 204);
    }

    /** Admin REST path of the executions of the realm's current client authentication flow. */
    static String clientFlowExecutionsPath(AdminClient admin, String realm) {
        String flow = admin.getJson("/realms/" + realm).get("clientAuthenticationFlow").asText();
        return "/realms/" + realm + "/authentication/flows/" + flow.replace(" ", "%20") + "/executions";
    }

    /** The executions of the realm's client authentication flow that run {@code providerId}. */
    static List<JsonNode> clientFlowExecutions(AdminClient admin, String realm, String providerId) {
        List<JsonNode> found = new ArrayList<>();
        admin.getJson(clientFlowExecutionsPath(admin, realm)).forEach(e -> {
            if (providerId.equals(e.path("providerId").asText())) {
                found.add(e);
            }
        });
        return found;
    }

    public static void enableEvents(AdminClient admin, String realm) {
        AdminClient.expect(admin.put("/realms/" + realm,
                Http.JSON.createObjectNode().put("eventsEnabled", true)), 204);
    }

    /** The realm's events of one type, newest first (events must be enabled). */
    static List<JsonNode> events(AdminClient admin, String realm, String type) {
        List<JsonNode> out = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/events?type=" + type + "&max=500").forEach(out::add);
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Clients

    /** A confidential service-account client authenticated by JWT-SVID; returns its internal id. */
    public static String createSpiffeClient(AdminClient admin, String realm, String clientId, String spiffeIdOrPattern) {
        return admin.createClient(realm, spiffeClient(clientId, spiffeIdOrPattern));
    }

    public static ObjectNode spiffeClient(String clientId, String spiffeIdOrPattern) {
        ObjectNode client = Http.JSON.createObjectNode()
                .put("clientId", clientId)
                .put("publicClient", false)
                .put("clientAuthenticatorType", AUTHENTICATOR)
                .put("serviceAccountsEnabled", true)
                .put("standardFlowEnabled", false)
                .put("directAccessGrantsEnabled", false);
        client.putObject("attributes").put("jwt.credential.sub", spiffeIdOrPattern);
        return client;
    }

    /** Clients per partial-import request: small enough to answer within the admin client's 30 s on a loaded machine. */
    public static final int IMPORT_BATCH = Integer.getInteger("wi.bench.scale.import-batch", 50);

    /**
     * Creates many clients fast: Keycloak's partial import, {@code batch} clients per request. Partial
     * import does not create the service-account user a {@code serviceAccountsEnabled} client needs
     * for client_credentials, so a second request per batch imports those users, linked by
     * {@code serviceAccountClientId}. Fails on the first refused request.
     */
    public static void importClients(AdminClient admin, String realm, List<? extends JsonNode> clients, int batch) {
        for (int from = 0; from < clients.size(); from += batch) {
            List<? extends JsonNode> slice = clients.subList(from, Math.min(clients.size(), from + batch));
            ObjectNode body = Http.JSON.createObjectNode().put("ifResourceExists", "FAIL");
            ArrayNode array = body.putArray("clients");
            slice.forEach(array::add);
            AdminClient.expect(admin.post("/realms/" + realm + "/partialImport", body), 200);
            ObjectNode users = Http.JSON.createObjectNode().put("ifResourceExists", "FAIL");
            ArrayNode userArray = users.putArray("users");
            for (JsonNode client : slice) {
                if (client.path("serviceAccountsEnabled").asBoolean(false)) {
                    String clientId = client.get("clientId").asText();
                    userArray.addObject().put("username", "service-account-" + clientId.toLowerCase(Locale.ROOT))
                            .put("enabled", true).put("serviceAccountClientId", clientId);
                }
            }
            if (!userArray.isEmpty()) {
                AdminClient.expect(admin.post("/realms/" + realm + "/partialImport", users), 200);
            }
        }
    }

    /** Clients with exactly this clientId (the admin search is a prefix/infix search otherwise). */
    public static List<JsonNode> clientsWithClientId(AdminClient admin, String realm, String clientId) {
        JsonNode found = admin.getJson("/realms/" + realm + "/clients?clientId="
                + URLEncoder.encode(clientId, StandardCharsets.UTF_8) + "&search=false&max=100");
        List<JsonNode> exact = new ArrayList<>();
        found.forEach(c -> {
            if (clientId.equals(c.path("clientId").asText())) {
                exact.add(c);
            }
        });
        return exact;
    }

    // ---------------------------------------------------------------------------------------------
    // Requests

    public static URI issuer(AdminClient admin, String realm) {
        return admin.realmUrl(realm);
    }

    public static URI oidc(AdminClient admin, String realm, String path) {
        return URI.create(admin.realmUrl(realm) + "/protocol/openid-connect" + path);
    }

    /** client_credentials with the JWT-SVID as a jwt-spiffe client assertion; {@code clientId} may be null. */
    public static Http.Response token(AdminClient admin, String realm, String svid, String clientId) {
        Map<String, String> form = Http.form(
                "grant_type", "client_credentials",
                "client_assertion_type", JWT_SPIFFE,
                "client_assertion", svid);
        if (clientId != null) {
            form.put("client_id", clientId);
        }
        return Http.postForm(admin.tokenEndpoint(realm), form);
    }

    public static Http.Response token(AdminClient admin, String realm, String svid) {
        return token(admin, realm, svid, null);
    }

    /** Asserts a 200 token response and returns the access token's claims. */
    public static JsonNode assertToken(Http.Response response) {
        assertThat(response.status()).as("token response: %s", response).isEqualTo(200);
        String accessToken = response.json().path("access_token").asText();
        assertThat(accessToken).as("access_token in %s", response).isNotEmpty();
        return claims(accessToken);
    }

    /** Asserts a 200 token response issued to {@code clientId} (access token azp). */
    public static JsonNode assertTokenFor(Http.Response response, String clientId) {
        JsonNode claims = assertToken(response);
        assertThat(claims.path("azp").asText()).as("azp of the access token; response %s", response)
                .isEqualTo(clientId);
        return claims;
    }

    /**
     * Asserts the OAuth error for a failed client authentication: HTTP 400 or 401 (never 5xx),
     * {@code error=invalid_client}, a non-empty {@code error_description}, and, when hints are given,
     * a description that mentions at least one of them (case-insensitive).
     */
    public static String assertInvalidClient(Http.Response response, String... descriptionHints) {
        assertThat(response.status()).as("status of %s", response).isIn(400, 401);
        JsonNode json = response.json();
        assertThat(json.path("error").asText()).as("error of %s", response).isEqualTo("invalid_client");
        String description = json.path("error_description").asText("");
        assertThat(description).as("error_description of %s", response).isNotBlank();
        if (descriptionHints.length > 0) {
            String lower = description.toLowerCase(Locale.ROOT);
            boolean any = false;
            for (String hint : descriptionHints) {
                any |= lower.contains(hint.toLowerCase(Locale.ROOT));
            }
            assertThat(any).as("error_description \"%s\" should mention one of %s", description,
                    List.of(descriptionHints)).isTrue();
        }
        return description;
    }

    /** The payload of a JWT, unverified. */
    public static JsonNode claims(String jwt) {
        String[] parts = jwt.split("\\.");
        try {
            return Http.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (Exception e) {
            throw new AssertionError("not a JWT: " + jwt, e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Polling

    /**
     * Calls {@code action} every {@code every} until {@code done} holds for its result or {@code
     * timeout} passes; returns the first result that satisfied {@code done}, or fails with the last one.
     */
    public static <T> T poll(Duration timeout, Duration every, Supplier<T> action, Predicate<T> done, String what) {
        Instant deadline = Instant.now().plus(timeout);
        T last;
        while (true) {
            last = action.get();
            if (done.test(last)) {
                return last;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last: " + last);
            }
            sleep(every);
        }
    }

    public static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
