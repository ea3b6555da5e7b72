package dev.workloadid.keycloak.dcr.prepare;

import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Step 4 of preparing a request: client_secret. An update may repeat the current secret (RFC 7592
 * §2.2), compared in constant time; a client never sets its own, so the member goes either way.
 */
public final class SecretStep {

    private SecretStep() {
    }

    /** @param existing the client being updated, or null for a registration */
    public static void apply(RegistrationMetadata m, ExistingClient existing) {
        if (existing != null && m.metadata().hasNonNull("client_secret") && !MessageDigest.isEqual(
                m.metadata().get("client_secret").asText().getBytes(StandardCharsets.UTF_8),
                String.valueOf(existing.secret()).getBytes(StandardCharsets.UTF_8))) {
            throw DcrError.metadata("client_secret does not match the current secret; a client cannot set its own secret");
        }
        m.metadata().remove("client_secret");
    }
}
