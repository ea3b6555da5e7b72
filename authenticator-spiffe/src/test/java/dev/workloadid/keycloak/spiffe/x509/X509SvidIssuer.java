package dev.workloadid.keycloak.spiffe.x509;

import dev.workloadid.keycloak.spiffe.bundle.TestCerts;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A SPIFFE X.509 authority for tests (BouncyCastle): a self-signed root per trust domain, optional
 * intermediates, and X.509-SVIDs, well-formed or broken in any way XSV-01..08 names. Shared with the
 * integration tests through this module's test JAR.
 */
public class X509SvidIssuer {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final String trustDomain;
    private final KeyPair keys;
    private final X509Certificate root;

    private X509SvidIssuer(String trustDomain, KeyPair keys, X509Certificate root) {
        this.trustDomain = trustDomain;
        this.keys = keys;
        this.root = root;
    }

    /** A new root CA for the trust domain, with the trust-domain SPIFFE ID as its URI SAN. */
    public static X509SvidIssuer forTrustDomain(String trustDomain) {
        KeyPair keys = ec();
        X500Name name = new X500Name("CN=" + trustDomain + " X.509-SVID CA,O=SPIFFE");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(3))),
                name, keys.getPublic());
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new X509SvidIssuer(trustDomain, keys, sign(b, keys));
    }

    public String trustDomain() {
        return trustDomain;
    }

    public X509Certificate root() {
        return root;
    }

    public String rootPem() {
        return pem(root);
    }

    /** An intermediate signed by the root; {@code ca=false} makes the broken "intermediate without CA bit". */
    public X509SvidIssuer intermediate(boolean ca) {
        return intermediate(ca, new String[0]);
    }

    /** An intermediate signed by the root that carries the given URI SANs (SPIFFE IDs or others). */
    public X509SvidIssuer intermediate(boolean ca, String... uris) {
        KeyPair k = ec();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(X500Name.getInstance(root.getSubjectX500Principal().getEncoded()),
                serial(), Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(Duration.ofDays(2))),
                new X500Name("CN=" + trustDomain + " intermediate,O=SPIFFE"), k.getPublic());
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature));
            if (uris.length > 0) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(java.util.Arrays.stream(uris)
                        .map(u -> new GeneralName(GeneralName.uniformResourceIdentifier, u)).toArray(GeneralName[]::new)));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        X509Certificate cert = sign(b, keys);
        return new Intermediate(trustDomain, k, cert);
    }

    /** The certificates a leaf issued by this authority is followed by in its chain. */
    List<X509Certificate> chainAbove() {
        return List.of();
    }

    /** A builder for an X.509-SVID issued by this authority; defaults make a valid one. */
    public Leaf svid(String path) {
        return new Leaf(this).uris("spiffe://" + trustDomain + path);
    }

    /** An intermediate: signs leaves, and its chain continues with itself. */
    private static final class Intermediate extends X509SvidIssuer {
        private final X509Certificate cert;

        Intermediate(String trustDomain, KeyPair keys, X509Certificate cert) {
            super(trustDomain, keys, cert);
            this.cert = cert;
        }

        @Override
        List<X509Certificate> chainAbove() {
            return List.of(cert);
        }
    }

    /** An X.509-SVID under construction. */
    public static final class Leaf {
        private final X509SvidIssuer issuer;
        private List<String> uris = List.of();
        private boolean ca;
        private int keyUsage = KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement;
        private boolean withKeyUsage = true;
        private List<KeyPurposeId> eku = List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
        private Instant notBefore = Instant.now().minus(Duration.ofMinutes(5));
        private Instant notAfter = Instant.now().plus(Duration.ofHours(1));

        private Leaf(X509SvidIssuer issuer) {
            this.issuer = issuer;
        }

        public Leaf uris(String... values) {
            this.uris = List.of(values);
            return this;
        }

        public Leaf ca(boolean value) {
            this.ca = value;
            return this;
        }

        /** Key usage bits as in {@link KeyUsage}; {@code null} leaves the extension out. */
        public Leaf keyUsage(Integer bits) {
            this.withKeyUsage = bits != null;
            this.keyUsage = bits == null ? 0 : bits;
            return this;
        }

        /** Extended key usages; {@code null} leaves the extension out. */
        public Leaf eku(KeyPurposeId... purposes) {
            this.eku = purposes == null ? null : List.of(purposes);
            return this;
        }

        public Leaf validity(Instant from, Instant until) {
            this.notBefore = from;
            this.notAfter = until;
            return this;
        }

        public Svid issue() {
            KeyPair k = ec();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(issuer.root.getSubjectX500Principal().getEncoded()), serial(),
                    Date.from(notBefore), Date.from(notAfter), new X500Name("O=SPIFFE"), k.getPublic());
            try {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                if (withKeyUsage) {
                    b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
                }
                if (eku != null) {
                    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku.toArray(new KeyPurposeId[0])));
                }
                if (!uris.isEmpty()) {
                    GeneralName[] names = uris.stream()
                            .map(u -> new GeneralName(GeneralName.uniformResourceIdentifier, u)).toArray(GeneralName[]::new);
                    b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(names));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(sign(b, issuer.keys));
            chain.addAll(issuer.chainAbove());
            return new Svid(List.copyOf(chain), k.getPrivate());
        }
    }

    /** An issued X.509-SVID: its chain (leaf first, root excluded) and private key. */
    public record Svid(List<X509Certificate> chain, PrivateKey key) {

        public X509Certificate leaf() {
            return chain.get(0);
        }

        /** A PKCS#12 key store (alias "svid", empty password) for a TLS client. */
        public KeyStore keyStore() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("svid", key, new char[0], chain.toArray(new X509Certificate[0]));
                return store;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Base64url SHA-256 of the leaf's DER: the {@code cnf.x5t#S256} value (RFC 8705 §3.1). */
        public String thumbprint() {
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(leaf().getEncoded());
                return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static String pem(X509Certificate cert) {
        return TestCerts.pem(cert);
    }

    private static KeyPair ec() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            return gen.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
