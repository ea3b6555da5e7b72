package dev.workloadid.keycloak.it.harness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Keycloak admin REST over plain HTTP, authenticated as the bootstrap admin in the master realm.
 * Deliberately not keycloak-admin-client: the tests must read like the README's curl examples.
 */
public final class AdminClient {

    private final KeycloakServer server;
    private String token;
    private Instant tokenExpiry = Instant.EPOCH;

    public AdminClient(KeycloakServer server) {
        this.server = server;
    }

    public URI base() {
        return server.baseUrl();
    }

    public URI realmUrl(String realm) {
        return server.baseUrl().resolve("/realms/" + realm);
    }

    public URI tokenEndpoint(String realm) {
        return server.baseUrl().resolve("/realms/" + realm + "/protocol/openid-connect/token");
    }

    private synchronized String token() {
        if (Instant.now().isAfter(tokenExpiry)) {
            Http.Response r = Http.postForm(tokenEndpoint("master"), Http.form(
                    "grant_type", "password", "client_id", "admin-cli",
                    "username", server.adminUsername(), "password", server.adminPassword()));
            if (r.status() != 200) {
                throw new IllegalStateException("admin login failed: " + r);
            }
            JsonNode json = r.json();
            token = json.get("access_token").asText();
            // Renew well before the master realm's short access-token lifespan runs out.
            tokenExpiry = Instant.now().plus(Duration.ofSeconds(Math.max(5, json.get("expires_in").asLong() - 20)));
        }
        return token;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(server.baseUrl().resolve("/admin" + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token())
                .header("Accept", "application/json");
    }

    public Http.Response get(String path) {
        return Http.send(request(path).GET().build());
    }

    public JsonNode getJson(String path) {
        return expect(get(path), 200).json();
    }

    public Http.Response post(String path, Object body) {
        return Http.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(toJson(body))).build());
    }

    public Http.Response put(String path, Object body) {
        return Http.send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(toJson(body))).build());
    }

    public Http.Response delete(String path) {
        return Http.send(request(path).DELETE().build());
    }

    /** Creates an enabled realm with a unique name starting with {@code prefix}; returns its name. */
    public String createRealm(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode realm = Http.JSON.createObjectNode().put("realm", name).put("enabled", true);
        expect(post("/realms", realm), 201);
        return name;
    }

    /** Imports a realm representation (as admin REST POST /admin/realms does); returns its name. */
    public String importRealm(JsonNode representation) {
        expect(post("/realms", representation), 201);
        return representation.get("realm").asText();
    }

    public void deleteRealm(String realm) {
        delete("/realms/" + realm);
    }

    /** Creates a client and returns its internal id (from the Location header). */
    public String createClient(String realm, JsonNode client) {
        Http.Response r = expect(post("/realms/" + realm + "/clients", client), 201);
        String location = r.header("Location");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    public static Http.Response expect(Http.Response response, int status) {
        if (response.status() != status) {
            throw new AssertionError("expected HTTP " + status + " but got " + response);
        }
        return response;
    }

    private static String toJson(Object body) {
        try {
            return body instanceof String s ? s : Http.JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
