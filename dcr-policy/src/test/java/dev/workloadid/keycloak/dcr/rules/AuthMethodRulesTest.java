package dev.workloadid.keycloak.dcr.rules;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.workloadid.keycloak.dcr.rules.Refusals.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * {@link AuthMethodRules}: DCR-06 (an omitted method is client_secret_basic), DCR-04 (the server may
 * refuse requested values: realm allow-lists), DCR-14 (refusals are invalid_client_metadata).
 */
class AuthMethodRulesTest {

    @Test
    void dcr06_omittedOrBlankMethodIsClientSecretBasic() {
        assertThat(AuthMethodRules.effective(null)).isEqualTo("client_secret_basic");
        assertThat(AuthMethodRules.effective("")).isEqualTo("client_secret_basic");
        assertThat(AuthMethodRules.effective("  ")).isEqualTo("client_secret_basic");
        assertThat(AuthMethodRules.effective("private_key_jwt")).isEqualTo("private_key_jwt");
    }

    @Test
    void dcr06_omittedMethodIsJudgedAsClientSecretBasicAndTheRefusalSaysSo() {
        DcrError e = refused(() -> AuthMethodRules.check(null, AuthMethodRules.ANONYMOUS_DEFAULT),
                DcrError.INVALID_CLIENT_METADATA);
        assertThat(e.description()).contains("client_secret_basic", "none given");
        assertThatCode(() -> AuthMethodRules.check(null, List.of("client_secret_basic"))).doesNotThrowAnyException();
        assertThatCode(() -> AuthMethodRules.check(" ", List.of("client_secret_basic"))).doesNotThrowAnyException();
    }

    @Test
    void dcr04_anonymousDefaultHasNoSharedSecretMethodAndNamesWhatIsAllowed() {
        assertThat(AuthMethodRules.ANONYMOUS_DEFAULT).doesNotContainAnyElementsOf(AuthMethodRules.SHARED_SECRET_METHODS);
        for (String secret : AuthMethodRules.SHARED_SECRET_METHODS) {
            DcrError e = refused(() -> AuthMethodRules.check(secret, AuthMethodRules.ANONYMOUS_DEFAULT),
                    DcrError.INVALID_CLIENT_METADATA);
            assertThat(e.description()).contains(secret, "allowed: " + String.join(", ", AuthMethodRules.ANONYMOUS_DEFAULT));
        }
    }

    @Test
    void dcr04_anonymousDefaultAcceptsKeyBasedSpiffeAndPublicMethods() {
        for (String method : List.of("private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth", "spiffe_jwt", "none")) {
            assertThatCode(() -> AuthMethodRules.check(method, AuthMethodRules.ANONYMOUS_DEFAULT)).as(method)
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void dcr04_authenticatedDefaultAcceptsEveryMethodThePackOffers() {
        // Documented as "all methods": a client bound to an X.509-SVID keeps spiffe_x509 through its updates.
        for (String method : List.of("private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth", "spiffe_jwt",
                "spiffe_x509", "none", "client_secret_basic", "client_secret_post", "client_secret_jwt")) {
            assertThatCode(() -> AuthMethodRules.check(method, AuthMethodRules.AUTHENTICATED_DEFAULT)).as(method)
                    .doesNotThrowAnyException();
        }
        assertThat(AuthMethodRules.AUTHENTICATED_DEFAULT).containsAll(AuthMethodRules.ANONYMOUS_DEFAULT);
    }

    @Test
    void dcr04_configuredListIsMatchedExactly() {
        List<String> onlyKeys = List.of("private_key_jwt");
        assertThatCode(() -> AuthMethodRules.check("private_key_jwt", onlyKeys)).doesNotThrowAnyException();
        refused(() -> AuthMethodRules.check("PRIVATE_KEY_JWT", onlyKeys), DcrError.INVALID_CLIENT_METADATA);
        refused(() -> AuthMethodRules.check("tls_client_auth", onlyKeys), DcrError.INVALID_CLIENT_METADATA);
        refused(() -> AuthMethodRules.check("unknown_method", AuthMethodRules.AUTHENTICATED_DEFAULT),
                DcrError.INVALID_CLIENT_METADATA);
        refused(() -> AuthMethodRules.check("none", List.of()), DcrError.INVALID_CLIENT_METADATA);
    }
}
