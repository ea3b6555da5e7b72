package dev.workloadid.keycloak.it.dcr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Helpers for the DCR tests: the pack's endpoint, policies as components, signed JWTs. */
public final class Dcr {

    static final String ENDPOINT_ID = "rfc7591";
    static final String POLICY_TYPE = "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy";

    private Dcr() {
    }

    public static URI endpoint(AdminClient admin, String realm) {
        return admin.base().resolve("/realms/" + realm + "/clients-registrations/" + ENDPOINT_ID);
    }

    public static String realmId(AdminClient admin, String realm) {
        return admin.getJson("/realms/" + realm).get("id").asText();
    }

    /** Removes the realm's stock policy of this provider id from the given set (e.g. trusted-hosts, anonymous). */
    public static void removePolicy(AdminClient admin, String realm, String subType, String providerId) {
        for (JsonNode c : admin.getJson("/realms/" + realm + "/components?type=" + POLICY_TYPE)) {
            if (providerId.equals(c.path("providerId").asText()) && subType.equals(c.path("subType").asText())) {
                AdminClient.expect(admin.delete("/realms/" + realm + "/components/" + c.get("id").asText()), 204);
            }
        }
    }

    public static void addPolicy(AdminClient admin, String realm, String subType, String providerId, Map<String, List<String>> config) {
        ObjectNode c = Http.JSON.createObjectNode()
                .put("name", providerId + "-" + subType)
                .put("providerId", providerId)
                .put("providerType", POLICY_TYPE)
                .put("subType", subType)
                .put("parentId", realmId(admin, realm));
        c.set("config", Http.JSON.valueToTree(config));
        AdminClient.expect(admin.post("/realms/" + realm + "/components", c), 201);
    }

    public static void addComponent(AdminClient admin, String realm, String providerType, String providerId, Map<String, List<String>> config) {
        ObjectNode c = Http.JSON.createObjectNode()
                .put("name", providerId + "-" + UUID.randomUUID().toString().substring(0, 6))
                .put("providerId", providerId)
                .put("providerType", providerType)
                .put("parentId", realmId(admin, realm));
        c.set("config", Http.JSON.valueToTree(config));
        AdminClient.expect(admin.post("/realms/" + realm + "/components", c), 201);
    }

    public static String initialAccessToken(AdminClient admin, String realm) {
        return admin.post("/realms/" + realm + "/clients-initial-access",
                Map.of("expiration", 3600, "count", 20)).json().get("token").asText();
    }

    public static Http.Response post(URI uri, Object body, String bearer) {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(body))), bearer);
    }

    public static Http.Response put(URI uri, Object body, String bearer) {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json(body))), bearer);
    }

    public static Http.Response get(URI uri, String bearer) {
        return send(HttpRequest.newBuilder(uri).GET(), bearer);
    }

    public static Http.Response delete(URI uri, String bearer) {
        return send(HttpRequest.newBuilder(uri).DELETE(), bearer);
    }

    private static Http.Response send(HttpRequest.Builder builder, String bearer) {
        builder.timeout(Duration.ofSeconds(30)).header("Accept", "application/json");
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        return Http.send(builder.build());
    }

    public static String json(Object body) {
        try {
            return body instanceof String s ? s : Http.JSON.writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static ObjectNode metadata(String... redirectUris) {
        ObjectNode m = Http.JSON.createObjectNode().put("client_name", "test client");
        com.fasterxml.jackson.databind.node.ArrayNode uris = m.putArray("redirect_uris");
        for (String uri : redirectUris) {
            uris.add(uri);
        }
        return m;
    }

    public static int clientCount(AdminClient admin, String realm) {
        return admin.getJson("/realms/" + realm + "/clients").size();
    }

    public static ECKey newKey(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sign(ECKey key, Map<String, Object> claims) {
        try {
            JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
            claims.forEach(b::claim);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), b.build());
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JWT-SVID: sub = the SPIFFE ID, aud = the sole audience, exp in two minutes. */
    public static String jwtSvid(ECKey key, String spiffeId, String audience) {
        Instant now = Instant.now();
        return sign(key, Map.of("sub", spiffeId, "aud", audience, "iat", Date.from(now),
                "exp", Date.from(now.plusSeconds(120)), "jti", UUID.randomUUID().toString()));
    }

    /** A SPIFFE bundle with the key as a jwt-svid authority. */
    public static String spiffeBundle(ECKey key) {
        Map<String, Object> jwk = new java.util.HashMap<>(key.toPublicJWK().toJSONObject());
        jwk.put("use", "jwt-svid");
        return json(Map.of("keys", List.of(jwk)));
    }

    public static String jwks(ECKey key) {
        return json(Map.of("keys", List.of(key.toPublicJWK().toJSONObject())));
    }
}
