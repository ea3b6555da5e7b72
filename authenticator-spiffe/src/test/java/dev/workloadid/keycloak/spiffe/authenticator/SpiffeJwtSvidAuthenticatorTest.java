package dev.workloadid.keycloak.spiffe.authenticator;

import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 6749 §2.3: a JWT-SVID request uses exactly one client authentication method. */
class SpiffeJwtSvidAuthenticatorTest {

    private static MultivaluedMap<String, String> assertionForm(String... more) {
        MultivaluedMap<String, String> form = new MultivaluedHashMap<>();
        form.add("grant_type", "client_credentials");
        form.add("client_assertion_type", SpiffeJwtSvidAuthenticator.ASSERTION_TYPE);
        form.add("client_assertion", "eyJ.eyJ.sig");
        for (int i = 0; i < more.length; i += 2) {
            form.add(more[i], more[i + 1]);
        }
        return form;
    }

    @Test
    void theAssertionAloneIsOneMethod() {
        assertThat(SpiffeJwtSvidAuthenticator.otherMethod(assertionForm("client_id", "svc"), null)).isNull();
    }

    @Test
    void aClientSecretNextToTheAssertionIsASecondMethod() {
        assertThat(SpiffeJwtSvidAuthenticator.otherMethod(assertionForm("client_secret", "s3cret"), null))
                .isEqualTo("client_secret");
        assertThat(SpiffeJwtSvidAuthenticator.otherMethod(assertionForm("client_secret", ""), null))
                .as("even an empty one: the parameter says which method the client meant").isEqualTo("client_secret");
    }

    @Test
    void anAuthorizationHeaderNextToTheAssertionIsASecondMethod() {
        assertThat(SpiffeJwtSvidAuthenticator.otherMethod(assertionForm(), "Basic c3ZjOnMzY3JldA=="))
                .isEqualTo("Authorization header");
    }
}
