package dev.workloadid.keycloak.dcr.rules;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpiffeBindingRulesTest {

    private static final String ID = "spiffe://td-one.test/ns/prod/sa/payments";
    private static final String JWT = "spiffe-jwt-svid";

    @Test
    void onlySpiffeAuthenticatedClientsWithABindingAreBound() {
        assertThat(SpiffeBindingRules.bound(JWT, ID)).isTrue();
        assertThat(SpiffeBindingRules.bound("spiffe-x509-svid", "spiffe://td-one.test/ns/prod/*")).isTrue();
        assertThat(SpiffeBindingRules.bound(JWT, " ")).isFalse();
        assertThat(SpiffeBindingRules.bound("client-secret", ID)).isFalse();
        assertThat(SpiffeBindingRules.bound("federated-jwt", ID)).isFalse();
    }

    @Test
    void dcrm06_boundClientKeepsItsAuthenticator() {
        for (String other : new String[] {"client-secret", "client-jwt", "client-x509", "spiffe-x509-svid"}) {
            assertThatThrownBy(() -> SpiffeBindingRules.checkUpdate(JWT, ID, other, false, null))
                    .isInstanceOfSatisfying(DcrError.class, e -> {
                        assertThat(e.code()).isEqualTo(DcrError.INVALID_CLIENT_METADATA);
                        assertThat(e.description()).contains("token_endpoint_auth_method", ID);
                    });
        }
        assertThatCode(() -> SpiffeBindingRules.checkUpdate(JWT, ID, JWT, false, null)).doesNotThrowAnyException();
        assertThatCode(() -> SpiffeBindingRules.checkUpdate(JWT, ID, null, null, null)).doesNotThrowAnyException();
    }

    @Test
    void dcrm06_boundClientNeverBecomesPublic() {
        assertThatThrownBy(() -> SpiffeBindingRules.checkUpdate(JWT, ID, JWT, true, null))
                .isInstanceOf(DcrError.class).hasMessageContaining("public client");
    }

    @Test
    void dcrm06_boundClientKeepsItsSpiffeId() {
        assertThatThrownBy(() -> SpiffeBindingRules.checkUpdate(JWT, ID, JWT, false, "spiffe://td-one.test/ns/prod/sa/other"))
                .isInstanceOf(DcrError.class).hasMessageContaining("SPIFFE ID");
        assertThatThrownBy(() -> SpiffeBindingRules.checkUpdate(JWT, ID, JWT, false, ""))
                .isInstanceOf(DcrError.class).hasMessageContaining("remove");
        assertThatCode(() -> SpiffeBindingRules.checkUpdate(JWT, ID, JWT, false, ID)).doesNotThrowAnyException();
    }

    @Test
    void unboundClientsAreNotThisRulesBusiness() {
        assertThatCode(() -> SpiffeBindingRules.checkUpdate("client-secret", null, "client-jwt", true, null))
                .doesNotThrowAnyException();
    }

    @Test
    void packEndpointUpdateMayOmitTheMethodButNotNameAnother() {
        assertThatCode(() -> SpiffeBindingRules.checkRequestedMethod(JWT, ID, null)).doesNotThrowAnyException();
        assertThatCode(() -> SpiffeBindingRules.checkRequestedMethod(JWT, ID, "spiffe_jwt")).doesNotThrowAnyException();
        assertThatCode(() -> SpiffeBindingRules.checkRequestedMethod("spiffe-x509-svid", ID, "spiffe_x509")).doesNotThrowAnyException();
        for (String other : new String[] {"client_secret_basic", "none", "private_key_jwt", "spiffe_x509"}) {
            assertThatThrownBy(() -> SpiffeBindingRules.checkRequestedMethod(JWT, ID, other))
                    .isInstanceOf(DcrError.class).hasMessageContaining(other);
        }
        assertThat(SpiffeBindingRules.method(JWT)).isEqualTo("spiffe_jwt");
        assertThat(SpiffeBindingRules.method("client-secret")).isNull();
    }

    @Test
    void dcrm06_onlyAttestationCreatesABinding() {
        assertThatThrownBy(() -> SpiffeBindingRules.checkCreate(ID, null))
                .isInstanceOfSatisfying(DcrError.class, e -> assertThat(e.code()).isEqualTo("invalid_client_metadata"))
                .hasMessageContaining("attested");
        assertThatThrownBy(() -> SpiffeBindingRules.checkCreate(ID, "spiffe://td-one.test/ns/prod/sa/other"))
                .isInstanceOf(DcrError.class);
        assertThatCode(() -> SpiffeBindingRules.checkCreate(ID, ID)).doesNotThrowAnyException();
        assertThatCode(() -> SpiffeBindingRules.checkCreate(null, null)).doesNotThrowAnyException();
        assertThatCode(() -> SpiffeBindingRules.checkCreate("", null)).doesNotThrowAnyException();
    }
}
