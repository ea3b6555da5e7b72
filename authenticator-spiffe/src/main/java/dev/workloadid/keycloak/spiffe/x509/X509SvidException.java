package dev.workloadid.keycloak.spiffe.x509;

import java.util.Objects;

/**
 * An X.509-SVID was rejected. {@link #reason()} is a stable code for logs and events;
 * {@link #getMessage()} is a short description fit for {@code error_description}.
 */
public class X509SvidException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why the certificate was rejected. {@link #code()} values are stable across releases. */
    public enum Reason {
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
        /** The realm does not trust the SVID's trust domain (SCA-63). */
        UNKNOWN_TRUST_DOMAIN("unknown_trust_domain"),
        /** The trust domain's bundle has no X.509 authorities (BND-05, XSV-08). */
        NO_X509_AUTHORITIES("no_x509_authorities"),
        /** Outside a certificate's validity period. */
        EXPIRED("expired"),
        NOT_YET_VALID("not_yet_valid"),
        /** RFC 5280 path validation to the trust domain's authorities failed (SCA-22, XSV-06). */
        PATH_INVALID("path_invalid");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public X509SvidException(Reason reason, String description) {
        super(description);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public X509SvidException(Reason reason, String description, Throwable cause) {
        super(description, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    public String reasonCode() {
        return reason.code();
    }
}
