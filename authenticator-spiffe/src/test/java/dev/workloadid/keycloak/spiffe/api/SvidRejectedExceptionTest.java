package dev.workloadid.keycloak.spiffe.api;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The one SVID refusal type: its reason codes are event details and metric labels, so they never change. */
class SvidRejectedExceptionTest {

    @Test
    void reasonCodesAreStable() {
        assertThat(Arrays.stream(SvidRejectedException.Reason.values()).map(SvidRejectedException.Reason::code))
                .containsExactlyInAnyOrder(
                        // JWT-SVID
                        "malformed", "json_serialization", "encrypted_jwt", "alg_not_allowed", "typ_not_allowed",
                        "missing_sub", "sub_not_spiffe_id", "missing_aud", "aud_not_sole_issuer", "missing_exp",
                        "expired", "lifetime_too_long", "nbf_in_future", "iat_in_future", "no_jwt_authorities",
                        "unknown_kid", "signature_invalid", "missing_jti", "replayed",
                        // X.509-SVID
                        "bad_chain", "no_spiffe_id", "multiple_uri_sans", "invalid_spiffe_id", "root_path", "leaf_is_ca",
                        "key_usage", "extended_key_usage", "signing_cert_with_path", "signing_cert_other_trust_domain",
                        "no_x509_authorities", "not_yet_valid", "path_invalid",
                        // either, and the realm's trust
                        "unknown_trust_domain", "trust_domain_conflict", "bundle_unavailable", "server_error");
    }

    @Test
    void reasonIsTheCodeAndWhyTheEnum() {
        SvidRejectedException e = new SvidRejectedException(SvidRejectedException.Reason.REPLAYED,
                "spiffe://example.org/a", "JWT-SVID replayed", null);
        assertThat(e.reason()).isEqualTo("replayed");
        assertThat(e.why()).isEqualTo(SvidRejectedException.Reason.REPLAYED);
        assertThat(e.spiffeId()).isEqualTo("spiffe://example.org/a");
        assertThat(e.getMessage()).isEqualTo("JWT-SVID replayed");
    }
}
