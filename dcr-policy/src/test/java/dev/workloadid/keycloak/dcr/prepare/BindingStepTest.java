package dev.workloadid.keycloak.dcr.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link BindingStep}: where a SPIFFE binding may come from on the pack's endpoint, and what a bound client gets. */
class BindingStepTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ID = "spiffe://td.test/ns/prod/sa/ledger";
    private static final ExistingClient BOUND = new ExistingClient("spiffe-jwt-svid", ID, "s3cret");
    private static final ExistingClient UNBOUND = new ExistingClient("client-secret", null, "s3cret");

    private static RegistrationMetadata parse(String json) {
        return RegistrationMetadata.parse(MAPPER, json);
    }

    private static void refused(Runnable step, String... inDescription) {
        assertThatThrownBy(step::run).isInstanceOfSatisfying(DcrError.class, e -> {
            assertThat(e.code()).isEqualTo(DcrError.INVALID_CLIENT_METADATA);
            assertThat(e.description()).contains(inDescription);
        });
    }

    @Test
    void dcr15_spiffeIdInTheBodyIsRefusedWithoutAttestation() {
        refused(() -> BindingStep.apply(parse("{\"spiffe_id\":\"" + ID + "\"}"), null, null), "spiffe_id", "attested");
        refused(() -> BindingStep.apply(parse("{\"spiffe_id\":\"spiffe://td.test/other\"}"), ID, null), "attested SPIFFE ID");
        refused(() -> BindingStep.apply(parse("{\"spiffe_id\":\"" + ID + "\"}"), null, UNBOUND), "spiffe_id");
    }

    @Test
    void dcr15_aSpiffeAuthMethodWithoutAttestationIsRefused() {
        for (String method : new String[] {"spiffe_jwt", "spiffe_x509"}) {
            refused(() -> BindingStep.apply(parse("{\"token_endpoint_auth_method\":\"" + method + "\"}"), null, null),
                    "token_endpoint_auth_method " + method, "SPIFFE-attested registration");
        }
    }

    @Test
    void dcr04_anAttestedRegistrationIsBoundAndGetsTheSpiffeMethodAndClientCredentials() {
        RegistrationMetadata m = parse("{\"spiffe_id\":\"" + ID + "\",\"token_endpoint_auth_method\":\"private_key_jwt\"}");
        assertThat(BindingStep.apply(m, ID, null)).isEqualTo(ID);
        assertThat(m.text(RegistrationMetadata.TOKEN_ENDPOINT_AUTH_METHOD)).isEqualTo("spiffe_jwt");
        assertThat(m.list(RegistrationMetadata.GRANT_TYPES)).containsExactly("client_credentials");
        assertThat(m.list(RegistrationMetadata.RESPONSE_TYPES)).isEmpty();
        assertThat(m.metadata().has(RegistrationMetadata.SPIFFE_ID)).as("never passed on as metadata").isFalse();
    }

    @Test
    void dcr04_anAttestedRegistrationNamingGrantTypesKeepsThem() {
        RegistrationMetadata m = parse("{\"grant_types\":[\"client_credentials\",\"refresh_token\"]}");
        BindingStep.apply(m, ID, null);
        assertThat(m.list(RegistrationMetadata.GRANT_TYPES)).containsExactly("client_credentials", "refresh_token");
    }

    @Test
    void dcrm06_anUpdateOfABoundClientKeepsItsMethodAndRefusesAnother() {
        RegistrationMetadata m = parse("{\"client_name\":\"ledger\"}");
        assertThat(BindingStep.apply(m, null, BOUND)).isEqualTo(ID);
        assertThat(m.text(RegistrationMetadata.TOKEN_ENDPOINT_AUTH_METHOD)).isEqualTo("spiffe_jwt");
        RegistrationMetadata x509 = parse("{}");
        BindingStep.apply(x509, null, new ExistingClient("spiffe-x509-svid", ID, null));
        assertThat(x509.text(RegistrationMetadata.TOKEN_ENDPOINT_AUTH_METHOD)).isEqualTo("spiffe_x509");
        refused(() -> BindingStep.apply(parse("{\"token_endpoint_auth_method\":\"client_secret_basic\"}"), null, BOUND),
                "client_secret_basic");
        assertThat(BindingStep.apply(parse("{\"spiffe_id\":\"" + ID + "\"}"), null, BOUND)).as("repeating it is fine")
                .isEqualTo(ID);
    }

    @Test
    void dcrm06_anUpdateIgnoresAnAttestationAndAnUnboundClientStaysUnbound() {
        RegistrationMetadata m = parse("{\"token_endpoint_auth_method\":\"private_key_jwt\"}");
        assertThat(BindingStep.apply(m, ID, UNBOUND)).isNull();
        assertThat(m.text(RegistrationMetadata.TOKEN_ENDPOINT_AUTH_METHOD)).isEqualTo("private_key_jwt");
        assertThat(m.metadata().has(RegistrationMetadata.GRANT_TYPES)).isFalse();
    }

    @Test
    void dcr06_anUnattestedRegistrationKeepsWhatItAskedFor() {
        RegistrationMetadata m = parse("{\"token_endpoint_auth_method\":\"none\"}");
        assertThat(BindingStep.apply(m, null, null)).isNull();
        assertThat(m.text(RegistrationMetadata.TOKEN_ENDPOINT_AUTH_METHOD)).isEqualTo("none");
        assertThat(BindingStep.apply(parse("{}"), null, null)).isNull();
    }
}
