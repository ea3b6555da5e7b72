package dev.workloadid.keycloak.dcr.statement;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SoftwareStatementVerifierTest {

    private static final String ISS = "https://software.example.com";

    private final ECKey trusted = key("k1");
    private final ECKey other = key("k1");
    private final StatementIssuer staticIssuer = new StatementIssuer(ISS, ISS, StatementIssuer.KeySource.STATIC, null,
            new JWKSet(trusted.toPublicJWK()), null);
    private final SoftwareStatementVerifier verifier = new SoftwareStatementVerifier(
            (issuer, refresh) -> issuer.staticJwks(), (jwt, issuer) -> { throw new AssertionError("not a SVID"); });

    private static ECKey key(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(ECKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private static JWTClaimsSet claims(String iss) {
        return new JWTClaimsSet.Builder().issuer(iss).claim("software_id", "sw-1").claim("client_name", "Signed name").build();
    }

    private static void assertCode(Runnable r, String code) {
        assertThatThrownBy(r::run).isInstanceOf(DcrError.class).extracting(e -> ((DcrError) e).code()).isEqualTo(code);
    }

    @Test
    void dcr09_trustedStatementVerifiesAndKeepsRawForEcho() throws Exception {
        String statement = sign(trusted, claims(ISS));
        VerifiedStatement v = verifier.verify(statement, List.of(staticIssuer));
        assertThat(v.raw()).isEqualTo(statement);
        assertThat(v.issuer()).isEqualTo(ISS);
        assertThat(v.claims()).containsEntry("software_id", "sw-1").containsEntry("client_name", "Signed name");
    }

    private static JWTClaimsSet.Builder claimsBuilder() {
        return new JWTClaimsSet.Builder(claims(ISS));
    }

    private static Date inSeconds(long seconds) {
        return new Date(System.currentTimeMillis() + seconds * 1000);
    }

    @Test
    void dcr09_validityWindowIsRespected() throws Exception {
        assertThat(verifier.verify(sign(trusted, claimsBuilder().expirationTime(inSeconds(3600)).notBeforeTime(inSeconds(-60))
                .build()), List.of(staticIssuer)).claims()).containsEntry("software_id", "sw-1");
        String notYet = sign(trusted, claimsBuilder().notBeforeTime(inSeconds(3600)).build());
        assertCode(() -> verifier.verify(notYet, List.of(staticIssuer)), DcrError.INVALID_SOFTWARE_STATEMENT);
    }

    @Test
    void dcr09_rsaAndRsaPssSignaturesAndAnyTypAreAccepted() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
        StatementIssuer rsaIssuer = new StatementIssuer(ISS, ISS, StatementIssuer.KeySource.STATIC, null,
                new JWKSet(rsa.toPublicJWK()), null);
        for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.PS384)) {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID("r1")
                    .type(new JOSEObjectType("software-statement+jwt")).build(), claims(ISS));
            jwt.sign(new RSASSASigner(rsa));
            assertThat(verifier.verify(jwt.serialize(), List.of(rsaIssuer)).issuer()).as(alg.getName()).isEqualTo(ISS);
        }
    }

    @Test
    void dcr14_issuerTrustedOnlyAsASpiffeTrustDomainIsUnapprovedForOrdinaryStatements() throws Exception {
        StatementIssuer spiffeNamedLikeIss = StatementIssuer.from(Map.of("keySource", List.of("spiffe"),
                "trustDomain", List.of("td-one.test"), "issuer", List.of(ISS)));
        assertCode(() -> verifier.verify(unchecked(() -> sign(trusted, claims(ISS))), List.of(spiffeNamedLikeIss)),
                DcrError.UNAPPROVED_SOFTWARE_STATEMENT);
        assertCode(() -> verifier.verify(unchecked(() -> sign(trusted, claims(ISS))), List.of()),
                DcrError.UNAPPROVED_SOFTWARE_STATEMENT);
    }

    @Test
    void dcr09_onlyAJwksUriIssuerIsRefetchedAndOnlyOnce() throws Exception {
        ECKey unknown = key("k9");
        AtomicInteger refreshes = new AtomicInteger();
        SoftwareStatementVerifier counting = new SoftwareStatementVerifier((issuer, refresh) -> {
            refreshes.addAndGet(refresh ? 1 : 0);
            return new JWKSet(trusted.toPublicJWK());
        }, (jwt, issuer) -> { throw new AssertionError("not a SVID"); });
        String statement = sign(unknown, claims(ISS));
        assertCode(() -> counting.verify(statement, List.of(staticIssuer)), DcrError.INVALID_SOFTWARE_STATEMENT);
        assertThat(refreshes.get()).as("static keys are not re-fetched").isZero();
        StatementIssuer remote = new StatementIssuer(ISS, ISS, StatementIssuer.KeySource.JWKS_URI,
                URI.create("https://software.example.com/jwks"), null, null);
        assertCode(() -> counting.verify(statement, List.of(remote)), DcrError.INVALID_SOFTWARE_STATEMENT);
        assertThat(refreshes.get()).as("one re-fetch, still no key").isEqualTo(1);
    }

    @Test
    void dcr09_unavailableIssuerKeysKeepTheResolversRefusal() throws Exception {
        DcrError unavailable = new DcrError(DcrError.INVALID_SOFTWARE_STATEMENT, "the keys of issuer x are unavailable");
        SoftwareStatementVerifier v = new SoftwareStatementVerifier((issuer, refresh) -> { throw unavailable; },
                (jwt, issuer) -> { throw new AssertionError("not a SVID"); });
        String statement = sign(trusted, claims(ISS));
        assertThatThrownBy(() -> v.verify(statement, List.of(staticIssuer))).isSameAs(unavailable);
    }

    @Test
    void dcr09_spiffeSubjectsAreRoutedByTrustDomainIgnoringCase() throws Exception {
        StatementIssuer td = StatementIssuer.from(Map.of("keySource", List.of("spiffe"), "trustDomain", List.of("td-one.test")));
        SoftwareStatementVerifier v = new SoftwareStatementVerifier((issuer, refresh) -> issuer.staticJwks(),
                (jwt, issuer) -> Map.of("via", "svid"));
        String upper = sign(trusted, new JWTClaimsSet.Builder().subject("SPIFFE://TD-ONE.TEST/app").build());
        assertThat(v.verify(upper, List.of(td)).claims()).containsEntry("via", "svid");
        // A SPIFFE-looking sub of a domain not trusted for statements is an ordinary statement, judged by its iss.
        String ordinary = sign(trusted, claimsBuilder().subject("spiffe://td-two.test/app").build());
        assertThat(v.verify(ordinary, List.of(td, staticIssuer)).issuer()).isEqualTo(ISS);
    }

    @Test
    void dcr09_untrustedIssuerIsUnapproved() throws Exception {
        assertCode(() -> verifier.verify(unchecked(() -> sign(trusted, claims("https://unknown.example"))), List.of(staticIssuer)),
                DcrError.UNAPPROVED_SOFTWARE_STATEMENT);
    }

    @Test
    void dcr09_wrongKeyIsInvalid() throws Exception {
        assertCode(() -> verifier.verify(unchecked(() -> sign(other, claims(ISS))), List.of(staticIssuer)),
                DcrError.INVALID_SOFTWARE_STATEMENT);
    }

    @Test
    void dcr09_tamperedPayloadIsInvalid() throws Exception {
        String[] parts = sign(trusted, claims(ISS)).split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"iss\":\"" + ISS + "\",\"software_id\":\"sw-evil\"}").getBytes());
        assertCode(() -> verifier.verify(parts[0] + "." + forged + "." + parts[2], List.of(staticIssuer)),
                DcrError.INVALID_SOFTWARE_STATEMENT);
    }

    @Test
    void dcr09_mustBeSignedAsymmetricallyAndCarryIss() throws Exception {
        String unsigned = new PlainJWT(claims(ISS)).serialize();
        assertCode(() -> verifier.verify(unsigned, List.of(staticIssuer)), DcrError.INVALID_SOFTWARE_STATEMENT);
        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims(ISS));
        hs.sign(new MACSigner(new byte[32]));
        assertCode(() -> verifier.verify(hs.serialize(), List.of(staticIssuer)), DcrError.INVALID_SOFTWARE_STATEMENT);
        String noIss = sign(trusted, new JWTClaimsSet.Builder().claim("software_id", "x").build());
        assertCode(() -> verifier.verify(noIss, List.of(staticIssuer)), DcrError.INVALID_SOFTWARE_STATEMENT);
        assertCode(() -> verifier.verify("not.a.jwt", List.of(staticIssuer)), DcrError.INVALID_SOFTWARE_STATEMENT);
    }

    @Test
    void dcr09_expiredStatementIsInvalid() throws Exception {
        JWTClaimsSet expired = new JWTClaimsSet.Builder().issuer(ISS).expirationTime(new Date(System.currentTimeMillis() - 3_600_000)).build();
        assertCode(() -> verifier.verify(unchecked(() -> sign(trusted, expired)), List.of(staticIssuer)), DcrError.INVALID_SOFTWARE_STATEMENT);
    }

    @Test
    void dcr09_unknownKidRefetchesJwksUriOnce() throws Exception {
        ECKey rotated = key("k2");
        AtomicInteger refreshes = new AtomicInteger();
        StatementIssuer remote = new StatementIssuer(ISS, ISS, StatementIssuer.KeySource.JWKS_URI,
                URI.create("https://software.example.com/jwks"), null, null);
        SoftwareStatementVerifier v = new SoftwareStatementVerifier((issuer, refresh) -> {
            if (refresh) {
                refreshes.incrementAndGet();
                return new JWKSet(List.of(trusted.toPublicJWK(), rotated.toPublicJWK()));
            }
            return new JWKSet(trusted.toPublicJWK());
        }, (jwt, issuer) -> Map.of());
        assertThat(v.verify(sign(rotated, claims(ISS)), List.of(remote)).claims()).containsEntry("software_id", "sw-1");
        assertThat(refreshes.get()).isEqualTo(1);
    }

    @Test
    void spiffeStatementGoesToTheSvidVerifierOfItsTrustDomain() throws Exception {
        StatementIssuer td = StatementIssuer.from(Map.of("keySource", List.of("spiffe"), "trustDomain", List.of("td-one.test")));
        SoftwareStatementVerifier v = new SoftwareStatementVerifier((issuer, refresh) -> { throw new AssertionError(); },
                (jwt, issuer) -> Map.of("sub", "spiffe://td-one.test/app", "software_id", "from-svid"));
        String svid = sign(trusted, new JWTClaimsSet.Builder().subject("spiffe://td-one.test/app").build());
        VerifiedStatement s = v.verify(svid, List.of(td));
        assertThat(s.issuer()).isEqualTo("td-one.test");
        assertThat(s.claims()).containsEntry("software_id", "from-svid");
        String otherTd = sign(trusted, new JWTClaimsSet.Builder().subject("spiffe://td-two.test/app").build());
        assertCode(() -> v.verify(otherTd, List.of(td)), DcrError.INVALID_SOFTWARE_STATEMENT);
    }

    @Test
    void issuerSettingsAreValidated() {
        assertThatThrownBy(() -> StatementIssuer.from(Map.of("keySource", List.of("jwks_uri"), "issuer", List.of(ISS),
                "jwksUri", List.of("http://software.example.com/jwks")))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StatementIssuer.from(Map.of("keySource", List.of("static"), "issuer", List.of(ISS),
                "staticJwks", List.of("{\"keys\":[]}")))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StatementIssuer.from(Map.of("keySource", List.of("static"), "issuer", List.of(ISS),
                "staticJwks", List.of(new JWKSet(trusted).toString(false))))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StatementIssuer.from(Map.of("keySource", List.of("spiffe"), "trustDomain",
                List.of("spiffe://td")))).isInstanceOf(IllegalArgumentException.class);
    }

    private interface ThrowingSupplier {
        String get() throws Exception;
    }

    private static String unchecked(ThrowingSupplier s) {
        try {
            return s.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
