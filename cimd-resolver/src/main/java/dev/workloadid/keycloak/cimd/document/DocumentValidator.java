package dev.workloadid.keycloak.cimd.document;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns the bytes of a Client ID Metadata Document into a {@link ClientDocument}, or refuses it
 * naming the rule (CIMD -02 section 4, probable -03 section 6). Members it does not know are
 * ignored, never fatal (unlike stock Keycloak, which rejects e.g. {@code software_statement}).
 */
public final class DocumentValidator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SHARED_SECRET_METHODS =
            Set.of("client_secret_basic", "client_secret_post", "client_secret_jwt");
    /** JWK members that carry private or symmetric key material (RFC 7518 section 6). */
    private static final Set<String> PRIVATE_JWK_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");
    private static final Set<String> REFUSED_GRANTS = Set.of("implicit", "password");
    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "[::1]", "localhost");

    private DocumentValidator() {
    }

    /**
     * @param url the Client Identifier URL the document was fetched from, exactly as received
     * @param body the response body (200 status and size already checked)
     */
    public static ClientDocument validate(String url, byte[] body) throws DocumentRejectedException {
        JsonNode root;
        try {
            root = JSON.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new DocumentRejectedException("CIMD-11", "the client metadata document is not valid JSON");
        }
        if (!(root instanceof ObjectNode doc)) {
            throw new DocumentRejectedException("CIMD-11", "the client metadata document is not a JSON object");
        }
        String clientId = string(doc, "client_id");
        if (clientId == null) {
            throw new DocumentRejectedException("CIMD-10", "the client metadata document has no client_id");
        }
        if (!clientId.equals(url)) {
            throw new DocumentRejectedException("CIMD-10",
                    "the document's client_id does not equal the URL it was fetched from (simple string comparison)");
        }
        if (doc.has("client_secret") || doc.has("client_secret_expires_at")) {
            throw new DocumentRejectedException("CIMD-14",
                    "a client metadata document must not contain client_secret or client_secret_expires_at");
        }
        String spiffeId = string(doc, "spiffe_id");
        if (spiffeId != null && !spiffeId.startsWith("spiffe://")) {
            throw new DocumentRejectedException("SCA-50", "spiffe_id must be a SPIFFE ID (spiffe://trust-domain/path) or pattern ending in /*");
        }
        AuthMethod method = authMethod(doc, spiffeId != null);
        String jwks = null;
        String jwksUri = string(doc, "jwks_uri");
        if (doc.has("jwks") && !doc.get("jwks").isNull()) {
            jwks = checkJwks(doc.get("jwks"));
        }
        if (method == AuthMethod.PRIVATE_KEY_JWT) {
            if (jwks == null && jwksUri == null) {
                throw new DocumentRejectedException("CIMD-41",
                        "token_endpoint_auth_method private_key_jwt needs jwks or jwks_uri in the document");
            }
            if (jwks != null && jwksUri != null) {
                throw new DocumentRejectedException("CIMD-41", "the document must not contain both jwks and jwks_uri");
            }
            if (jwksUri != null) {
                checkHttpsUrl(jwksUri, "jwks_uri");
            }
        }
        List<String> grants = strings(doc, "grant_types");
        if (grants == null) {
            grants = List.of(ClientDocument.AUTHORIZATION_CODE); // RFC 7591 section 2 default
        }
        for (String grant : grants) {
            if (REFUSED_GRANTS.contains(grant)) {
                throw new DocumentRejectedException("MCP-01", "unauthorized_client",
                        "grant type " + grant + " is not allowed (OAuth 2.1)");
            }
        }
        if (grants.contains(ClientDocument.CLIENT_CREDENTIALS) && method == AuthMethod.NONE) {
            throw new DocumentRejectedException("CIMD-41", "unauthorized_client",
                    "grant type client_credentials needs client authentication (private_key_jwt or spiffe_jwt), not none");
        }
        List<String> redirects = strings(doc, "redirect_uris");
        if (redirects == null) {
            redirects = List.of();
        }
        boolean redirectGrant = grants.contains(ClientDocument.AUTHORIZATION_CODE);
        if (redirectGrant && redirects.isEmpty()) {
            throw new DocumentRejectedException("CIMD-20", "the document allows authorization_code but lists no redirect_uris");
        }
        for (String redirect : redirects) {
            checkRedirectUri(redirect);
        }
        return new ClientDocument(clientId, string(doc, "client_name"), List.copyOf(redirects), List.copyOf(grants),
                method, jwks, jwksUri, spiffeId, string(doc, "client_uri"), string(doc, "logo_uri"),
                string(doc, "policy_uri"), string(doc, "tos_uri"));
    }

    /** CIMD-13, CIMD3-01..05: the method the client will authenticate with. */
    static AuthMethod authMethod(ObjectNode doc, boolean hasSpiffeId) throws DocumentRejectedException {
        String declared = string(doc, "token_endpoint_auth_method");
        List<String> supported = strings(doc, "token_endpoint_auth_methods_supported");
        for (String m : supported == null ? List.<String>of() : supported) {
            if (SHARED_SECRET_METHODS.contains(m)) {
                throw new DocumentRejectedException("CIMD3-05",
                        "token_endpoint_auth_methods_supported must not list shared-secret method " + m);
            }
        }
        if (declared != null && SHARED_SECRET_METHODS.contains(declared)) {
            throw new DocumentRejectedException("CIMD-13",
                    "token_endpoint_auth_method " + declared + " is a shared-secret method, not allowed for client metadata documents");
        }
        if (declared != null && supported != null && !supported.contains(declared)) {
            throw new DocumentRejectedException("CIMD3-03",
                    "token_endpoint_auth_method is not in token_endpoint_auth_methods_supported");
        }
        if (hasSpiffeId) {
            // spiffe_id binds the client to SPIFFE authentication, whatever the default would be.
            if (declared == null || declared.equals(AuthMethod.SPIFFE_JWT.metadataName())) {
                return AuthMethod.SPIFFE_JWT;
            }
            throw new DocumentRejectedException("SCA-50", "unauthorized_client",
                    "a document with spiffe_id must use token_endpoint_auth_method spiffe_jwt (or omit it), not " + declared);
        }
        if (declared == null) {
            if (supported == null) {
                return AuthMethod.NONE; // CIMD3-01
            }
            // CIMD3-02 / -04: pick the first listed method this server supports; never assume none.
            for (String m : supported) {
                AuthMethod known = known(m);
                if (known != null && known != AuthMethod.SPIFFE_JWT) {
                    return known;
                }
            }
            throw new DocumentRejectedException("CIMD3-04", "unauthorized_client",
                    "none of token_endpoint_auth_methods_supported is supported here (none, private_key_jwt)");
        }
        AuthMethod known = known(declared);
        if (known == null) {
            throw new DocumentRejectedException("CIMD3-04", "unauthorized_client",
                    "token_endpoint_auth_method " + declared + " is not supported for client metadata documents here");
        }
        if (known == AuthMethod.SPIFFE_JWT) {
            throw new DocumentRejectedException("SCA-50", "token_endpoint_auth_method spiffe_jwt needs spiffe_id in the document");
        }
        return known;
    }

    private static AuthMethod known(String name) {
        for (AuthMethod m : AuthMethod.values()) {
            if (m.metadataName().equals(name)) {
                return m;
            }
        }
        return null;
    }

    /** CIMD-15: a JWK Set of public keys only; returns it as JSON text. */
    public static String checkJwks(JsonNode jwks) throws DocumentRejectedException {
        if (!jwks.isObject() || !jwks.path("keys").isArray() || jwks.path("keys").isEmpty()) {
            throw new DocumentRejectedException("CIMD-15", "jwks must be a JWK Set with at least one key");
        }
        for (JsonNode key : jwks.get("keys")) {
            if (!key.isObject() || !key.path("kty").isTextual()) {
                throw new DocumentRejectedException("CIMD-15", "every key in jwks must be a JWK object with kty");
            }
            for (String member : PRIVATE_JWK_MEMBERS) {
                if (key.has(member)) {
                    throw new DocumentRejectedException("CIMD-15",
                            "jwks must contain public keys only (a key has private or symmetric member \"" + member + "\")");
                }
            }
        }
        return jwks.toString();
    }

    /** Parses and checks a fetched JWK Set (jwks_uri). */
    public static String checkJwks(byte[] body) throws DocumentRejectedException {
        try {
            return checkJwks(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
        } catch (JsonProcessingException e) {
            throw new DocumentRejectedException("CIMD-15", "the jwks_uri response is not valid JSON");
        }
    }

    /**
     * CIMD-20, MCP-11: absolute, no fragment, no wildcard (Keycloak would read "*" as one), and
     * https, http on a loopback host (native apps, RFC 8252 section 7.3), or a private-use scheme
     * in reverse-domain form (RFC 8252 section 7.1).
     */
    static void checkRedirectUri(String redirect) throws DocumentRejectedException {
        URI uri;
        try {
            uri = new URI(redirect);
        } catch (URISyntaxException e) {
            throw new DocumentRejectedException("CIMD-20", "redirect URI is not a valid URI: " + redirect);
        }
        if (!uri.isAbsolute()) {
            throw new DocumentRejectedException("CIMD-20", "redirect URI must be absolute: " + redirect);
        }
        if (redirect.contains("*")) {
            throw new DocumentRejectedException("CIMD-20", "redirect URI must not contain a wildcard: " + redirect);
        }
        if (uri.getRawFragment() != null) {
            throw new DocumentRejectedException("CIMD-20", "redirect URI must not contain a fragment: " + redirect);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "https" -> requireHost(uri, redirect);
            case "http" -> {
                requireHost(uri, redirect);
                String host = uri.getHost().toLowerCase(Locale.ROOT);
                if (!LOOPBACK_HOSTS.contains(host) && !LOOPBACK_HOSTS.contains("[" + host + "]")) {
                    throw new DocumentRejectedException("MCP-11", "redirect URI must use https unless it is loopback: " + redirect);
                }
            }
            case "javascript", "data", "file", "vbscript" ->
                    throw new DocumentRejectedException("CIMD-38", "redirect URI scheme " + scheme + " is not allowed");
            default -> {
                if (!scheme.contains(".")) {
                    throw new DocumentRejectedException("CIMD-20",
                            "a private-use redirect URI scheme must be in reverse-domain form (RFC 8252 7.1): " + redirect);
                }
            }
        }
    }

    private static void requireHost(URI uri, String redirect) throws DocumentRejectedException {
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new DocumentRejectedException("CIMD-20", "redirect URI needs a host and no user info: " + redirect);
        }
    }

    static void checkHttpsUrl(String url, String member) throws DocumentRejectedException {
        try {
            URI uri = new URI(url);
            if (!"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null
                    || uri.getRawFragment() != null) {
                throw new DocumentRejectedException("CIMD-38", member + " must be an https URL without user info or fragment");
            }
        } catch (URISyntaxException e) {
            throw new DocumentRejectedException("CIMD-38", member + " is not a valid URL");
        }
    }

    private static String string(ObjectNode doc, String member) throws DocumentRejectedException {
        JsonNode node = doc.get(member);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new DocumentRejectedException("CIMD-11", member + " must be a string");
        }
        return node.asText();
    }

    private static List<String> strings(ObjectNode doc, String member) throws DocumentRejectedException {
        JsonNode node = doc.get(member);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw new DocumentRejectedException("CIMD-11", member + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new DocumentRejectedException("CIMD-11", member + " must be an array of strings");
            }
            out.add(item.asText());
        }
        return out;
    }
}
