package dev.workloadid.keycloak.dcr.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import dev.workloadid.keycloak.dcr.statement.SoftwareStatementVerifier;
import dev.workloadid.keycloak.dcr.statement.StatementIssuer;
import dev.workloadid.keycloak.dcr.statement.VerifiedStatement;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link StatementStep}: a verified statement's claims win over the plain members; no statement, nothing asked. */
class StatementStepTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ISS = "https://software.example.com";

    private final ECKey key = key();
    private final StatementIssuer issuer = new StatementIssuer(ISS, ISS, StatementIssuer.KeySource.STATIC, null,
            new JWKSet(key.toPublicJWK()), null);
    private final AtomicInteger issuersAsked = new AtomicInteger();
    private final StatementStep step = new StatementStep(MAPPER, new SoftwareStatementVerifier(
            (i, refresh) -> i.staticJwks(), (jwt, i) -> { throw new AssertionError("not a SVID"); }));

    private static ECKey key() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String statement(ECKey signer) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(), new JWTClaimsSet.Builder()
                .issuer(ISS).claim("software_id", "sw-signed").claim("client_name", "Signed name").build());
        jwt.sign(new ECDSASigner(signer));
        return jwt.serialize();
    }

    private List<StatementIssuer> issuers() {
        issuersAsked.incrementAndGet();
        return List.of(issuer);
    }

    @Test
    void dcr09_theStatementsClaimsOverrideThePlainMembers() throws Exception {
        String raw = statement(key);
        RegistrationMetadata m = RegistrationMetadata.parse(MAPPER, "{\"client_name\":\"plain\",\"software_id\":\"sw-plain\","
                + "\"software_statement\":\"" + raw + "\"}");
        VerifiedStatement verified = step.apply(m, this::issuers);
        assertThat(verified.raw()).isEqualTo(raw);
        assertThat(verified.issuer()).isEqualTo(ISS);
        assertThat(m.text("client_name")).isEqualTo("Signed name");
        assertThat(m.text(RegistrationMetadata.SOFTWARE_ID)).isEqualTo("sw-signed");
    }

    @Test
    void dcr09_aStatementThatDoesNotVerifyIsRefusedAndChangesNothing() throws Exception {
        RegistrationMetadata m = RegistrationMetadata.parse(MAPPER, "{\"client_name\":\"plain\",\"software_statement\":\""
                + statement(key()) + "\"}");
        assertThatThrownBy(() -> step.apply(m, this::issuers)).isInstanceOfSatisfying(DcrError.class,
                e -> assertThat(e.code()).isEqualTo(DcrError.INVALID_SOFTWARE_STATEMENT));
        assertThat(m.text("client_name")).isEqualTo("plain");
    }

    @Test
    void dcr09_withoutAStatementTheRealmsIssuersAreNotRead() {
        RegistrationMetadata m = RegistrationMetadata.parse(MAPPER, "{\"client_name\":\"plain\"}");
        assertThat(step.apply(m, this::issuers)).isNull();
        assertThat(issuersAsked).hasValue(0);
        assertThat(m.text("client_name")).isEqualTo("plain");
    }
}
