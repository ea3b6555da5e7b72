package dev.workloadid.keycloak.spiffe.jwt;

import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.EC256_A;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.EC256_B;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.EC384_A;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.ISSUER;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.NOW;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.RSA_A;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.RSA_B;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.SUB_A;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.TD_A;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.TD_B;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.bundles;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.mint;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.mintHeader;
import static dev.workloadid.keycloak.spiffe.jwt.Svids.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObjectJSON;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.spiffe.bundle.BundleJson;
import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import dev.workloadid.keycloak.spiffe.bundle.TestCerts;
import dev.workloadid.keycloak.spiffe.api.SvidRejectedException.Reason;
import io.spiffe.spiffeid.TrustDomain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

class JwtSvidValidatorTest {

    private static final JwtSvidValidator VALIDATOR = validator(JwtSvidPolicy.builder(ISSUER).build());

    private static JwtSvidValidator validator(JwtSvidPolicy policy) {
        return new JwtSvidValidator(policy, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static SvidRejectedException rejected(String token) {
        return rejected(VALIDATOR, token, bundles());
    }

    private static SvidRejectedException rejected(JwtSvidValidator v, String token,
            Function<TrustDomain, SpiffeBundle> bundles) {
        SvidRejectedException e = catchThrowableOfType(SvidRejectedException.class,
                () -> v.validate(token, bundles));
        assertThat(e).as("expected a rejection").isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        return e;
    }

    private static void assertRejected(String token, Reason reason) {
        assertThat(rejected(token).why()).isEqualTo(reason);
    }

    private static ValidatedJwtSvid accepted(String token) throws SvidRejectedException {
        return VALIDATOR.validate(token, bundles());
    }

    /** A bundle source that fails the test if consulted. */
    private static Function<TrustDomain, SpiffeBundle> untouchable() {
        return td -> {
            throw new AssertionError("bundle looked up for " + td);
        };
    }

    // --- happy path and result ----------------------------------------------------------------

    @Test
    void sca03_validSvidYieldsSpiffeIdAndMetadata() throws Exception {
        String token = mint(c -> c.jwtID("jti-1").issueTime(Date.from(NOW.minusSeconds(10))));
        ValidatedJwtSvid svid = accepted(token);
        assertThat(svid.spiffeId().toString()).isEqualTo(SUB_A);
        assertThat(svid.trustDomain()).isEqualTo(TD_A);
        assertThat(svid.jti()).isEqualTo("jti-1");
        assertThat(svid.expiresAt()).isEqualTo(NOW.plusSeconds(120));
        assertThat(svid.issuedAt()).isEqualTo(NOW.minusSeconds(10));
        assertThat(svid.keyId()).isEqualTo("a-ec256");
        assertThat(svid.algorithm()).isEqualTo("ES256");
        assertThat(svid.claims().getSubject()).isEqualTo(SUB_A);
    }

    // --- JSV-03 algorithms --------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"})
    void jsv03_acceptsEveryAllowedAlgorithm(String name) throws Exception {
        JWSAlgorithm alg = JWSAlgorithm.parse(name);
        String token = mint(alg, Svids.keyFor(alg), h -> { }, c -> { });
        ValidatedJwtSvid svid = accepted(token);
        assertThat(svid.algorithm()).isEqualTo(name);
        assertThat(svid.keyId()).isEqualTo(Svids.keyFor(alg).getKeyID());
    }

    @Test
    void jsv03_rejectsHs256() throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("a-rsa").build(),
                Svids.claims().build());
        jwt.sign(new MACSigner(secret));
        assertThat(rejected(VALIDATOR, jwt.serialize(), untouchable()).why()).isEqualTo(Reason.ALG_NOT_ALLOWED);
    }

