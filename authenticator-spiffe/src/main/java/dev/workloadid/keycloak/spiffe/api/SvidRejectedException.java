package dev.workloadid.keycloak.spiffe.api;

import java.util.Objects;

/**
 * An SVID (JWT or X.509) that must not be trusted. {@link #reason()} is a stable machine code for
 * logs, events and metrics; {@link #getMessage()} is a short description fit for an
 * {@code error_description} (it never echoes the token or unbounded token content). The OAuth error
 * is always {@code invalid_client}.
 */
public class SvidRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why an SVID was refused. {@link #code()} values are stable across releases (metric labels). */
    public enum Reason {
        /** Not one JWS in compact serialization, unparsable header or claims, unsupported header. */
        MALFORMED("malformed"),
        /** JWS JSON serialization (JSV-01). */
        JSON_SERIALIZATION("json_serialization"),
        /** A JWE; JWT-SVIDs are signed, never encrypted. */
        ENCRYPTED("encrypted_jwt"),
        /** {@code alg} not in the allow-list (JSV-03), including {@code none}, HS*, EdDSA. */
        ALG_NOT_ALLOWED("alg_not_allowed"),
        /** {@code typ} present and neither JWT nor JOSE (JSV-05). */
        TYP_NOT_ALLOWED("typ_not_allowed"),
        MISSING_SUB("missing_sub"),
        /** {@code sub} is not a valid SPIFFE ID of a workload (JSV-06, SID-01..04). */
        SUB_NOT_SPIFFE_ID("sub_not_spiffe_id"),
        MISSING_AUD("missing_aud"),
        /** {@code aud} is not exactly the expected issuer as sole value (SCA-05). */
        AUD_NOT_SOLE_ISSUER("aud_not_sole_issuer"),
        MISSING_EXP("missing_exp"),
        /** A JWT-SVID's {@code exp}, or a certificate's validity period, is past. */
        EXPIRED("expired"),
        /** {@code exp} is further from now than the policy's max lifetime. */
        LIFETIME_TOO_LONG("lifetime_too_long"),
        NBF_IN_FUTURE("nbf_in_future"),
        IAT_IN_FUTURE("iat_in_future"),
        /** {@code jti} missing while the policy requires it. */
        MISSING_JTI("missing_jti"),
        /** The {@code jti} was already used (SCA-10, opt-in). */
        REPLAYED("replayed"),
        /** The realm does not trust the SVID's trust domain (SCA-63: configured, never discovered). */
        UNKNOWN_TRUST_DOMAIN("unknown_trust_domain"),
        /** The trust domain is configured more than once in the realm (BND-07). */
        TRUST_DOMAIN_CONFLICT("trust_domain_conflict"),
        /** The trust domain's bundle could not be obtained (details in the server log only). */
        BUNDLE_UNAVAILABLE("bundle_unavailable"),
        /** The trust domain's bundle has no JWT authorities (JSV-10, BND-05). */
        NO_JWT_AUTHORITIES("no_jwt_authorities"),
        /**
         * The header {@code kid} is not in the trust domain's bundle. A caller may refresh the
         * bundle (rate-limited) and retry once: this is what a key rotation looks like.
         */
        UNKNOWN_KID("unknown_kid"),
        SIGNATURE_INVALID("signature_invalid"),
        /** No certificate, or more certificates than a chain may hold. */
        BAD_CHAIN("bad_chain"),
        /** The leaf has no URI SAN holding a SPIFFE ID (SCA-23). */
        NO_SPIFFE_ID("no_spiffe_id"),
        /** More than one URI SAN (XSV-01). */
        MULTIPLE_URI_SANS("multiple_uri_sans"),
        /** The URI SAN is not a valid SPIFFE ID (SCA-23, SID-01..04). */
        INVALID_SPIFFE_ID("invalid_spiffe_id"),
        /** The SPIFFE ID has no path: it names a trust domain, not a workload (XSV-02). */
        ROOT_PATH("root_path"),
        /** The leaf is a CA or may sign certificates or CRLs (SCA-24, XSV-03). */
        LEAF_IS_CA("leaf_is_ca"),
        /** No key usage, or no digitalSignature (SCA-25, XSV-04). */
        KEY_USAGE("key_usage"),
        /** Extended key usage present without clientAuth (XSV-05). */
        EXTENDED_KEY_USAGE("extended_key_usage"),
        /** A signing certificate of the chain carries a SPIFFE ID with a path (XSV-07). */
        SIGNING_CERT_WITH_PATH("signing_cert_with_path"),
        /** A signing certificate of the chain carries the SPIFFE ID of another trust domain (XSV-07). */
        SIGNING_CERT_OTHER_TRUST_DOMAIN("signing_cert_other_trust_domain"),
        /** The trust domain's bundle has no X.509 authorities (BND-05, XSV-08). */
        NO_X509_AUTHORITIES("no_x509_authorities"),
        /** A certificate's validity period has not begun. */
        NOT_YET_VALID("not_yet_valid"),
        /** RFC 5280 path validation to the trust domain's authorities failed (SCA-22, XSV-06). */
        PATH_INVALID("path_invalid"),
        /** The SVID could not be checked at all (logged on the server); never a verdict on the SVID. */
        SERVER_ERROR("server_error");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;
    private final String spiffeId;

    public SvidRejectedException(Reason reason, String description) {
        this(reason, null, description, null);
    }

    public SvidRejectedException(Reason reason, String description, Throwable cause) {
        this(reason, null, description, cause);
    }

    /**
     * @param spiffeId the SPIFFE ID the SVID claims, when known (for events), else null
     */
    public SvidRejectedException(Reason reason, String spiffeId, String description, Throwable cause) {
        super(description, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.spiffeId = spiffeId;
    }

    /**
     * The stable machine code of {@link #why()}, e.g. {@code signature_invalid},
     * {@code unknown_trust_domain}, or {@code server_error} when the SVID could not be checked at all.
     */
    public String reason() {
        return reason.code();
    }

    /** Why the SVID was refused. */
    public Reason why() {
        return reason;
    }

    /** The SPIFFE ID the SVID claims, or null when it was refused before one was known. */
    public String spiffeId() {
        return spiffeId;
    }
}
