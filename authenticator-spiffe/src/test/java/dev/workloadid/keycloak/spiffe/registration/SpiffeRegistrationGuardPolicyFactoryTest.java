package dev.workloadid.keycloak.spiffe.registration;

import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

class SpiffeRegistrationGuardPolicyFactoryTest {

    private static final String VICTIM = "spiffe://example.org/ns/prod/sa/payments";

    private static ClientRepresentation client(String authenticator, Map<String, String> attributes) {
        ClientRepresentation rep = new ClientRepresentation();
        rep.setClientId("squatter");
        rep.setClientAuthenticatorType(authenticator);
        rep.setAttributes(attributes);
        return rep;
    }

    @Test
    void sca07_aRegistrationCannotBindAClientToAnotherWorkloadsSpiffeId() {
        for (String authenticator : new String[] {"spiffe-jwt-svid", "spiffe-x509-svid", "federated-jwt", null}) {
            assertThat(SpiffeRegistrationGuardPolicyFactory.refusal(
                    client(authenticator, Map.of("jwt.credential.sub", VICTIM)), null, null))
                    .as(String.valueOf(authenticator)).get(STRING).contains(VICTIM, "attested");
        }
        assertThat(SpiffeRegistrationGuardPolicyFactory.refusal(
                client("spiffe-jwt-svid", Map.of("jwt.credential.sub", "spiffe://example.org/ns/prod/*")), null, null))
                .isPresent();
    }

    @Test
    void sca07_onlyTheAttestedSpiffeIdMayBeBoundAtRegistration() {
        assertThat(SpiffeRegistrationGuardPolicyFactory.refusal(
                client("spiffe-jwt-svid", Map.of("jwt.credential.sub", VICTIM)), VICTIM, null)).isEmpty();
        assertThat(SpiffeRegistrationGuardPolicyFactory.refusal(
                client("spiffe-jwt-svid", Map.of("jwt.credential.sub", VICTIM)), "spiffe://example.org/other", null)).isPresent();
        assertThat(SpiffeRegistrationGuardPolicyFactory.refusal(client("client-secret", Map.of()), null, null)).isEmpty();
        assertThat(SpiffeRegistrationGuardPolicyFactory.refusal(client("client-secret", null), null, null)).isEmpty();
    }
}
