package dev.workloadid.keycloak.spiffe.bundle;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.X509BundleException;
import io.spiffe.spiffeid.TrustDomain;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The authorities of one trust domain, as parsed from a SPIFFE bundle. Immutable.
 *
 * <p>Parsing rules (SPIFFE Trust Domain and Bundle §4, JWT-SVID §6, X509-SVID §6):
 * <ul>
 *   <li>BND-01: the document must be a JSON object with a {@code keys} array; other top-level
 *       members are ignored.</li>
 *   <li>BND-02: {@code spiffe_sequence}, if present, must be a non-negative JSON integer that fits a
 *       signed 64-bit long; anything else rejects the document, because the sequence drives rollback
 *       decisions in {@link RefreshPolicy} and a garbled one cannot be trusted.</li>
 *   <li>BND-03: {@code spiffe_refresh_hint}, if present, is integer seconds; an invalid value is
 *       ignored with a warning (it only affects scheduling, which {@link RefreshPolicy} clamps).</li>
 *   <li>BND-04: an entry without {@code use}, with a {@code use} other than the case-sensitive
 *       {@code jwt-svid} / {@code x509-svid}, or with an unknown {@code kty} is ignored.</li>
 *   <li>JSV-10: {@code jwt-svid} entries are the JWT authorities. Decision: an entry without
 *       {@code kid} is ignored (JWT-SVID §6.1 makes {@code kid} mandatory in bundles, and a key
 *       nobody can name cannot be rotated safely). Only RSA (at least 2048 bits, RFC 7518 §3.3) and
 *       EC P-256/P-384/P-521 keys are kept: they are the only ones the allowed algorithms can use.
 *       Private parts, if someone pasted them, are dropped.</li>
 *   <li>XSV-08: {@code x509-svid} entries contribute the first certificate of {@code x5c}; entries
 *       without {@code x5c} are ignored and further {@code x5c} values are not even parsed.</li>
 *   <li>BND-05: a bundle without usable keys is still a valid bundle, but {@link #isEmpty()} is true
 *       and it validates nothing.</li>
 * </ul>
 * Every skipped entry leaves a line in {@link #warnings()} so an administrator can see why.
 */
public final class SpiffeBundle {

    /** JWK {@code use} of JWT-SVID signing keys (case-sensitive). */
    public static final String USE_JWT_SVID = "jwt-svid";
    /** JWK {@code use} of X.509-SVID CA certificates (case-sensitive). */
    public static final String USE_X509_SVID = "x509-svid";

    private static final Set<KeyType> KNOWN_KEY_TYPES =
            Set.of(KeyType.RSA, KeyType.EC, KeyType.OKP, KeyType.OCT);
    private static final Set<Curve> JWT_SVID_CURVES = Set.of(Curve.P_256, Curve.P_384, Curve.P_521);
    private static final int MIN_RSA_BITS = 2048;

    /** Where the bundle came from; useful in logs and the admin UI. */
    public enum Format {
        /** A SPIFFE bundle / JWK Set (fetched or pasted). */
        JWKS,
        /** A PEM file of X.509 CA certificates. */
        PEM
    }

    private final TrustDomain trustDomain;
    private final Format format;
    private final List<JWK> jwtAuthorities;
    private final List<X509Certificate> x509Authorities;
    private final Long sequence;
    private final Duration refreshHint;
    private final List<String> warnings;
    /** Built once per bundle: turning a JWK into a public key is work a token request need not repeat. */
    private final Map<JWK, JWSVerifier> verifiers;

    private SpiffeBundle(TrustDomain trustDomain, Format format, List<JWK> jwtAuthorities,
            List<X509Certificate> x509Authorities, Long sequence, Duration refreshHint,
            List<String> warnings) {
        this.trustDomain = trustDomain;
        this.format = format;
        this.jwtAuthorities = List.copyOf(jwtAuthorities);
        this.x509Authorities = List.copyOf(x509Authorities);
        this.sequence = sequence;
        this.refreshHint = refreshHint;
        this.warnings = List.copyOf(warnings);
        Map<JWK, JWSVerifier> built = new IdentityHashMap<>();
        for (JWK key : this.jwtAuthorities) {
            try {
                if (key instanceof RSAKey rsa) {
                    built.put(key, new RSASSAVerifier(rsa));
                } else if (key instanceof ECKey ec) {
                    built.put(key, new ECDSAVerifier(ec));
                }
            } catch (JOSEException | RuntimeException e) {
                // No verifier: no SVID can be verified with this key (the validator treats it as unusable).
            }
        }
        this.verifiers = Collections.unmodifiableMap(built);
    }

    /**
     * Parses a SPIFFE bundle document, fetched from a bundle endpoint or pasted by an administrator
     * (a "static JWKS" must use the same format: {@code use} set to {@code jwt-svid} or
     * {@code x509-svid}; plain {@code "use": "sig"} keys are ignored per BND-04).
     *
     * @param trustDomain the trust domain this bundle was configured for (BND-06: the bundle itself
     *     does not name it, so the caller's configuration is the only source)
     */
    public static SpiffeBundle parse(TrustDomain trustDomain, String json) throws BundleParseException {
        Objects.requireNonNull(trustDomain, "trustDomain");
        if (json == null || json.isBlank()) {
            throw new BundleParseException("bundle for " + trustDomain + " is empty");
        }
        Map<String, Object> root;
        try {
            root = JSONObjectUtils.parse(json);
        } catch (ParseException | RuntimeException e) {
            throw new BundleParseException("bundle for " + trustDomain + " is not a JSON object: "
                    + e.getMessage(), e);
        }
        if (!root.containsKey("keys")) {
            throw new BundleParseException("bundle for " + trustDomain
                    + " has no \"keys\" member (a SPIFFE bundle is a JWK Set)");
        }
        if (!(root.get("keys") instanceof List<?> keys)) {
            throw new BundleParseException("bundle for " + trustDomain
                    + ": \"keys\" must be an array");
        }
        List<String> warnings = new ArrayList<>();
        Long sequence = parseSequence(trustDomain, root.get("spiffe_sequence"));
        Duration refreshHint = parseRefreshHint(root.get("spiffe_refresh_hint"), warnings);

        List<JWK> jwt = new ArrayList<>();
        Set<X509Certificate> x509 = new LinkedHashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            String where = "keys[" + i + "]";
            if (!(keys.get(i) instanceof Map<?, ?> raw)) {
                warnings.add(where + " ignored: not a JSON object");
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> entry = (Map<String, Object>) raw;
            Object use = entry.get("use");
            if (!(use instanceof String useValue)) {
                warnings.add(where + " ignored: " + (use == null ? "no \"use\"" : "\"use\" is not a string"));
                continue;
            }
            if (!USE_JWT_SVID.equals(useValue) && !USE_X509_SVID.equals(useValue)) {
                warnings.add(where + " ignored: unknown use \"" + abbreviate(useValue) + "\"");
                continue;
            }
            Object kty = entry.get("kty");
            if (!(kty instanceof String ktyValue) || !KNOWN_KEY_TYPES.contains(KeyType.parse(ktyValue))) {
                warnings.add(where + " ignored: unknown or missing kty");
                continue;
            }
            if (USE_JWT_SVID.equals(useValue)) {
                parseJwtAuthority(where, entry, jwt, warnings);
            } else {
                parseX509Authority(where, entry, x509, warnings);
            }
        }
        return new SpiffeBundle(trustDomain, Format.JWKS, jwt, new ArrayList<>(x509), sequence,
                refreshHint, warnings);
    }

    /**
     * Parses PEM-encoded CA certificates (one or more {@code BEGIN CERTIFICATE} blocks) as the X.509
     * authorities of the trust domain. Such a bundle has no JWT authorities, no sequence and no
     * refresh hint.
     */
    public static SpiffeBundle parsePem(TrustDomain trustDomain, String pem) throws BundleParseException {
        Objects.requireNonNull(trustDomain, "trustDomain");
        if (pem == null || pem.isBlank()) {
            throw new BundleParseException("PEM bundle for " + trustDomain + " is empty");
        }
        Set<X509Certificate> certs;
        try {
            certs = X509Bundle.parse(trustDomain, pem.getBytes(StandardCharsets.US_ASCII))
                    .getX509Authorities();
        } catch (X509BundleException | RuntimeException e) {
            throw new BundleParseException("PEM bundle for " + trustDomain
                    + " cannot be parsed: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new BundleParseException("PEM bundle for " + trustDomain + " has no certificate");
        }
        return new SpiffeBundle(trustDomain, Format.PEM, List.of(), new ArrayList<>(certs), null, null,
                List.of());
    }

    /** An explicit bundle with no authorities: every SVID of the trust domain is invalid (BND-05). */
    public static SpiffeBundle empty(TrustDomain trustDomain) {
        Objects.requireNonNull(trustDomain, "trustDomain");
        return new SpiffeBundle(trustDomain, Format.JWKS, List.of(), List.of(), null, null, List.of());
    }

    public TrustDomain trustDomain() {
        return trustDomain;
    }

    public Format format() {
        return format;
    }

    /** Public JWT-SVID signing keys (RSA or EC, each with a {@code kid}), in document order. */
    public List<JWK> jwtAuthorities() {
        return jwtAuthorities;
    }

    /**
     * The JWT authorities with this {@code kid}. Usually one; a bundle that repeats a kid yields all
     * of them, which is safe because each is an authority of the same trust domain.
     */
    public List<JWK> jwtAuthorities(String kid) {
        List<JWK> result = new ArrayList<>(1);
        for (JWK key : jwtAuthorities) {
            if (key.getKeyID().equals(kid)) {
                result.add(key);
            }
        }
        return Collections.unmodifiableList(result);
    }

    /**
     * The signature verifier of one of {@link #jwtAuthorities()} (that same instance), or null if the
     * key cannot verify anything. Thread-safe.
     */
    public JWSVerifier jwtVerifier(JWK authority) {
        return verifiers.get(authority);
    }

    /** X.509 CA certificates (trust anchors for X509-SVIDs), without duplicates. */
    public List<X509Certificate> x509Authorities() {
        return x509Authorities;
    }

    /** The same X.509 authorities as a java-spiffe bundle, for its X509SvidValidator. */
    public X509Bundle toX509Bundle() {
        return new X509Bundle(trustDomain, new LinkedHashSet<>(x509Authorities));
    }

    /** False when the trust domain has no JWT authorities, i.e. does not support JWT-SVIDs (JSV-10). */
    public boolean supportsJwtSvid() {
        return !jwtAuthorities.isEmpty();
    }

    /** False when the trust domain has no X.509 authorities. */
    public boolean supportsX509Svid() {
        return !x509Authorities.isEmpty();
    }

    /** BND-05: no usable key at all; this bundle validates no SVID. */
    public boolean isEmpty() {
        return jwtAuthorities.isEmpty() && x509Authorities.isEmpty();
    }

    /** {@code spiffe_sequence}, if the document carried one. */
    public OptionalLong sequence() {
        return sequence == null ? OptionalLong.empty() : OptionalLong.of(sequence);
    }

    /** {@code spiffe_refresh_hint}, if the document carried a valid one (not yet clamped). */
    public Optional<Duration> refreshHint() {
        return Optional.ofNullable(refreshHint);
    }

    /** Why entries or members were skipped; empty when everything was used. */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public String toString() {
        return "SpiffeBundle[" + trustDomain + ", " + format + ", jwt=" + jwtAuthorities.size()
                + ", x509=" + x509Authorities.size() + (sequence == null ? "" : ", seq=" + sequence)
                + "]";
    }

    private static Long parseSequence(TrustDomain td, Object value) throws BundleParseException {
        if (value == null) {
            return null;
        }
        // Nimbus' JSON parser yields Long for integers that fit, Double for anything else.
        if (value instanceof Long l && l >= 0) {
            return l;
        }
        throw new BundleParseException("bundle for " + td
                + ": spiffe_sequence must be a non-negative integer of at most 64 bits");
    }

    private static Duration parseRefreshHint(Object value, List<String> warnings) {
        if (value == null) {
            return null;
        }
        if (value instanceof Long l && l >= 0) {
            return Duration.ofSeconds(l);
        }
        warnings.add("spiffe_refresh_hint ignored: not a non-negative integer number of seconds");
        return null;
    }

    private static void parseJwtAuthority(String where, Map<String, Object> entry, List<JWK> out,
            List<String> warnings) {
        if (!(entry.get("kid") instanceof String kid) || kid.isEmpty()) {
            warnings.add(where + " (jwt-svid) ignored: no kid, which JWT-SVID §6.1 requires");
            return;
        }
        JWK key;
        try {
            key = JWK.parse(entry);
        } catch (ParseException | RuntimeException e) {
            warnings.add(where + " (jwt-svid, kid " + abbreviate(kid) + ") ignored: " + e.getMessage());
            return;
        }
        if (key instanceof RSAKey rsa) {
            if (rsa.size() < MIN_RSA_BITS) {
                warnings.add(where + " (jwt-svid, kid " + abbreviate(kid) + ") ignored: RSA key of "
                        + rsa.size() + " bits, at least " + MIN_RSA_BITS + " required");
                return;
            }
        } else if (key instanceof ECKey ec) {
            if (!JWT_SVID_CURVES.contains(ec.getCurve())) {
                warnings.add(where + " (jwt-svid, kid " + abbreviate(kid) + ") ignored: curve "
                        + ec.getCurve() + " has no allowed JWT-SVID algorithm");
                return;
            }
        } else {
            warnings.add(where + " (jwt-svid, kid " + abbreviate(kid) + ") ignored: key type "
                    + key.getKeyType() + " has no allowed JWT-SVID algorithm");
            return;
        }
        if (key.isPrivate()) {
            warnings.add(where + " (jwt-svid, kid " + abbreviate(kid)
                    + ") contained private key material, which was dropped");
        }
        out.add(key.toPublicJWK());
    }

    private static void parseX509Authority(String where, Map<String, Object> entry,
            Set<X509Certificate> out, List<String> warnings) {
        if (!(entry.get("x5c") instanceof List<?> x5c) || x5c.isEmpty()) {
            warnings.add(where + " (x509-svid) ignored: no x5c certificate");
            return;
        }
        if (entry.containsKey("kid")) {
            warnings.add(where + " (x509-svid) has a kid, which X509-SVID §6.1 forbids; kid ignored");
        }
        // XSV-08: only the first x5c value counts. Parsing the JWK with just that value lets Nimbus
        // check it is a certificate whose public key matches the JWK, without looking at the rest.
        Map<String, Object> firstOnly = new LinkedHashMap<>(entry);
        firstOnly.put("x5c", Collections.singletonList(x5c.get(0)));
        firstOnly.remove("kid");
        try {
            JWK key = JWK.parse(firstOnly);
            List<X509Certificate> chain = key.getParsedX509CertChain();
            if (chain == null || chain.isEmpty()) {
                warnings.add(where + " (x509-svid) ignored: x5c holds no certificate");
                return;
            }
            out.add(chain.get(0));
        } catch (ParseException | RuntimeException e) {
            warnings.add(where + " (x509-svid) ignored: " + e.getMessage());
        }
    }

    private static String abbreviate(String value) {
        // Bundle content may be hostile; keep warnings short.
        return value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }
}
