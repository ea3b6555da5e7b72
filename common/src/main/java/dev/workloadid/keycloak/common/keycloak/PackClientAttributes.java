package dev.workloadid.keycloak.common.keycloak;

/**
 * Client attributes one provider JAR writes and another reads. The JARs do not depend on each
 * other, so the names live here once.
 */
public final class PackClientAttributes {

    /**
     * The SPIFFE ID (or {@code /*} pattern) an administrator or an attested registration bound the
     * client to. Keycloak's own federated-subject attribute: always searchable.
     */
    public static final String SPIFFE_BINDING = "jwt.credential.sub";

    /** Marks a client created and kept up to date from a Client ID Metadata Document. */
    public static final String DOCUMENT_MANAGED = "cimd.managed";

    /**
     * The {@code spiffe_id} a Client ID Metadata Document asserts for its own client. Kept apart from
     * {@link #SPIFFE_BINDING} on purpose: whoever hosts a document chooses this value, so it must
     * never take part in the client_id-less SPIFFE ID search, only apply when a request names the
     * document's URL as its client_id.
     */
    public static final String DOCUMENT_SPIFFE_ID = "cimd.spiffe_id";

    private PackClientAttributes() {
    }
}
