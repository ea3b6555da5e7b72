package dev.workloadid.keycloak.dcr.rules;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

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

    private static final String X509 = "spiffe-x509-svid";

    @Test
    void dcrm06_x509BoundClientKeepsItsAuthenticatorConfidentialityAndSpiffeId() {
        assertThat(Refusals.refused(() -> SpiffeBindingRules.checkUpdate(X509, ID, JWT, null, null),
                DcrError.INVALID_CLIENT_METADATA).description()).contains(ID, "spiffe_x509", "to spiffe_jwt");
        Refusals.refused(() -> SpiffeBindingRules.checkUpdate(X509, ID, null, true, null), DcrError.INVALID_CLIENT_METADATA);
        Refusals.refused(() -> SpiffeBindingRules.checkUpdate(X509, ID, X509, false, "spiffe://td-one.test/ns/prod/*"),
                DcrError.INVALID_CLIENT_METADATA);
        Refusals.refused(() -> SpiffeBindingRules.checkRequestedMethod(X509, ID, "spiffe_jwt"), DcrError.INVALID_CLIENT_METADATA);
        assertThatCode(() -> SpiffeBindingRules.checkUpdate(X509, ID, X509, false, ID)).doesNotThrowAnyException();
        assertThat(SpiffeBindingRules.method(X509)).isEqualTo("spiffe_x509");
    }

    @Test
    void dcrm06_unboundClientMayNameAnyMethodAndMayNotBeBound() {
        assertThatCode(() -> SpiffeBindingRules.checkRequestedMethod("client-secret", null, "private_key_jwt"))
                .doesNotThrowAnyException();
        assertThatCode(() -> SpiffeBindingRules.checkRequestedMethod(JWT, null, "client_secret_basic"))
                .as("a SPIFFE authenticator without a binding binds nothing").doesNotThrowAnyException();
        assertThat(Refusals.refused(() -> SpiffeBindingRules.checkUpdate("client-secret", null, null, null, ID),
                DcrError.INVALID_CLIENT_METADATA).description()).contains(ID);
        assertThat(SpiffeBindingRules.method(null)).isNull();
        assertThat(SpiffeBindingRules.bound(null, ID)).isFalse();
        assertThat(SpiffeBindingRules.bound(JWT, null)).isFalse();
    }

    @Test
    void dcrm06_userFacingGrantSwitchesAreReadLikeKeycloakReadsThem() {
        SpiffeBindingRules.Shape padded = new SpiffeBindingRules.Shape(null, null, null, null, null, null,
                Map.of("oauth2.device.authorization.grant.enabled", " true "));
        assertThat(padded.userFacing()).containsExactly("oauth2.device.authorization.grant.enabled");
        SpiffeBindingRules.Shape off = new SpiffeBindingRules.Shape(java.util.Arrays.asList(null, " "), false, false, false,
                false, false, Map.of("oidc.ciba.grant.enabled", "yes", "some.other.switch", "true"));
        assertThat(off.userFacing()).isEmpty();
        Refusals.refused(() -> SpiffeBindingRules.checkWorkloadUpdate(ID, padded), DcrError.INVALID_CLIENT_METADATA);
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
    void unboundClientsMayChangeAuthenticatorAndGoPublic() {
        assertThatCode(() -> SpiffeBindingRules.checkUpdate("client-secret", null, "client-jwt", true, null))
                .doesNotThrowAnyException();
        assertThatCode(() -> SpiffeBindingRules.checkUpdate("client-secret", null, "client-secret", false, ""))
                .doesNotThrowAnyException();
    }

    @Test
    void dcrm06_updateNeverBindsAnUnboundClient() {
        // An unbound client's registration access token must not claim a workload's SPIFFE ID or pattern.
        for (String sub : new String[] {ID, "spiffe://td-one.test/ns/prod/*"}) {
            assertThatThrownBy(() -> SpiffeBindingRules.checkUpdate("client-secret", null, JWT, false, sub))
                    .isInstanceOfSatisfying(DcrError.class, e -> assertThat(e.code()).isEqualTo("invalid_client_metadata"))
                    .hasMessageContaining(sub).hasMessageContaining("attested");
            assertThatThrownBy(() -> SpiffeBindingRules.checkUpdate("client-secret", null, null, null, sub))
                    .isInstanceOf(DcrError.class);
            assertThatThrownBy(() -> SpiffeBindingRules.checkUpdate(JWT, "", null, null, sub))
                    .isInstanceOf(DcrError.class);
        }
        // A client that has a jwt.credential.sub for another authenticator cannot be switched to SPIFFE.
        assertThatThrownBy(() -> SpiffeBindingRules.checkUpdate("federated-jwt", ID, JWT, false, null))
                .isInstanceOf(DcrError.class).hasMessageContaining("SPIFFE authenticator");
        assertThatThrownBy(() -> SpiffeBindingRules.checkUpdate("federated-jwt", ID, "spiffe-x509-svid", false, ID))
                .isInstanceOf(DcrError.class);
        assertThatCode(() -> SpiffeBindingRules.checkUpdate("federated-jwt", ID, "federated-jwt", false, ID))
                .doesNotThrowAnyException();
        // Nor is an unbound client switched to a SPIFFE authenticator without a binding: it could never
        // authenticate, as a new client asking for one without attestation is refused (DCR-15).
        assertThatThrownBy(() -> SpiffeBindingRules.checkUpdate("client-secret", null, JWT, false, null))
                .isInstanceOf(DcrError.class).hasMessageContaining("cannot switch this client to a SPIFFE authenticator");
        assertThatCode(() -> SpiffeBindingRules.checkUpdate("client-secret", null, "client-jwt", false, null))
                .doesNotThrowAnyException();
    }

    private static SpiffeBindingRules.Shape workload() {
        return new SpiffeBindingRules.Shape(List.of(), false, false, false, false, false, Map.of());
    }

    @Test
    void dcrm06_attestedClientStaysAWorkloadClient() {
        Map<String, SpiffeBindingRules.Shape> attempts = Map.of(
                "redirectUris", new SpiffeBindingRules.Shape(List.of("https://evil.example/cb"), null, null, null, null, null, null),
                "standardFlowEnabled", new SpiffeBindingRules.Shape(null, true, null, null, null, null, null),
                "implicitFlowEnabled", new SpiffeBindingRules.Shape(null, null, true, null, null, null, null),
                "directAccessGrantsEnabled", new SpiffeBindingRules.Shape(null, null, null, true, null, null, null),
                "fullScopeAllowed", new SpiffeBindingRules.Shape(null, null, null, null, true, null, null),
                "publicClient", new SpiffeBindingRules.Shape(null, null, null, null, null, true, null),
                "oauth2.device.authorization.grant.enabled", new SpiffeBindingRules.Shape(null, null, null, null, null, null,
                        Map.of("oauth2.device.authorization.grant.enabled", "true")),
                "oidc.ciba.grant.enabled", new SpiffeBindingRules.Shape(null, null, null, null, null, null,
                        Map.of("oidc.ciba.grant.enabled", "TRUE")));
        attempts.forEach((what, shape) -> assertThatThrownBy(() -> SpiffeBindingRules.checkWorkloadUpdate(ID, shape))
                .as(what)
                .isInstanceOfSatisfying(DcrError.class, e -> assertThat(e.code()).isEqualTo("invalid_client_metadata"))
                .hasMessageContaining(what).hasMessageContaining(ID));
        SpiffeBindingRules.Shape all = new SpiffeBindingRules.Shape(List.of("https://a.example/cb"), true, false, true,
                true, false, Map.of());
        assertThatThrownBy(() -> SpiffeBindingRules.checkWorkloadUpdate(ID, all))
                .hasMessageContaining("redirectUris, standardFlowEnabled, directAccessGrantsEnabled, fullScopeAllowed");
        assertThatCode(() -> SpiffeBindingRules.checkWorkloadUpdate(ID, workload())).doesNotThrowAnyException();
        assertThatCode(() -> SpiffeBindingRules.checkWorkloadUpdate(ID,
                new SpiffeBindingRules.Shape(null, null, null, null, null, null, null))).doesNotThrowAnyException();
        assertThatCode(() -> SpiffeBindingRules.checkWorkloadUpdate(ID, new SpiffeBindingRules.Shape(List.of(""), false,
                false, false, false, false, Map.of("oauth2.device.authorization.grant.enabled", "false"))))
                .doesNotThrowAnyException();
    }

    @Test
    void dcrm06_attestedClientGetsNoConsentScreenBearerOnlyTokenExchangeOrJwtGrant() {
        Map<String, SpiffeBindingRules.Shape> attempts = Map.of(
                "consentRequired", new SpiffeBindingRules.Shape(null, null, null, null, null, null, null, true, null),
                "bearerOnly", new SpiffeBindingRules.Shape(null, null, null, null, null, null, null, null, true),
                "standard.token.exchange.enabled", new SpiffeBindingRules.Shape(null, null, null, null, null, null,
                        Map.of("standard.token.exchange.enabled", "true")),
                "oauth2.jwt.authorization.grant.enabled", new SpiffeBindingRules.Shape(null, null, null, null, null, null,
                        Map.of("oauth2.jwt.authorization.grant.enabled", "true")));
        attempts.forEach((what, shape) -> assertThatThrownBy(() -> SpiffeBindingRules.checkWorkloadUpdate(ID, shape))
                .as(what)
                .isInstanceOfSatisfying(DcrError.class, e -> assertThat(e.code()).isEqualTo("invalid_client_metadata"))
                .hasMessageContaining(what));
        assertThatCode(() -> SpiffeBindingRules.checkWorkloadUpdate(ID, new SpiffeBindingRules.Shape(List.of(), false,
                false, false, false, false, Map.of("standard.token.exchange.enabled", "false",
                        "oauth2.jwt.authorization.grant.enabled", "false"), false, false)))
                .doesNotThrowAnyException();
    }

    @Test
    void workloadOnlyForAttestedClientsAndBoundWorkloadShapedOnes() {
        SpiffeBindingRules.Shape userFacing = new SpiffeBindingRules.Shape(List.of("https://app.example/cb"), true,
                false, false, false, false, Map.of());
        assertThat(SpiffeBindingRules.workloadOnly("attested", true, workload())).isTrue();
        assertThat(SpiffeBindingRules.workloadOnly("attested", false, userFacing)).isTrue();
        assertThat(SpiffeBindingRules.workloadOnly(null, true, workload())).as("attested before the marker").isTrue();
        assertThat(SpiffeBindingRules.workloadOnly(null, true, userFacing)).as("an administrator's choice").isFalse();
        assertThat(SpiffeBindingRules.workloadOnly("registration-free", false, workload())).isFalse();
        assertThat(SpiffeBindingRules.workloadOnly(null, false, workload())).isFalse();
    }

    @Test
    void dcrm06_registrationMarkerOnlyFromAttestation() {
        assertThatCode(() -> SpiffeBindingRules.checkRegistrationMarker(null, "attested", true)).doesNotThrowAnyException();
        assertThatCode(() -> SpiffeBindingRules.checkRegistrationMarker(null, null, false)).doesNotThrowAnyException();
        assertThatCode(() -> SpiffeBindingRules.checkRegistrationMarker("attested", "attested", false)).doesNotThrowAnyException();
        assertThatCode(() -> SpiffeBindingRules.checkRegistrationMarker("attested", null, false)).doesNotThrowAnyException();
        for (String[] c : new String[][] {{null, "attested"}, {null, "registration-free"}, {"attested", ""},
                {"attested", "registration-free"}, {"registration-free", "attested"}}) {
            assertThatThrownBy(() -> SpiffeBindingRules.checkRegistrationMarker(c[0], c[1], false))
                    .as(String.join(" -> ", String.valueOf(c[0]), c[1]))
                    .isInstanceOf(DcrError.class).hasMessageContaining("spiffe.registration");
        }
        assertThatThrownBy(() -> SpiffeBindingRules.checkRegistrationMarker(null, "registration-free", true))
                .isInstanceOf(DcrError.class);
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
