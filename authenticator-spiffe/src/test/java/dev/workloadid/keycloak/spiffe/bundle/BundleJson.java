package dev.workloadid.keycloak.spiffe.bundle;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;

import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds SPIFFE bundle JSON documents for tests, with Nimbus producing the JWK members. */
public final class BundleJson {

    private final List<Object> keys = new ArrayList<>();
    private final Map<String, Object> top = new LinkedHashMap<>();

    public static BundleJson create() {
        return new BundleJson();
    }

    /** A jwt-svid entry from the public part of {@code key} (its kid kept as is). */
    public BundleJson jwtSvid(JWK key) {
        Map<String, Object> m = new LinkedHashMap<>(key.toPublicJWK().toJSONObject());
        m.put("use", "jwt-svid");
        keys.add(m);
        return this;
    }

    /** An x509-svid entry for a CA certificate, as SPIRE writes it (no kid, one x5c value). */
    public BundleJson x509Svid(TestCerts.Ca ca) {
        keys.add(x509Entry(ca));
        return this;
    }

    public static Map<String, Object> x509Entry(TestCerts.Ca ca) {
        JWK jwk;
        if (TestCerts.isRsa(ca)) {
            jwk = new RSAKey.Builder((RSAPublicKey) ca.keyPair().getPublic()).build();
        } else {
            jwk = new ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256,
                    (ECPublicKey) ca.keyPair().getPublic()).build();
        }
        Map<String, Object> m = new LinkedHashMap<>(jwk.toJSONObject());
        m.put("use", "x509-svid");
        m.put("x5c", new ArrayList<>(List.of(ca.der64())));
        return m;
    }

    /** Any raw entry. */
    public BundleJson raw(Object entry) {
        keys.add(entry);
        return this;
    }

    public BundleJson sequence(Object value) {
        top.put("spiffe_sequence", value);
        return this;
    }

    public BundleJson refreshHint(Object value) {
        top.put("spiffe_refresh_hint", value);
        return this;
    }

    public BundleJson member(String name, Object value) {
        top.put(name, value);
        return this;
    }

    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("keys", keys);
        root.putAll(top);
        return JSONObjectUtils.toJSONString(root);
    }
}
