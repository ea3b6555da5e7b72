package dev.workloadid.keycloak.dcr.rules;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Set;

import static dev.workloadid.keycloak.dcr.rules.RegistrationMetadata.GRANT_TYPES;
import static dev.workloadid.keycloak.dcr.rules.RegistrationMetadata.JWKS;
import static dev.workloadid.keycloak.dcr.rules.RegistrationMetadata.JWKS_URI;
import static dev.workloadid.keycloak.dcr.rules.RegistrationMetadata.RESPONSE_TYPES;

/** Rules every request to the pack's endpoint obeys, whatever the realm's policies. */
public final class MetadataRules {

    private MetadataRules() {
    }

    /** DCR-07: jwks and jwks_uri never both; jwks_uri, when present, is an absolute https URL. */
    public static void checkJwks(RegistrationMetadata m) {
        boolean jwks = m.metadata().hasNonNull(JWKS);
        String jwksUri = m.text(JWKS_URI);
        if (jwks && jwksUri != null) {
            throw DcrError.metadata("jwks and jwks_uri must not both be present (RFC 7591 §2)");
        }
        if (jwksUri != null) {
            checkHttpsUrl(jwksUri, JWKS_URI);
        }
    }

    public static URI checkHttpsUrl(String value, String member) {
        try {
            URI uri = new URI(value);
            if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null
                    || uri.getRawFragment() != null) {
                throw DcrError.metadata(member + " must be an absolute https URL without user info or fragment");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw DcrError.metadata(member + " is not a valid URL");
        }
    }

    /** DCR-08: grant_types and response_types must agree (RFC 7591 §2.1). */
    public static void checkGrantResponseConsistency(RegistrationMetadata m) {
        List<String> grants = m.list(GRANT_TYPES);
        List<String> responses = m.list(RESPONSE_TYPES);
        if (grants == null || responses == null) {
            return;
        }
        boolean code = responses.stream().anyMatch(r -> Set.of(r.split(" ")).contains("code"));
        boolean implicit = responses.stream().anyMatch(r -> {
            Set<String> parts = Set.of(r.split(" "));
            return parts.contains("token") || parts.contains("id_token");
        });
        if (code && !grants.contains("authorization_code")) {
            throw DcrError.metadata("response_type code requires grant_type authorization_code");
        }
        if (implicit && !grants.contains("implicit")) {
            throw DcrError.metadata("response_type token / id_token requires grant_type implicit");
        }
        if (grants.contains("authorization_code") && !code) {
            throw DcrError.metadata("grant_type authorization_code requires response_type code");
        }
        if (grants.contains("implicit") && !implicit) {
            throw DcrError.metadata("grant_type implicit requires response_type token or id_token");
        }
    }
}
