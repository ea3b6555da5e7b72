package dev.workloadid.keycloak.spiffe.jwt;

import java.util.Objects;

/**
 * A JWT-SVID was rejected. {@link #reason()} is a stable machine code for logs, events and metrics;
 * {@link #getMessage()} is a short human description safe to return as {@code error_description}
 * (it never echoes the token or unbounded token content). The OAuth error is always
 * {@code invalid_client}.
 */
public class SvidValidationException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why the SVID was rejected. {@link #code()} values are stable across releases. */
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
        EXPIRED("expired"),
        /** {@code exp} is further from now than the policy's max lifetime. */
        LIFETIME_TOO_LONG("lifetime_too_long"),
        NBF_IN_FUTURE("nbf_in_future"),
        IAT_IN_FUTURE("iat_in_future"),
        /** No bundle is configured for the trust domain of {@code sub} (SCA-63: no discovery). */
        UNKNOWN_TRUST_DOMAIN("unknown_trust_domain"),
        /** The trust domain's bundle has no JWT authorities (JSV-10, BND-05). */
        NO_JWT_AUTHORITIES("no_jwt_authorities"),
        /**
         * The header {@code kid} is not in the trust domain's bundle. A caller may refresh the
         * bundle (rate-limited) and retry once: this is what a key rotation looks like.
         */
        UNKNOWN_KID("unknown_kid"),
        SIGNATURE_INVALID("signature_invalid"),
        /** {@code jti} missing while the policy requires it. */
        MISSING_JTI("missing_jti");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public SvidValidationException(Reason reason, String description) {
        super(description);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    /** Same as {@code reason().code()}. */
    public String reasonCode() {
        return reason.code();
    }
}