    @Test
    void jsv03_rejectsHs256SignedWithThePublicKeyBytes() throws Exception {
        // The classic RS256 -> HS256 confusion: HMAC keyed with the verifier's public key.
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("a-rsa").build(),
                Svids.claims().build());
        jwt.sign(new MACSigner(RSA_A.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
        assertRejected(jwt.serialize(), Reason.ALG_NOT_ALLOWED);
    }

    @Test
    void jsv03_rejectsNone() {
        String token = new PlainJWT(Svids.claims().build()).serialize();
        assertThat(rejected(VALIDATOR, token, untouchable()).why()).isEqualTo(Reason.ALG_NOT_ALLOWED);
    }

    @Test
    void jsv03_rejectsEdDsa() throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID("a-ec256").build();
        String input = header.toBase64URL() + "." + new Payload(Svids.claims().build().toJSONObject()).toBase64URL();
        Signature sig = Signature.getInstance("Ed25519");
        sig.initSign(kp.getPrivate());
        sig.update(input.getBytes(StandardCharsets.US_ASCII));
        String token = input + "." + Base64URL.encode(sig.sign());
        assertThat(rejected(VALIDATOR, token, untouchable()).why()).isEqualTo(Reason.ALG_NOT_ALLOWED);
    }

    @Test
    void jsv03_rejectsOtherAlgorithmsBeforeAnyKeyLookup() {
        for (String alg : new String[] {"ES256K", "RS1", "HS512", "EdDSA", "Ed25519", "rs256", "foo"}) {
            String header = Base64URL.encode("{\"alg\":\"" + alg + "\",\"kid\":\"a-ec256\"}").toString();
            String payload = new Payload(Svids.claims().build().toJSONObject()).toBase64URL().toString();
            String token = header + "." + payload + "." + Base64URL.encode("sig");
            assertThat(rejected(VALIDATOR, token, untouchable()).why()).as(alg).isEqualTo(Reason.ALG_NOT_ALLOWED);
        }
    }

