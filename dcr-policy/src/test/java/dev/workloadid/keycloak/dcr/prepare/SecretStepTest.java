package dev.workloadid.keycloak.dcr.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DCRM-06: an update may repeat the current client_secret, never choose one; a registration never sets one. */
class SecretStepTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ExistingClient CLIENT = new ExistingClient("client-secret", null, "current-secret");

    private static RegistrationMetadata parse(String json) {
        return RegistrationMetadata.parse(MAPPER, json);
    }

    @Test
    void dcrm06_theCurrentSecretIsAcceptedAndNotPassedOn() {
        RegistrationMetadata m = parse("{\"client_secret\":\"current-secret\",\"client_name\":\"a\"}");
        SecretStep.apply(m, CLIENT);
        assertThat(m.metadata().has("client_secret")).isFalse();
        assertThat(m.text("client_name")).isEqualTo("a");
    }

    @Test
    void dcrm06_anotherSecretIsRefused() {
        for (String guess : new String[] {"chosen-by-client", "current-secreT", "", "current-secret "}) {
            assertThatThrownBy(() -> SecretStep.apply(parse("{\"client_secret\":\"" + guess + "\"}"), CLIENT))
                    .isInstanceOfSatisfying(DcrError.class, e -> {
                        assertThat(e.code()).isEqualTo(DcrError.INVALID_CLIENT_METADATA);
                        assertThat(e.description()).contains("cannot set its own secret").doesNotContain("current-secret");
                    });
        }
        assertThatThrownBy(() -> SecretStep.apply(parse("{\"client_secret\":\"x\"}"),
                new ExistingClient("client-jwt", null, null))).as("a client without a secret").isInstanceOf(DcrError.class);
    }

    @Test
    void dcrm06_aRegistrationsSecretIsDroppedNotUsed() {
        RegistrationMetadata m = parse("{\"client_secret\":\"mine\"}");
        SecretStep.apply(m, null);
        assertThat(m.metadata().has("client_secret")).isFalse();
        RegistrationMetadata none = parse("{}");
        SecretStep.apply(none, CLIENT);
        assertThat(none.metadata().size()).isZero();
    }
}
