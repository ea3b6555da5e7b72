package dev.workloadid.keycloak.common.keycloak;

import java.util.List;

/**
 * Client attributes one provider JAR writes and another reads. The JARs do not depend on each
 * other, so the names live here once. Every attribute the pack reads as a fact is in this list and
 * covered by {@link #RESERVED_PREFIXES}: only the pack (or an administrator) writes them, never a
 * registration request (see {@code ReservedNames}).
 */
public final class PackClientAttributes {

    /**
     * The SPIFFE ID (or {@code /*} pattern) an administrator or an attested registration bound the
     * client to. Keycloak's own federated-subject attribute: always searchable. Not reserved by
     * prefix (stock {@code federated-jwt} uses it too): the SPIFFE binding rules guard it.
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

    /** How a SPIFFE client came to be: {@value #ATTESTED} or {@value #REGISTRATION_FREE}, written by the pack only. */
    public static final String SPIFFE_REGISTRATION = "spiffe.registration";
    /** {@link #SPIFFE_REGISTRATION} of a client made by SPIFFE-attested registration (the pack's rfc7591 endpoint). */
    public static final String ATTESTED = "attested";
    /** {@link #SPIFFE_REGISTRATION} of a client authenticator-spiffe created on a workload's first request. */
    public static final String REGISTRATION_FREE = "registration-free";
    /** The trust domain of a registration-free client; counted against the trust domain's cap. */
    public static final String SPIFFE_TRUST_DOMAIN = "spiffe.trust_domain";

    /** RFC 7591 metadata dcr-policy keeps. software_id/software_version are self-asserted unless from a statement. */
    public static final String SOFTWARE_ID = "software_id";
    public static final String SOFTWARE_VERSION = "software_version";
    /** The verified software statement, returned unmodified (DCR-13): written only after verification. */
    public static final String SOFTWARE_STATEMENT = "wi.dcr.software_statement";
    public static final String STATEMENT_ISSUER = "wi.dcr.software_statement_issuer";
    /** RFC 7591 application_type as the pack's endpoint accepted it ({@code native} loosens redirect rules). */
    public static final String APPLICATION_TYPE = "wi.dcr.application_type";

    /**
     * Attribute-name prefixes only the pack writes: {@code cimd.*} (document clients), {@code spiffe.*}
     * (SPIFFE clients), {@code wi.*} (everything else the pack keeps).
     */
    public static final List<String> RESERVED_PREFIXES = List.of("cimd.", "spiffe.", "wi.");

    private PackClientAttributes() {
    }
}
