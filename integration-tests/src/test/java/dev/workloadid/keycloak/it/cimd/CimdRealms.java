package dev.workloadid.keycloak.it.cimd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A realm's URL client_id settings (the wi-cimd-settings component) and what it records, over admin
 * REST, and the authorization request a URL client makes. Public for the fault and soak tests.
 */
public final class CimdRealms {

    static final String UI_PAGE = "org.keycloak.services.ui.extend.UiPageProvider";

    private CimdRealms() {
    }

    /** Creates the realm's settings entry (as the documented admin REST example does); returns its component id. */
    public static String configure(AdminClient admin, String realm, Map<String, List<String>> config) {
        ObjectNode settings = Http.JSON.createObjectNode()
                .put("name", "URL client IDs").put("providerId", "wi-cimd-settings").put("providerType", UI_PAGE)
                .put("parentId", admin.getJson("/realms/" + realm).get("id").asText());
        settings.set("config", Http.JSON.valueToTree(config));
        String location = AdminClient.expect(admin.post("/realms/" + realm + "/components", settings), 201).header("Location");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /** A user with a password, for logins. */
    static void addUser(AdminClient admin, String realm, String username, String password) {
        ObjectNode user = Http.JSON.createObjectNode().put("username", username).put("enabled", true)
                .put("email", username + "@example.test").put("emailVerified", true).put("firstName", "Alice").put("lastName", "Liddell");
        user.putArray("credentials").addObject().put("type", "password").put("value", password).put("temporary", false);
        AdminClient.expect(admin.post("/realms/" + realm + "/users", user), 201);
    }

    /** Changes one setting of the entry, keeping the others. */
    static void update(AdminClient admin, String realm, String componentId, String key, String value) {
        ObjectNode component = (ObjectNode) admin.getJson("/realms/" + realm + "/components/" + componentId);
        ((ObjectNode) component.get("config")).putArray(key).add(value);
        AdminClient.expect(admin.put("/realms/" + realm + "/components/" + componentId, component), 204);
    }

    /** The realm's CLIENT_REGISTER_ERROR events for one client_id, newest first. */
    static List<JsonNode> refusals(AdminClient admin, String realm, String clientId) {
        List<JsonNode> out = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/events?type=CLIENT_REGISTER_ERROR&max=100&client="
                + URLEncoder.encode(clientId, StandardCharsets.UTF_8)).forEach(out::add);
        return out;
    }

    /**
     * The refusal event of {@code clientId} for {@code rule}. A refused request usually records more
     * than one event (Keycloak looks a client up several times per request; the repeats say CIMD-34).
     */
    static JsonNode refusal(AdminClient admin, String realm, String clientId, String rule) {
        List<JsonNode> events = refusals(admin, realm, clientId);
        return events.stream().filter(e -> rule.equals(e.path("details").path("cimd_rule").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + rule + " refusal of " + clientId + " among " + events));
    }

    public static List<JsonNode> clientsWithId(AdminClient admin, String realm, String clientId) {
        List<JsonNode> out = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/clients?clientId=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&search=false").forEach(out::add);
        return out;
    }

    /** An authorization request (code, S256 PKCE with {@code challenge}, fresh state) of {@code clientId}. */
    public static URI authUrl(URI authEndpoint, String clientId, String redirectUri, String challenge) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("client_id", clientId);
        q.put("redirect_uri", redirectUri);
        q.put("response_type", "code");
        q.put("scope", "openid");
        q.put("state", "st-" + UUID.randomUUID());
        q.put("code_challenge", challenge);
        q.put("code_challenge_method", "S256");
        return URI.create(authEndpoint + "?" + q.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")));
    }

    /**
     * Sends an authorization request of {@code clientId} to the realm (any PKCE challenge: only its
     * shape matters) and returns the answer: the login page (200) when the client is usable.
     */
    public static Http.Response authorize(AdminClient admin, String realm, String clientId, String redirectUri) {
        return Http.get(authUrl(URI.create(admin.realmUrl(realm) + "/protocol/openid-connect/auth"), clientId, redirectUri,
                "pP2hIEoJNeLNYqBLcK6GCx5ACfXiD3uW79sS5XTfcbM"));
    }

    /** Turns on saving events, so refusals can be read back. */
    static void saveEvents(AdminClient admin, String realm) {
        ObjectNode events = Http.JSON.createObjectNode().put("eventsEnabled", true);
        events.putArray("enabledEventTypes");
        AdminClient.expect(admin.put("/realms/" + realm, events), 204);
    }
}
