package dev.workloadid.keycloak.spiffe.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.spiffe.spiffeid.TrustDomain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

class SpiffeBundleTest {

    private static final TrustDomain TD = TrustDomain.parse("example.org");

    private static RSAKey rsa;
    private static ECKey ec;
    private static TestCerts.Ca rsaCa;
    private static TestCerts.Ca ecCa;

    @BeforeAll
    static void keys() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        rsaCa = TestCerts.rsaCa("rsa-ca");
        ecCa = TestCerts.ecCa("ec-ca");
    }

    private static Map<String, Object> entry(JWK key, String use) {
        Map<String, Object> m = new LinkedHashMap<>(key.toPublicJWK().toJSONObject());
        if (use != null) {
            m.put("use", use);
        }
        return m;
    }

    // --- BND-01 -------------------------------------------------------------------------------

    @Test
    void bnd01_parsesJwkSetWithBothKindsOfAuthorities() throws Exception {
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create()
                .jwtSvid(rsa).jwtSvid(ec).x509Svid(rsaCa).x509Svid(ecCa).json());
        assertThat(b.trustDomain()).isEqualTo(TD);
        assertThat(b.format()).isEqualTo(SpiffeBundle.Format.JWKS);
        assertThat(b.jwtAuthorities()).extracting(JWK::getKeyID).containsExactly("rsa-1", "ec-1");
        assertThat(b.x509Authorities()).containsExactly(rsaCa.cert(), ecCa.cert());
        assertThat(b.isEmpty()).isFalse();
        assertThat(b.supportsJwtSvid()).isTrue();
        assertThat(b.supportsX509Svid()).isTrue();
        assertThat(b.warnings()).isEmpty();
    }

    @Test
    void bnd01_rejectsDocumentWithoutKeys() {
        assertThatThrownBy(() -> SpiffeBundle.parse(TD, "{\"spiffe_sequence\":1}"))
                .isInstanceOf(BundleParseException.class).hasMessageContaining("keys");
    }

    @Test
    void bnd01_rejectsKeysThatIsNotAnArray() {
        assertThatThrownBy(() -> SpiffeBundle.parse(TD, "{\"keys\":{}}"))
                .isInstanceOf(BundleParseException.class).hasMessageContaining("array");
        assertThatThrownBy(() -> SpiffeBundle.parse(TD, "{\"keys\":null}"))
                .isInstanceOf(BundleParseException.class);
    }

    @Test
    void bnd01_rejectsNonJsonAndEmptyDocuments() {
        for (String doc : new String[] {"", "  ", "not json", "[]", "{\"keys\":[", "{\"keys\":[],\"keys\":[]}"}) {
            assertThatThrownBy(() -> SpiffeBundle.parse(TD, doc)).as(doc).isInstanceOf(BundleParseException.class);
        }
        assertThatThrownBy(() -> SpiffeBundle.parse(TD, null)).isInstanceOf(BundleParseException.class);
    }

    @Test
    void bnd01_allowsUnknownTopLevelMembers() throws Exception {
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().jwtSvid(ec)
                .member("spiffe_future_thing", Map.of("a", 1)).member("x", "y").json());
        assertThat(b.jwtAuthorities()).hasSize(1);
    }

    // --- BND-02 -------------------------------------------------------------------------------

    @Test
    void bnd02_parsesSequenceAsSixtyFourBit() throws Exception {
        long big = 1L << 40;
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().jwtSvid(ec).sequence(big).json());
        assertThat(b.sequence()).hasValue(big);
        SpiffeBundle max = SpiffeBundle.parse(TD, "{\"keys\":[],\"spiffe_sequence\":9223372036854775807}");
        assertThat(max.sequence()).hasValue(Long.MAX_VALUE);
        assertThat(SpiffeBundle.parse(TD, "{\"keys\":[]}").sequence()).isEmpty();
    }

    @Test
    void bnd02_rejectsInvalidSequence() {
        for (String seq : new String[] {"-1", "1.5", "\"12\"", "true", "18446744073709551615", "[1]"}) {
            assertThatThrownBy(() -> SpiffeBundle.parse(TD, "{\"keys\":[],\"spiffe_sequence\":" + seq + "}"))
                    .as(seq).isInstanceOf(BundleParseException.class).hasMessageContaining("spiffe_sequence");
        }
    }

    // --- BND-03 -------------------------------------------------------------------------------

    @Test
    void bnd03_parsesRefreshHintInSeconds() throws Exception {
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().refreshHint(600).json());
        assertThat(b.refreshHint()).contains(Duration.ofSeconds(600));
        assertThat(SpiffeBundle.parse(TD, "{\"keys\":[]}").refreshHint()).isEmpty();
    }

    @Test
    void bnd03_ignoresInvalidRefreshHintWithWarning() throws Exception {
        for (String hint : new String[] {"-5", "2.5", "\"300\""}) {
            SpiffeBundle b = SpiffeBundle.parse(TD, "{\"keys\":[],\"spiffe_refresh_hint\":" + hint + "}");
            assertThat(b.refreshHint()).as(hint).isEmpty();
            assertThat(b.warnings()).as(hint).anyMatch(w -> w.contains("spiffe_refresh_hint"));
        }
    }

    // --- BND-04 -------------------------------------------------------------------------------

    @Test
    void bnd04_ignoresMissingUse() throws Exception {
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().raw(entry(ec, null)).json());
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.warnings()).singleElement().asString().contains("no \"use\"");
    }

    @Test
    void bnd04_ignoresUnknownUse() throws Exception {
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create()
                .raw(entry(ec, "sig")).raw(entry(rsa, "enc")).raw(entry(ec, "wit-svid")).json());
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.warnings()).hasSize(3).allMatch(w -> w.contains("unknown use"));
    }

    @Test
    void bnd04_useIsCaseSensitive() throws Exception {
        Map<String, Object> upperX509 = BundleJson.x509Entry(ecCa);
        upperX509.put("use", "X509-SVID");
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create()
                .raw(entry(ec, "JWT-SVID")).raw(entry(rsa, "Jwt-Svid")).raw(upperX509).json());
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.warnings()).hasSize(3);
    }

    @Test
    void bnd04_ignoresUnknownOrMissingKty() throws Exception {
        Map<String, Object> unknown = new LinkedHashMap<>(Map.of("kty", "XYZ", "use", "jwt-svid", "kid", "x"));
        Map<String, Object> missing = entry(ec, "jwt-svid");
        missing.remove("kty");
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().raw(unknown).raw(missing).jwtSvid(rsa).json());
        assertThat(b.jwtAuthorities()).extracting(JWK::getKeyID).containsExactly("rsa-1");
        assertThat(b.warnings()).hasSize(2).allMatch(w -> w.contains("kty"));
    }

    @Test
    void bnd04_oneBadKeyNeverPoisonsTheBundle() throws Exception {
        Map<String, Object> broken = entry(rsa, "jwt-svid");
        broken.put("n", "!!!not-base64!!!");
        broken.put("kid", "broken");
        Map<String, Object> brokenEc = entry(ec, "jwt-svid");
        brokenEc.put("kid", "broken-ec");
        brokenEc.remove("y");
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create()
                .raw(broken).raw(brokenEc).raw("a string").raw(42).raw(null).jwtSvid(ec).x509Svid(ecCa).json());
        assertThat(b.jwtAuthorities()).extracting(JWK::getKeyID).containsExactly("ec-1");
        assertThat(b.x509Authorities()).containsExactly(ecCa.cert());
        assertThat(b.warnings()).hasSize(5);
    }

    // --- JSV-10 -------------------------------------------------------------------------------

    @Test
    void jsv10_onlyJwtSvidKeysAreJwtAuthorities() throws Exception {
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().x509Svid(rsaCa).json());
        assertThat(b.supportsJwtSvid()).isFalse();
        assertThat(b.jwtAuthorities()).isEmpty();
        assertThat(b.isEmpty()).isFalse();
    }

    @Test
    void jsv10_ignoresJwtSvidKeyWithoutKid() throws Exception {
        JWK noKid = new ECKeyGenerator(Curve.P_256).generate();
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().jwtSvid(noKid).jwtSvid(rsa).json());
        assertThat(b.jwtAuthorities()).extracting(JWK::getKeyID).containsExactly("rsa-1");
        assertThat(b.warnings()).singleElement().asString().contains("no kid");
    }

    @Test
    void jsv10_lookupByKidReturnsAllKeysWithThatKid() throws Exception {
        ECKey sameKid = new ECKeyGenerator(Curve.P_384).keyID("ec-1").generate();
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().jwtSvid(ec).jwtSvid(sameKid).jwtSvid(rsa).json());
        assertThat(b.jwtAuthorities("ec-1")).hasSize(2);
        assertThat(b.jwtAuthorities("rsa-1")).hasSize(1);
        assertThat(b.jwtAuthorities("nope")).isEmpty();
    }

    @Test
    void jsv03_ignoresSymmetricAndUnsupportedJwtSvidKeys() throws Exception {
        OctetSequenceKey hmac = new OctetSequenceKeyGenerator(256).keyID("hmac").generate();
        Map<String, Object> oct = new LinkedHashMap<>(hmac.toJSONObject());
        oct.put("use", "jwt-svid");
        Map<String, Object> okp = new LinkedHashMap<>(Map.of("kty", "OKP", "crv", "Ed25519",
                "x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid", "ed", "use", "jwt-svid"));
        ECKey k256 = new ECKeyGenerator(Curve.SECP256K1).keyID("k1")
                .provider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).generate();
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().raw(oct).raw(okp).jwtSvid(k256).json());
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.warnings()).hasSize(3);
    }

    @Test
    void jsv10_ignoresRsaKeysShorterThan2048Bits() throws Exception {
        RSAKey small = new RSAKeyGenerator(1024, true).keyID("small").generate();
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().jwtSvid(small).json());
        assertThat(b.supportsJwtSvid()).isFalse();
        assertThat(b.warnings()).singleElement().asString().contains("1024");
    }

    @Test
    void jsv10_dropsPrivateKeyMaterial() throws Exception {
        Map<String, Object> priv = new LinkedHashMap<>(ec.toJSONObject());
        priv.put("use", "jwt-svid");
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().raw(priv).json());
        assertThat(b.jwtAuthorities()).singleElement().satisfies(k -> assertThat(k.isPrivate()).isFalse());
        assertThat(b.warnings()).singleElement().asString().contains("private");
    }

    @Test
    void jsv10_staticAdminJwksUsesTheSameParser() throws Exception {
        // An administrator pastes `spire-server bundle show -format spiffe` output: same rules.
        String pasted = "{\n  \"keys\": [\n    "
                + com.nimbusds.jose.util.JSONObjectUtils.toJSONString(entry(ec, "jwt-svid")) + "\n  ]\n}\n";
        SpiffeBundle b = SpiffeBundle.parse(TD, pasted);
        assertThat(b.jwtAuthorities()).hasSize(1);
        // A plain OIDC-style JWKS ("use": "sig") is not a SPIFFE bundle and yields nothing.
        SpiffeBundle plain = SpiffeBundle.parse(TD, "{\"keys\":[" + com.nimbusds.jose.util.JSONObjectUtils
                .toJSONString(entry(ec, "sig")) + "]}");
        assertThat(plain.isEmpty()).isTrue();
    }

    // --- XSV-08 -------------------------------------------------------------------------------

    @Test
    void xsv08_usesOnlyFirstX5cCertificate() throws Exception {
        Map<String, Object> e = BundleJson.x509Entry(ecCa);
        @SuppressWarnings("unchecked")
        List<Object> x5c = (List<Object>) e.get("x5c");
        x5c.add(rsaCa.der64());
        x5c.add("this is not a certificate");
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().raw(e).json());
        assertThat(b.x509Authorities()).containsExactly(ecCa.cert());
    }

    @Test
    void xsv08_ignoresEntriesWithoutX5c() throws Exception {
        Map<String, Object> none = BundleJson.x509Entry(ecCa);
        none.remove("x5c");
        Map<String, Object> empty = BundleJson.x509Entry(rsaCa);
        empty.put("x5c", new ArrayList<>());
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().raw(none).raw(empty).json());
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.warnings()).hasSize(2).allMatch(w -> w.contains("x5c"));
    }

    @Test
    void xsv08_ignoresEntryWhoseCertificateDoesNotMatchTheKey() throws Exception {
        Map<String, Object> mismatched = BundleJson.x509Entry(rsaCa);
        mismatched.put("x5c", new ArrayList<>(List.of(TestCerts.rsaCa("other").der64())));
        Map<String, Object> garbage = BundleJson.x509Entry(ecCa);
        garbage.put("x5c", new ArrayList<>(List.of("bm90IGEgY2VydA==")));
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().raw(mismatched).raw(garbage).x509Svid(ecCa).json());
        assertThat(b.x509Authorities()).containsExactly(ecCa.cert());
        assertThat(b.warnings()).hasSize(2);
    }

    @Test
    void xsv08_toleratesKidOnX509EntryWithWarning() throws Exception {
        Map<String, Object> withKid = BundleJson.x509Entry(ecCa);
        withKid.put("kid", "should-not-be-here");
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().raw(withKid).json());
        assertThat(b.x509Authorities()).containsExactly(ecCa.cert());
        assertThat(b.jwtAuthorities()).isEmpty();
        assertThat(b.warnings()).singleElement().asString().contains("kid");
    }

    @Test
    void xsv08_duplicateCertificatesAreListedOnce() throws Exception {
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create().x509Svid(ecCa).x509Svid(ecCa).json());
        assertThat(b.x509Authorities()).containsExactly(ecCa.cert());
        assertThat(b.toX509Bundle().getX509Authorities()).containsExactly(ecCa.cert());
        assertThat(b.toX509Bundle().getTrustDomain()).isEqualTo(TD);
    }

    // --- BND-05 -------------------------------------------------------------------------------

    @Test
    void bnd05_emptyBundleValidatesNothing() throws Exception {
        SpiffeBundle b = SpiffeBundle.parse(TD, "{\"keys\":[],\"spiffe_sequence\":7}");
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.supportsJwtSvid()).isFalse();
        assertThat(b.supportsX509Svid()).isFalse();
        assertThat(b.sequence()).hasValue(7);
        assertThat(SpiffeBundle.empty(TD).isEmpty()).isTrue();
    }

    @Test
    void bnd05_bundleWithOnlyUnusableKeysIsEmpty() throws Exception {
        SpiffeBundle b = SpiffeBundle.parse(TD, BundleJson.create()
                .raw(entry(ec, "sig")).raw(entry(rsa, null)).json());
        assertThat(b.isEmpty()).isTrue();
    }

    // --- PEM ----------------------------------------------------------------------------------

    @Test
    void bnd06_pemBundleGivesX509AuthoritiesOnly() throws Exception {
        SpiffeBundle b = SpiffeBundle.parsePem(TD, "# comment line\n" + rsaCa.pem() + "\n" + ecCa.pem());
        assertThat(b.format()).isEqualTo(SpiffeBundle.Format.PEM);
        assertThat(b.trustDomain()).isEqualTo(TD);
        assertThat(b.x509Authorities()).containsExactlyInAnyOrder(rsaCa.cert(), ecCa.cert());
        assertThat(b.jwtAuthorities()).isEmpty();
        assertThat(b.sequence()).isEmpty();
        assertThat(b.refreshHint()).isEmpty();
    }

    @Test
    void bnd06_pemBundleRejectsGarbageAndEmptyInput() {
        for (String pem : new String[] {"", "   ", "hello",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}) {
            assertThatThrownBy(() -> SpiffeBundle.parsePem(TD, pem)).as(pem).isInstanceOf(BundleParseException.class);
        }
    }
}
