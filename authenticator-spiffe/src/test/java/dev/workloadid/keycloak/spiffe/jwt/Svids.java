package dev.workloadid.keycloak.spiffe.jwt;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.spiffe.bundle.BundleJson;
import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import io.spiffe.spiffeid.TrustDomain;

import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/** Keys, bundles and JWT-SVID minting for tests, all with Nimbus. */
final class Svids {

    static final String ISSUER = "https://kc.example.com/realms/demo";
    static final TrustDomain TD_A = TrustDomain.parse("example.org");
    static final TrustDomain TD_B = TrustDomain.parse("other.org");
    static final String SUB_A = "spiffe://example.org/ns/prod/sa/api";
    static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    static final RSAKey RSA_A;
    static final ECKey EC256_A;
    static final ECKey EC384_A;
    static final ECKey EC521_A;
    static final RSAKey RSA_B;
    static final ECKey EC256_B;
    static final SpiffeBundle BUNDLE_A;
    static final SpiffeBundle BUNDLE_B;

    static {
        try {
            RSA_A = new RSAKeyGenerator(2048).keyID("a-rsa").generate();
            EC256_A = new ECKeyGenerator(Curve.P_256).keyID("a-ec256").generate();
            EC384_A = new ECKeyGenerator(Curve.P_384).keyID("a-ec384").generate();
            EC521_A = new ECKeyGenerator(Curve.P_521).keyID("a-ec521").generate();
            RSA_B = new RSAKeyGenerator(2048).keyID("b-rsa").generate();
            EC256_B = new ECKeyGenerator(Curve.P_256).keyID("b-ec256").generate();
            BUNDLE_A = SpiffeBundle.parse(TD_A, BundleJson.create()
                    .jwtSvid(RSA_A).jwtSvid(EC256_A).jwtSvid(EC384_A).jwtSvid(EC521_A).sequence(1).json());
            BUNDLE_B = SpiffeBundle.parse(TD_B, BundleJson.create().jwtSvid(RSA_B).jwtSvid(EC256_B).json());
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Svids() {
    }

    /** Bundles of A and B, nothing else. */
    static Function<TrustDomain, SpiffeBundle> bundles() {
        Map<TrustDomain, SpiffeBundle> map = Map.of(TD_A, BUNDLE_A, TD_B, BUNDLE_B);
        return map::get;
    }

    /** The key of trust domain A that signs {@code alg}. */
    static JWK keyFor(JWSAlgorithm alg) {
        if (JWSAlgorithm.Family.RSA.contains(alg)) {
            return RSA_A;
        }
        if (alg.equals(JWSAlgorithm.ES256)) {
            return EC256_A;
        }
        if (alg.equals(JWSAlgorithm.ES384)) {
            return EC384_A;
        }
        return EC521_A;
    }

    static JWSSigner signer(JWK key) {
        try {
            return key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Default claims: sub in A, aud = issuer (string), exp = now + 2 min, iat = now, a jti. */
    static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .subject(SUB_A)
                .audience(ISSUER)
                .expirationTime(Date.from(NOW.plusSeconds(120)))
                .issueTime(Date.from(NOW))
                .jwtID(UUID.randomUUID().toString());
    }

    static JWSHeader.Builder header(JWSAlgorithm alg, JWK key) {
        return new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(JOSEObjectType.JWT);
    }

    static String mint(JWSAlgorithm alg, JWK key, Consumer<JWSHeader.Builder> h, Consumer<JWTClaimsSet.Builder> c) {
        JWSHeader.Builder hb = header(alg, key);
        h.accept(hb);
        JWTClaimsSet.Builder cb = claims();
        c.accept(cb);
        SignedJWT jwt = new SignedJWT(hb.build(), cb.build());
        try {
            jwt.sign(signer(key));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    static String mint(Consumer<JWTClaimsSet.Builder> c) {
        return mint(JWSAlgorithm.ES256, EC256_A, h -> { }, c);
    }

    static String mintHeader(Consumer<JWSHeader.Builder> h) {
        return mint(JWSAlgorithm.ES256, EC256_A, h, c -> { });
    }

    static String valid() {
        return mint(c -> { });
    }
}
