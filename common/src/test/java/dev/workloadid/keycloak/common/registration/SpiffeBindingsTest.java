package dev.workloadid.keycloak.common.registration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** DCR-15: a registration gets a SPIFFE binding, or a SPIFFE authenticator, only by attestation. */
class SpiffeBindingsTest {

    private static final String ID = "spiffe://td.test/ns/prod/sa/ledger";

    @Test
    void dcr15_aSpiffeAuthenticatorWithoutAttestationIsRefused() {
        assertThat(SpiffeBindings.createRefusal("spiffe-jwt-svid", null, null)).get().asString()
                .contains("token_endpoint_auth_method spiffe_jwt").contains("SPIFFE-attested registration");
        assertThat(SpiffeBindings.createRefusal("spiffe-x509-svid", "", null)).get().asString().contains("spiffe_x509");
        assertThat(SpiffeBindings.createRefusal("spiffe-jwt-svid", ID, ID)).isEmpty();
        assertThat(SpiffeBindings.createRefusal("client-jwt", null, null)).isEmpty();
        assertThat(SpiffeBindings.createRefusal(null, null, null)).isEmpty();
    }

    @Test
    void dcr15_theBindingIsJudgedFirst() {
        assertThat(SpiffeBindings.createRefusal("spiffe-jwt-svid", ID, null)).get().asString()
                .contains("jwt.credential.sub " + ID).contains("attested");
        assertThat(SpiffeBindings.createRefusal("client-secret", ID, null)).isPresent();
    }

    @Test
    void dcr15_methodsAndAuthenticatorsMapBothWays() {
        assertThat(SpiffeBindings.authenticator("spiffe_jwt")).isEqualTo("spiffe-jwt-svid");
        assertThat(SpiffeBindings.authenticator("spiffe_x509")).isEqualTo("spiffe-x509-svid");
        assertThat(SpiffeBindings.authenticator("private_key_jwt")).isNull();
        assertThat(SpiffeBindings.authenticator(null)).isNull();
    }

    @Test
    void dcr15_anUpdateNeverSwitchesAnUnboundClientToASpiffeAuthenticator() {
        assertThat(SpiffeBindings.updateRefusal("client-secret", null, "spiffe-jwt-svid", null, null)).get().asString()
                .contains("token_endpoint_auth_method spiffe_jwt").contains("cannot switch");
        assertThat(SpiffeBindings.updateRefusal("client-secret", "", "spiffe-x509-svid", null, null)).isPresent();
        assertThat(SpiffeBindings.updateRefusal("client-secret", null, "spiffe-jwt-svid", null, ID)).get().asString()
                .contains("jwt.credential.sub " + ID);
        assertThat(SpiffeBindings.updateRefusal("client-secret", null, "client-jwt", null, null)).isEmpty();
        assertThat(SpiffeBindings.updateRefusal("client-secret", null, null, null, null)).isEmpty();
        // A bound client may repeat what it has.
        assertThat(SpiffeBindings.updateRefusal("spiffe-jwt-svid", ID, "spiffe-jwt-svid", false, ID)).isEmpty();
        assertThat(SpiffeBindings.updateRefusal("spiffe-jwt-svid", ID, "client-secret", null, null)).isPresent();
    }
}
