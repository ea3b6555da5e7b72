package dev.workloadid.keycloak.dcr.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A registration request body read leniently (DCR-04: metadata the server does not understand is
 * ignored). The pack's own members ({@code software_statement}, {@code spiffe_id},
 * {@code spiffe_bundle_endpoint}) are taken out; read-only members of a client information
 * response (RFC 7592 §2.2) are dropped; what remains is split into members Keycloak's registration
 * representation knows and members it does not, which are dropped too.
 */
public final class RegistrationMetadata {

    public static final String SOFTWARE_STATEMENT = "software_statement";
    public static final String SOFTWARE_ID = "software_id";
    public static final String SOFTWARE_VERSION = "software_version";
    public static final String SPIFFE_ID = "spiffe_id";
    public static final String SPIFFE_BUNDLE_ENDPOINT = "spiffe_bundle_endpoint";
    public static final String APPLICATION_TYPE = "application_type";
    public static final String TOKEN_ENDPOINT_AUTH_METHOD = "token_endpoint_auth_method";
    public static final String REDIRECT_URIS = "redirect_uris";
    public static final String GRANT_TYPES = "grant_types";
    public static final String RESPONSE_TYPES = "response_types";
    public static final String JWKS = "jwks";
    public static final String JWKS_URI = "jwks_uri";

    /** Server-provisioned members a client must not send in an update (RFC 7592 §2.2). */
    static final Set<String> READ_ONLY = Set.of("registration_access_token", "registration_client_uri",
            "client_secret_expires_at", "client_id_issued_at");

    private final ObjectNode metadata;
    private final String softwareStatement;
    private final String spiffeId;
    private final Set<String> ignored = new TreeSet<>();

    private RegistrationMetadata(ObjectNode metadata, String softwareStatement, String spiffeId) {
        this.metadata = metadata;
        this.softwareStatement = softwareStatement;
        this.spiffeId = spiffeId;
    }

    /** Wraps metadata already in tree form (e.g. rebuilt from a Keycloak client representation). */
    public static RegistrationMetadata of(ObjectNode metadata) {
        return new RegistrationMetadata(metadata, null, null);
    }

    public static RegistrationMetadata parse(ObjectMapper mapper, String body) {
        if (body == null || body.isBlank()) {
            throw DcrError.metadata("the request body must be a JSON object of client metadata");
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw DcrError.metadata("the request body is not valid JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw DcrError.metadata("the request body must be a JSON object of client metadata");
        }
        ObjectNode node = (ObjectNode) tree;
        JsonNode rawStatement = node.remove(SOFTWARE_STATEMENT);
        if (rawStatement != null && !rawStatement.isNull() && !rawStatement.isTextual()) {
            // RFC 7591 §3.2.2: a statement that is not a JWT string is an invalid statement, as an unparsable one is.
            throw new DcrError(DcrError.INVALID_SOFTWARE_STATEMENT, "software_statement must be a JWT string");
        }
        String statement = textOrNull(rawStatement, SOFTWARE_STATEMENT);
        String spiffeId = textOrNull(node.remove(SPIFFE_ID), SPIFFE_ID);
        RegistrationMetadata m = new RegistrationMetadata(node, statement, spiffeId);
        // SCA-53: trust material is never taken from the client; the member is ignored.
        if (node.remove(SPIFFE_BUNDLE_ENDPOINT) != null) {
            m.ignored.add(SPIFFE_BUNDLE_ENDPOINT);
        }
        for (String readOnly : READ_ONLY) {
            if (node.remove(readOnly) != null) {
                m.ignored.add(readOnly);
            }
        }
        return m;
    }

    /**
     * Merges the claims of a verified software statement into the metadata; they take precedence
     * over the same members of the request (DCR-09). JWT bookkeeping claims are not metadata.
     *
     * @return the names of the members taken from the statement
     */
    public Set<String> applyStatementClaims(ObjectMapper mapper, Map<String, Object> claims) {
        Set<String> used = new TreeSet<>();
        for (Map.Entry<String, Object> claim : claims.entrySet()) {
            String name = claim.getKey();
            if (Set.of("iss", "sub", "aud", "exp", "iat", "nbf", "jti", SOFTWARE_STATEMENT).contains(name)
                    || READ_ONLY.contains(name) || name.equals("client_id") || name.equals("client_secret")) {
                continue;
            }
            metadata.set(name, mapper.valueToTree(claim.getValue()));
            used.add(name);
        }
        return used;
    }

    /** Removes members Keycloak's representation does not know; they are ignored (DCR-04). */
    public void dropUnknown(Set<String> known) {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = metadata.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                unknown.add(name);
            }
        }
        metadata.remove(unknown);
        ignored.addAll(unknown);
    }

    public ObjectNode metadata() {
        return metadata;
    }

    public String softwareStatement() {
        return softwareStatement;
    }

    public String requestedSpiffeId() {
        return spiffeId;
    }

    public Set<String> ignored() {
        return ignored;
    }

    public String text(String member) {
        JsonNode v = metadata.get(member);
        return v == null || v.isNull() ? null : v.isTextual() ? v.asText() : v.toString();
    }

    public List<String> list(String member) {
        return list(metadata, member);
    }

    public static List<String> list(JsonNode node, String member) {
        JsonNode v = node.get(member);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw DcrError.metadata(member + " must be a JSON array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw DcrError.metadata(member + " must be a JSON array of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    private static String textOrNull(JsonNode v, String member) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw DcrError.metadata(member + " must be a string");
        }
        return v.asText();
    }
}