    @Test
    void jsv03_policyCanNarrowButNeverWidenTheAlgorithms() throws Exception {
        assertThatThrownBy(() -> JwtSvidPolicy.builder(ISSUER).allowedAlgorithms(Set.of(JWSAlgorithm.HS256)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JwtSvidPolicy.builder(ISSUER).allowedAlgorithms(Set.of(JWSAlgorithm.EdDSA)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JwtSvidPolicy.builder(ISSUER).allowedAlgorithms(Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
        JwtSvidValidator esOnly = validator(JwtSvidPolicy.builder(ISSUER)
                .allowedAlgorithms(Set.of(JWSAlgorithm.ES256)).build());
        assertThat(esOnly.validate(valid(), bundles()).algorithm()).isEqualTo("ES256");
        String rs = mint(JWSAlgorithm.RS256, RSA_A, h -> { }, c -> { });
        assertThat(rejected(esOnly, rs, untouchable()).why()).isEqualTo(Reason.ALG_NOT_ALLOWED);
        assertThat(JwtSvidPolicy.builder(ISSUER).build().allowedAlgorithms()).hasSize(9);
    }

    // --- JSV-01 / SCA-02 serialization ----------------------------------------------------------

    @Test
    void jsv01_rejectsJwsJsonSerialization() throws Exception {
        JWSObjectJSON json = new JWSObjectJSON(new Payload(Svids.claims().build().toJSONObject()));
        json.sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("a-ec256").build(), null, new ECDSASigner(EC256_A));
        assertThat(rejected(VALIDATOR, json.serializeFlattened(), untouchable()).why())
                .isEqualTo(Reason.JSON_SERIALIZATION);
        assertThat(rejected(VALIDATOR, json.serializeGeneral(), untouchable()).why())
                .isEqualTo(Reason.JSON_SERIALIZATION);
    }

    @Test
    void sca02_rejectsTwoJwtsInOneParameter() {
        String a = valid();
        String b = valid();
        for (String both : new String[] {a + " " + b, a + "," + b, a + "." + b, a + "\n" + b, a + ";" + b}) {
            assertThat(rejected(VALIDATOR, both, untouchable()).why()).isEqualTo(Reason.MALFORMED);
        }
    }

    @Test
    void jsv01_rejectsWhitespaceAroundAnOtherwiseValidJwt() {
        assertRejected(" " + valid(), Reason.MALFORMED);
        assertRejected(valid() + "\n", Reason.MALFORMED);
    }

    @Test
    void jsv01_rejectsGarbageEmptyAndOversizedInput() {
        assertRejected("", Reason.MALFORMED);
        assertRejected(null, Reason.MALFORMED);
        assertRejected("abc", Reason.MALFORMED);
        assertRejected("a.b", Reason.MALFORMED);
        assertRejected("a.b.c", Reason.MALFORMED);
        assertRejected("...", Reason.MALFORMED);
        String huge = mint(c -> c.claim("pad", "x".repeat(20_000)));
        assertRejected(huge, Reason.MALFORMED);
    }

    @Test
    void jsv01_rejectsNonJsonClaims() throws Exception {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("a-ec256").build();
        com.nimbusds.jose.JWSObject jws = new com.nimbusds.jose.JWSObject(header, new Payload("not json"));
        jws.sign(new ECDSASigner(EC256_A));
        assertRejected(jws.serialize(), Reason.MALFORMED);
        // A registered claim of the wrong type is malformed too.
        com.nimbusds.jose.JWSObject badExp = new com.nimbusds.jose.JWSObject(header, new Payload(
                Map.of("sub", SUB_A, "aud", ISSUER, "exp", "tomorrow")));
        badExp.sign(new ECDSASigner(EC256_A));
        assertRejected(badExp.serialize(), Reason.MALFORMED);
    }

    @Test
    void jsv01_rejectsDeeplyNestedJsonAsMalformed() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        String header = Base64URL.encode("{\"alg\":\"ES256\",\"x\":" + deep + "}").toString();
        String payload = Base64URL.encode("{\"sub\":" + deep + "}").toString();
        String good = valid();
        String goodHeader = good.substring(0, good.indexOf('.'));
        JwtSvidValidator roomy = validator(JwtSvidPolicy.builder(ISSUER).maxAssertionLength(64 * 1024).build());
        assertThat(rejected(roomy, header + "." + payload + ".c2ln", untouchable()).why()).isEqualTo(Reason.MALFORMED);
        assertThat(rejected(roomy, goodHeader + "." + payload + ".c2ln", untouchable()).why())
                .isEqualTo(Reason.MALFORMED);
    }

    @Test
    void jsv01_rejectsEncryptedJwt() throws Exception {
        EncryptedJWT jwe = new EncryptedJWT(new JWEHeader(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128GCM),
                Svids.claims().build());
        jwe.encrypt(new RSAEncrypter(RSA_A.toRSAPublicKey()));
        assertThat(rejected(VALIDATOR, jwe.serialize(), untouchable()).why()).isEqualTo(Reason.ENCRYPTED);
    }

    // --- JSV-05 / JSV-02 header -----------------------------------------------------------------

    @Test
    void jsv05_acceptsAbsentJwtOrJoseTyp() throws Exception {
        assertThat(accepted(mintHeader(h -> h.type(null))).keyId()).isEqualTo("a-ec256");
        accepted(mintHeader(h -> h.type(JOSEObjectType.JWT)));
        accepted(mintHeader(h -> h.type(JOSEObjectType.JOSE)));
    }

    @Test
    void jsv05_typIsCaseInsensitive() throws Exception {
        accepted(mintHeader(h -> h.type(new JOSEObjectType("jwt"))));
        accepted(mintHeader(h -> h.type(new JOSEObjectType("Jose"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"client-authentication+jwt", "at+jwt", "application/jwt", "JWS", "", "wit+jwt"})
    void jsv05_rejectsOtherTyp(String typ) {
        String token = mintHeader(h -> h.type(new JOSEObjectType(typ)));
        assertThat(rejected(VALIDATOR, token, untouchable()).why()).isEqualTo(Reason.TYP_NOT_ALLOWED);
    }

    @Test
    void jsv02_rejectsCriticalHeaderParameters() {
        String token = mintHeader(h -> h.criticalParams(Set.of("x-ext")).customParam("x-ext", true));
        assertRejected(token, Reason.MALFORMED);
    }

    @Test
    void sca67_embeddedJwkHeaderIsNeverTrusted() throws Exception {
        ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID("a-ec256").generate();
        String token = mint(JWSAlgorithm.ES256, attacker, h -> h.jwk(attacker.toPublicJWK())
                .jwkURL(java.net.URI.create("https://attacker.example/jwks")), c -> { });
        assertRejected(token, Reason.SIGNATURE_INVALID);
    }

    @Test
    void jsv02_otherHeaderParametersAreToleratedNotUsed() throws Exception {
        String token = mintHeader(h -> h.jwkURL(java.net.URI.create("https://elsewhere.example/jwks"))
                .customParam("x-vendor", "1"));
        assertThat(accepted(token).keyId()).isEqualTo("a-ec256");
    }

    // --- JSV-04 kid -----------------------------------------------------------------------------

    @Test
    void jsv04_kidSelectsThatKey() throws Exception {
        String token = mint(JWSAlgorithm.ES384, EC384_A, h -> { }, c -> { });
        assertThat(accepted(token).keyId()).isEqualTo("a-ec384");
    }

    @Test
    void jsv04_withoutKidEveryFittingJwtSvidKeyIsTried() throws Exception {
        for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
                JWSAlgorithm.ES384, JWSAlgorithm.ES512)) {
            String token = mint(alg, Svids.keyFor(alg), h -> h.keyID(null), c -> { });
            assertThat(accepted(token).keyId()).as(alg.getName()).isEqualTo(Svids.keyFor(alg).getKeyID());
        }
    }

    @Test
    void jsv04_withoutKidSeveralKeysOfTheSameTypeAreAllTried() throws Exception {
        ECKey first = new ECKeyGenerator(Curve.P_256).keyID("first").generate();
        ECKey second = new ECKeyGenerator(Curve.P_256).keyID("second").generate();
        SpiffeBundle bundle = SpiffeBundle.parse(TD_A, BundleJson.create().jwtSvid(first).jwtSvid(second).json());
        String token = mint(JWSAlgorithm.ES256, second, h -> h.keyID(null), c -> { });
        assertThat(VALIDATOR.validate(token, td -> td.equals(TD_A) ? bundle : null).keyId()).isEqualTo("second");
    }

    @Test
    void jsv04_unknownKidIsReportedSoTheCallerMayRefresh() {
        ECKey rotated = newEc("rotated-key");
        String token = mint(JWSAlgorithm.ES256, rotated, h -> { }, c -> { });
        assertRejected(token, Reason.UNKNOWN_KID);
    }

    @Test
    void jsv04_kidOfAKeyThatCannotProduceTheAlgIsRejected() {
        // Header says ES256 with the RSA key's kid.
        String token = mint(JWSAlgorithm.ES256, EC256_A, h -> h.keyID("a-rsa"), c -> { });
        assertRejected(token, Reason.SIGNATURE_INVALID);
        // ES384 with the P-256 key's kid: the curve does not fit.
        String wrongCurve = mint(JWSAlgorithm.ES384, EC384_A, h -> h.keyID("a-ec256"), c -> { });
        assertRejected(wrongCurve, Reason.SIGNATURE_INVALID);
    }

    @Test
    void jsv04_keyAlgMemberMustAgreeWithTokenAlg() throws Exception {
        java.util.Map<String, Object> pinned = new java.util.LinkedHashMap<>(RSA_A.toPublicJWK().toJSONObject());
        pinned.put("use", "jwt-svid");
        pinned.put("alg", "PS256");
        SpiffeBundle bundle = SpiffeBundle.parse(TD_A, BundleJson.create().raw(pinned).json());
        Function<TrustDomain, SpiffeBundle> only = td -> td.equals(TD_A) ? bundle : null;
        String ps = mint(JWSAlgorithm.PS256, RSA_A, h -> { }, c -> { });
        assertThat(VALIDATOR.validate(ps, only).algorithm()).isEqualTo("PS256");
        String rs = mint(JWSAlgorithm.RS256, RSA_A, h -> { }, c -> { });
        assertThat(rejected(VALIDATOR, rs, only).why()).isEqualTo(Reason.SIGNATURE_INVALID);
    }

    @Test
    void jsv04_tamperedPayloadFailsSignature() {
        String token = valid();
        String[] parts = token.split("\\.");
        String forged = new Payload(Svids.claims().subject("spiffe://example.org/ns/prod/sa/admin").build()
                .toJSONObject()).toBase64URL().toString();
        assertRejected(parts[0] + "." + forged + "." + parts[2], Reason.SIGNATURE_INVALID);
        // An empty signature part is not even a JWS (Nimbus refuses to parse it).
        assertRejected(parts[0] + "." + parts[1] + ".", Reason.MALFORMED);
    }

    @Test
    void jsv04_descriptionDoesNotEchoUnsafeKidCharacters() {
        String token = mint(JWSAlgorithm.ES256, EC256_A, h -> h.keyID("evil\"kid\n<script>"), c -> { });
        SvidRejectedException e = rejected(token);
        assertThat(e.why()).isEqualTo(Reason.UNKNOWN_KID);
        assertThat(e.getMessage()).doesNotContain("\"", "\n", "<");
    }

    // --- SCA-03 required claims -----------------------------------------------------------------

    @Test
    void sca03_rejectsMissingSub() {
        assertRejected(mint(c -> c.subject(null)), Reason.MISSING_SUB);
        assertRejected(mint(c -> c.subject("")), Reason.MISSING_SUB);
    }

    @ParameterizedTest
    @ValueSource(strings = {"client-1", "https://example.org/ns/prod", "spiffe://example.org",
            "spiffe://example.org/", "spiffe://example.org/a/../b", "spiffe://example.org:443/a",
            "spiffe://example.org/a?x=1"})
    void jsv06_rejectsSubThatIsNotAWorkloadSpiffeId(String sub) {
        assertRejected(mint(c -> c.subject(sub)), Reason.SUB_NOT_SPIFFE_ID);
    }

    @Test
    void sid04_rejectsOverlongSub() {
        String sub = "spiffe://example.org/" + "a".repeat(2048);
        JwtSvidValidator roomy = validator(JwtSvidPolicy.builder(ISSUER).maxAssertionLength(64 * 1024).build());
        assertThat(rejected(roomy, mint(c -> c.subject(sub)), bundles()).why()).isEqualTo(Reason.SUB_NOT_SPIFFE_ID);
    }

    @Test
    void sid05_subTrustDomainIsCaseInsensitive() throws Exception {
        ValidatedJwtSvid svid = accepted(mint(c -> c.subject("SPIFFE://Example.ORG/ns/prod/sa/API")));
        assertThat(svid.spiffeId().toString()).isEqualTo("spiffe://example.org/ns/prod/sa/API");
        assertThat(svid.trustDomain()).isEqualTo(TD_A);
    }

    @Test
    void sca03_rejectsMissingAud() {
        assertRejected(mint(c -> c.audience((String) null)), Reason.MISSING_AUD);
        assertRejected(mint(c -> c.audience(List.of())), Reason.MISSING_AUD);
    }

    @Test
    void sca03_rejectsMissingExp() {
        assertRejected(mint(c -> c.expirationTime(null)), Reason.MISSING_EXP);
    }

    // --- SCA-05 audience --------------------------------------------------------------------------

    @Test
    void sca05_acceptsIssuerAsStringOrSingleElementArray() throws Exception {
        String asString = mint(c -> c.audience(ISSUER));
        assertThat(SignedJWT.parse(asString).getPayload().toJSONObject().get("aud")).isInstanceOf(String.class);
        accepted(asString);
        // Nimbus writes a one-element audience as a string, so build the array form by hand.
        Map<String, Object> claims = new java.util.LinkedHashMap<>(Svids.claims().build().toJSONObject());
        claims.put("aud", List.of(ISSUER));
        com.nimbusds.jose.JWSObject jws = new com.nimbusds.jose.JWSObject(
                Svids.header(JWSAlgorithm.ES256, EC256_A).build(), new Payload(claims));
        jws.sign(new ECDSASigner(EC256_A));
        assertThat(SignedJWT.parse(jws.serialize()).getPayload().toJSONObject().get("aud")).isInstanceOf(List.class);
        accepted(jws.serialize());
    }

    @Test
    void sca05_rejectsAudienceWithSecondValue() {
        assertRejected(mint(c -> c.audience(List.of(ISSUER, "https://other.example"))), Reason.AUD_NOT_SOLE_ISSUER);
        assertRejected(mint(c -> c.audience(List.of("https://other.example", ISSUER))), Reason.AUD_NOT_SOLE_ISSUER);
        assertRejected(mint(c -> c.audience(List.of(ISSUER, ISSUER))), Reason.AUD_NOT_SOLE_ISSUER);
    }

    @ParameterizedTest
    @ValueSource(strings = {ISSUER + "/protocol/openid-connect/token", ISSUER + "/", "https://kc.example.com/realms/Demo",
            "https://kc.example.com/realms/other", "spiffe://example.org/keycloak"})
    void sca05_rejectsAudienceOtherThanIssuer(String aud) {
        assertRejected(mint(c -> c.audience(aud)), Reason.AUD_NOT_SOLE_ISSUER);
    }

    // --- SCA-04 / JSV-08 time -------------------------------------------------------------------

    @Test
    void sca04_rejectsExpiredBeyondSkew() {
        assertRejected(mint(c -> c.issueTime(Date.from(NOW.minusSeconds(600)))
                .expirationTime(Date.from(NOW.minusSeconds(31)))), Reason.EXPIRED);
        assertRejected(mint(c -> c.issueTime(Date.from(NOW.minusSeconds(600)))
                .expirationTime(Date.from(NOW.minusSeconds(30)))), Reason.EXPIRED);
    }

    @Test
    void sca04_acceptsExpiredWithinSkew() throws Exception {
        accepted(mint(c -> c.issueTime(Date.from(NOW.minusSeconds(300)))
                .expirationTime(Date.from(NOW.minusSeconds(29)))));
    }

    @Test
    void sca04_zeroSkewMeansExpAtNowIsExpired() {
        JwtSvidValidator strict = validator(JwtSvidPolicy.builder(ISSUER).clockSkew(Duration.ZERO).build());
        String token = mint(c -> c.expirationTime(Date.from(NOW)));
        assertThat(rejected(strict, token, bundles()).why()).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void sca04_lifetimeIsCountedFromNowNotFromIat() {
        // Stock Keycloak counts from iat, so a fresh iat with exp = now + 1h passes there. Not here.
        String token = mint(c -> c.issueTime(Date.from(NOW)).expirationTime(Date.from(NOW.plusSeconds(3600))));
        assertRejected(token, Reason.LIFETIME_TOO_LONG);
        String noIat = mint(c -> c.issueTime(null).expirationTime(Date.from(NOW.plusSeconds(3600))));
        assertRejected(noIat, Reason.LIFETIME_TOO_LONG);
    }

    @Test
    void sca04_oldIatDoesNotMatterWhenRemainingLifetimeIsShort() throws Exception {
        // Issued 55 minutes ago with a 1-hour TTL: only 5 minutes left, acceptable.
        accepted(mint(c -> c.issueTime(Date.from(NOW.minusSeconds(3300))).expirationTime(Date.from(NOW.plusSeconds(300)))));
    }

    @Test
    void sca04_lifetimeCapIncludesSkewBoundary() throws Exception {
        accepted(mint(c -> c.expirationTime(Date.from(NOW.plusSeconds(330)))));
        assertRejected(mint(c -> c.expirationTime(Date.from(NOW.plusSeconds(331)))), Reason.LIFETIME_TOO_LONG);
    }

    @Test
    void sca04_maxLifetimeIsConfigurable() throws Exception {
        JwtSvidValidator hour = validator(JwtSvidPolicy.builder(ISSUER).maxLifetime(Duration.ofHours(1)).build());
        hour.validate(mint(c -> c.expirationTime(Date.from(NOW.plusSeconds(3600)))), bundles());
        assertThatThrownBy(() -> JwtSvidPolicy.builder(ISSUER).maxLifetime(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        JwtSvidPolicy.builder(ISSUER).maxLifetime(JwtSvidPolicy.MAX_LIFETIME_LIMIT);
        assertThatThrownBy(() -> JwtSvidPolicy.builder(ISSUER).maxLifetime(Duration.ofDays(1).plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jsv08_rejectsNbfInTheFuture() throws Exception {
        assertRejected(mint(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(31)))), Reason.NBF_IN_FUTURE);
        accepted(mint(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(30)))));
        accepted(mint(c -> c.notBeforeTime(Date.from(NOW.minusSeconds(60)))));
    }

    @Test
    void jsv08_rejectsIatInTheFuture() throws Exception {
        assertRejected(mint(c -> c.issueTime(Date.from(NOW.plusSeconds(31)))), Reason.IAT_IN_FUTURE);
        accepted(mint(c -> c.issueTime(Date.from(NOW.plusSeconds(30)))));
    }

    @Test
    void jsv08_policyRejectsUnreasonableSkew() {
        assertThatThrownBy(() -> JwtSvidPolicy.builder(ISSUER).clockSkew(Duration.ofMinutes(6)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JwtSvidPolicy.builder(ISSUER).clockSkew(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JwtSvidPolicy.builder(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sca03_claimChecksHappenBeforeTheBundleLookup() {
        String expired = mint(c -> c.expirationTime(Date.from(NOW.minusSeconds(3600))).issueTime(null));
        assertThat(rejected(VALIDATOR, expired, untouchable()).why()).isEqualTo(Reason.EXPIRED);
        String wrongAud = mint(c -> c.audience("https://elsewhere"));
        assertThat(rejected(VALIDATOR, wrongAud, untouchable()).why()).isEqualTo(Reason.AUD_NOT_SOLE_ISSUER);
    }

    // --- SCA-06 / SID-06 trust domain of sub ------------------------------------------------------

    @Test
    void sca06_keyOfTrustDomainBCannotValidateSvidOfTrustDomainA() {
        // Signed by B's key, sub in A: A's bundle does not know B's kid.
        String withKid = mint(JWSAlgorithm.RS256, RSA_B, h -> { }, c -> { });
        assertRejected(withKid, Reason.UNKNOWN_KID);
        // Without kid every A key is tried, none verifies.
        String noKid = mint(JWSAlgorithm.ES256, EC256_B, h -> h.keyID(null), c -> { });
        assertRejected(noKid, Reason.SIGNATURE_INVALID);
        // And B's key under a kid that A also uses.
        String borrowedKid = mint(JWSAlgorithm.ES256, EC256_B, h -> h.keyID("a-ec256"), c -> { });
        assertRejected(borrowedKid, Reason.SIGNATURE_INVALID);
    }

    @Test
    void sca06_onlyTheBundleOfTheSubTrustDomainIsConsulted() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Function<TrustDomain, SpiffeBundle> counting = td -> {
            calls.incrementAndGet();
            assertThat(td).isEqualTo(TD_B);
            return Svids.BUNDLE_B;
        };
        String token = mint(JWSAlgorithm.RS256, RSA_B, h -> { }, c -> c.subject("spiffe://other.org/w")
                .issuer("spiffe://example.org"));
        ValidatedJwtSvid svid = VALIDATOR.validate(token, counting);
        assertThat(svid.trustDomain()).isEqualTo(TD_B);
        assertThat(calls).hasValue(1);
    }

    @Test
    void sca09_issIsNeitherRequiredNorUsed() throws Exception {
        accepted(mint(c -> c.issuer(null)));
        accepted(mint(c -> c.issuer("https://attacker.example")));
        // iss naming trust domain B does not make B's keys count for a sub in A.
        String token = mint(JWSAlgorithm.RS256, RSA_B, h -> h.keyID(null), c -> c.issuer("spiffe://other.org"));
        assertRejected(token, Reason.SIGNATURE_INVALID);
    }

    @Test
    void sca63_unknownTrustDomainIsRejected() {
        String token = mint(c -> c.subject("spiffe://unknown.org/w"));
        assertRejected(token, Reason.UNKNOWN_TRUST_DOMAIN);
    }

    @Test
    void bnd06_bundleOfAnotherTrustDomainIsNeverUsed() {
        // A misbehaving source answering with B's bundle for A.
        String token = mint(JWSAlgorithm.RS256, RSA_B, h -> { }, c -> { });
        assertThat(rejected(VALIDATOR, token, td -> Svids.BUNDLE_B).why()).isEqualTo(Reason.UNKNOWN_TRUST_DOMAIN);
    }

    // --- BND-05 / JSV-10 empty bundles ------------------------------------------------------------

    @Test
    void bnd05_emptyBundleValidatesNothing() throws Exception {
        SpiffeBundle empty = SpiffeBundle.parse(TD_A, "{\"keys\":[],\"spiffe_sequence\":2}");
        assertThat(rejected(VALIDATOR, valid(), td -> empty).why()).isEqualTo(Reason.NO_JWT_AUTHORITIES);
        assertThat(rejected(VALIDATOR, valid(), td -> SpiffeBundle.empty(TD_A)).why())
                .isEqualTo(Reason.NO_JWT_AUTHORITIES);
    }

    @Test
    void jsv10_bundleWithOnlyX509AuthoritiesRejectsJwtSvids() throws Exception {
        SpiffeBundle x509Only = SpiffeBundle.parse(TD_A, BundleJson.create().x509Svid(TestCerts.ecCa("ca")).json());
        assertThat(rejected(VALIDATOR, valid(), td -> x509Only).why()).isEqualTo(Reason.NO_JWT_AUTHORITIES);
    }

    @Test
    void jsv10_keyPublishedWithoutJwtSvidUseIsNotAnAuthority() throws Exception {
        java.util.Map<String, Object> sig = new java.util.LinkedHashMap<>(EC256_A.toPublicJWK().toJSONObject());
        sig.put("use", "sig");
        SpiffeBundle b = SpiffeBundle.parse(TD_A, BundleJson.create().raw(sig).jwtSvid(RSA_A).json());
        assertThat(rejected(VALIDATOR, valid(), td -> b).why()).isEqualTo(Reason.UNKNOWN_KID);
    }

    // --- JSV-09 / SCA-10 jti ----------------------------------------------------------------------

    @Test
    void sca10_jtiIsOptionalByDefault() throws Exception {
        assertThat(accepted(mint(c -> c.jwtID(null))).jti()).isNull();
    }

    @Test
    void jsv09_requireJtiRejectsMissingJti() throws Exception {
        JwtSvidValidator v = validator(JwtSvidPolicy.builder(ISSUER).requireJti(true).build());
        assertThat(rejected(v, mint(c -> c.jwtID(null)), bundles()).why()).isEqualTo(Reason.MISSING_JTI);
        assertThat(rejected(v, mint(c -> c.jwtID("")), bundles()).why()).isEqualTo(Reason.MISSING_JTI);
        assertThat(v.validate(mint(c -> c.jwtID("j-1")), bundles()).jti()).isEqualTo("j-1");
    }

    // --- reason codes -----------------------------------------------------------------------------

    @Test
    void sca03_reasonCodesAreStable() {
        // The JWT-SVID validator's reasons (one enum serves every SVID refusal).
        assertThat(Stream.of(Reason.MALFORMED, Reason.JSON_SERIALIZATION, Reason.ENCRYPTED, Reason.ALG_NOT_ALLOWED,
                Reason.TYP_NOT_ALLOWED, Reason.MISSING_SUB, Reason.SUB_NOT_SPIFFE_ID, Reason.MISSING_AUD,
                Reason.AUD_NOT_SOLE_ISSUER, Reason.MISSING_EXP, Reason.EXPIRED, Reason.LIFETIME_TOO_LONG,
                Reason.NBF_IN_FUTURE, Reason.IAT_IN_FUTURE, Reason.UNKNOWN_TRUST_DOMAIN, Reason.NO_JWT_AUTHORITIES,
                Reason.UNKNOWN_KID, Reason.SIGNATURE_INVALID, Reason.MISSING_JTI).map(Reason::code)).containsExactly(
                "malformed", "json_serialization", "encrypted_jwt", "alg_not_allowed", "typ_not_allowed",
                "missing_sub", "sub_not_spiffe_id", "missing_aud", "aud_not_sole_issuer", "missing_exp",
                "expired", "lifetime_too_long", "nbf_in_future", "iat_in_future", "unknown_trust_domain",
                "no_jwt_authorities", "unknown_kid", "signature_invalid", "missing_jti");
        SvidRejectedException e = rejected(mint(c -> c.subject(null)));
        assertThat(e.reason()).isEqualTo("missing_sub");
    }

    private static ECKey newEc(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
