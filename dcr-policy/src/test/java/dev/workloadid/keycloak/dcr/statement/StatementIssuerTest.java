package dev.workloadid.keycloak.dcr.statement;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link StatementIssuer}: the realm's trusted software statement issuers (DCR-09: a statement counts
 * only when its issuer is trusted), each with a key source that holds public keys only.
 */
class StatementIssuerTest {

    private static final String ISS = "https://software.example.com";
    private static final ECKey KEY = key();

    private static ECKey key() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A component config from key/value pairs, each value a one-element list as the console stores it. */
    private static Map<String, List<String>> config(String... pairs) {
        Map<String, List<String>> config = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            config.put(pairs[i], java.util.Collections.singletonList(pairs[i + 1]));
        }
        return config;
    }

    private static void invalid(Map<String, List<String>> config, String mentioning) {
        assertThatThrownBy(() -> StatementIssuer.from(config)).as(config.toString())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(mentioning);
    }

    @Test
    void dcr09_jwksUriIssuerIsTheDefaultKeySource() {
        StatementIssuer i = StatementIssuer.from(config("issuer", " " + ISS + " ", "jwksUri", ISS + "/jwks"));
        assertThat(i.keySource()).isEqualTo(StatementIssuer.KeySource.JWKS_URI);
        assertThat(i.name()).isEqualTo(ISS);
        assertThat(i.issuer()).isEqualTo(ISS);
        assertThat(i.jwksUri()).hasToString(ISS + "/jwks");
        assertThat(i.staticJwks()).isNull();
        assertThat(StatementIssuer.from(config("keySource", "JWKS_URI", "issuer", ISS, "jwksUri", ISS + "/jwks")).keySource())
                .isEqualTo(StatementIssuer.KeySource.JWKS_URI);
    }

    @Test
    void dcr09_jwksUriIssuerNeedsItsIssAndAnHttpsUrl() {
        invalid(config("jwksUri", ISS + "/jwks"), "issuer");
        invalid(config("issuer", " ", "jwksUri", ISS + "/jwks"), "issuer");
        invalid(config("issuer", ISS), "jwksUri");
        for (String bad : List.of("http://software.example.com/jwks", "https://u:p@software.example.com/jwks",
                "https://software.example.com/jwks#k", "/jwks", "https://software.example.com/j wks")) {
            invalid(config("issuer", ISS, "jwksUri", bad), "jwksUri");
        }
    }

    @Test
    void dcr09_staticIssuerHoldsItsPublicKeys() {
        StatementIssuer i = StatementIssuer.from(config("keySource", "static", "issuer", ISS,
                "staticJwks", new JWKSet(KEY.toPublicJWK()).toString()));
        assertThat(i.keySource()).isEqualTo(StatementIssuer.KeySource.STATIC);
        assertThat(i.staticJwks().getKeyByKeyId("k1")).isNotNull();
        assertThat(i.jwksUri()).isNull();
    }

    @Test
    void dcr09_staticIssuerRefusesMissingEmptyMalformedOrPrivateKeys() {
        invalid(config("keySource", "static", "staticJwks", new JWKSet(KEY.toPublicJWK()).toString()), "issuer");
        invalid(config("keySource", "static", "issuer", ISS), "staticJwks");
        invalid(config("keySource", "static", "issuer", ISS, "staticJwks", "{\"keys\":[]}"), "staticJwks");
        invalid(config("keySource", "static", "issuer", ISS, "staticJwks", "not json"), "staticJwks");
        invalid(config("keySource", "static", "issuer", ISS, "staticJwks",
                new JWKSet(List.of(KEY.toPublicJWK(), KEY)).toString(false)), "staticJwks");
    }

    @Test
    void dcr09_spiffeIssuerIsNamedByItsTrustDomainInLowerCase() {
        StatementIssuer i = StatementIssuer.from(config("keySource", "spiffe", "trustDomain", "TD-One.Example"));
        assertThat(i.keySource()).isEqualTo(StatementIssuer.KeySource.SPIFFE);
        assertThat(i.trustDomain()).isEqualTo("td-one.example");
        assertThat(i.name()).isEqualTo("td-one.example");
        assertThat(i.issuer()).isNull();
        StatementIssuer named = StatementIssuer.from(config("keySource", "spiffe", "trustDomain", "td.test", "issuer", ISS));
        assertThat(named.name()).isEqualTo(ISS);
        assertThat(named.trustDomain()).isEqualTo("td.test");
    }

    @Test
    void dcr09_spiffeIssuerNeedsABareTrustDomain() {
        invalid(config("keySource", "spiffe"), "trustDomain");
        invalid(config("keySource", "spiffe", "trustDomain", "spiffe://td.test"), "trustDomain");
        invalid(config("keySource", "spiffe", "trustDomain", "td.test/ns"), "trustDomain");
    }

    @Test
    void dcr09_unknownKeySourceIsRefused() {
        invalid(config("keySource", "x509", "issuer", ISS), "keySource");
    }

    @Test
    void dcr09_onlyTheFirstValueOfASettingCounts() {
        Map<String, List<String>> config = config("issuer", ISS);
        config.put("jwksUri", List.of(ISS + "/first", ISS + "/second"));
        assertThat(StatementIssuer.from(config).jwksUri()).hasToString(ISS + "/first");
        config.put("jwksUri", List.of());
        invalid(config, "jwksUri");
    }
}
