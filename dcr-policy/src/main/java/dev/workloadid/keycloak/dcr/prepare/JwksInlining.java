package dev.workloadid.keycloak.dcr.prepare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.JWKSet;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import dev.workloadid.keycloak.dcr.statement.JwksFetcher;

import java.net.URI;

/**
 * jwks_uri is fetched once, now, through the SSRF-safe fetcher, and its keys stored as jwks: if
 * the URL were kept, Keycloak's client-jwt authenticator would fetch it later with its own HTTP
 * client, which checks no addresses (and DNS may have changed by then). RFC 7591 lets the AS
 * replace metadata; the response shows jwks. Key rotation: update the registration.
 */
public final class JwksInlining {

    /** Where the keys come from: {@link JwksFetcher#get}. */
    @FunctionalInterface
    public interface Keys {
        JWKSet get(URI uri, boolean refresh) throws JwksFetcher.JwksUnavailable;
    }

    private final ObjectMapper mapper;
    private final Keys keys;

    public JwksInlining(ObjectMapper mapper, Keys keys) {
        this.mapper = mapper;
        this.keys = keys;
    }

    /** Replaces jwks_uri, when there is one, with the keys it holds. */
    public void apply(RegistrationMetadata m) {
        String jwksUri = m.text(RegistrationMetadata.JWKS_URI);
        if (jwksUri == null) {
            return;
        }
        JWKSet fetched;
        try {
            fetched = keys.get(URI.create(jwksUri), true);
        } catch (JwksFetcher.JwksUnavailable e) {
            throw DcrError.metadata("jwks_uri could not be fetched: " + e.getMessage())
                    .withDetail("jwks_uri could not be fetched: " + e.detail());
        }
        m.metadata().remove(RegistrationMetadata.JWKS_URI);
        m.metadata().set(RegistrationMetadata.JWKS, signatureKeys(fetched));
    }

    /**
     * The keys as JSON. Keycloak loads client keys only with use=sig; keys published without a use are
     * signature keys here (client authentication), so say so rather than fail later.
     */
    JsonNode signatureKeys(JWKSet keys) {
        JsonNode inline;
        try {
            inline = mapper.readTree(keys.toString(true));
        } catch (JsonProcessingException e) {
            throw DcrError.metadata("jwks_uri did not hold a JWK Set");
        }
        inline.path("keys").forEach(k -> {
            if (k instanceof ObjectNode key && !key.hasNonNull("use")) {
                key.put("use", "sig");
            }
        });
        return inline;
    }
}
