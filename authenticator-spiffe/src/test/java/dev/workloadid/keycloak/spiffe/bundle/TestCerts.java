package dev.workloadid.keycloak.spiffe.bundle;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/** Self-signed CA certificates for test bundles (BouncyCastle, tests only). */
public final class TestCerts {

    private static final AtomicLong SERIAL = new AtomicLong(1000);

    public record Ca(KeyPair keyPair, X509Certificate cert) {
        public String pem() {
            return TestCerts.pem(cert);
        }

        public String der64() {
            try {
                return Base64.getEncoder().encodeToString(cert.getEncoded());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private TestCerts() {
    }

    public static Ca rsaCa(String cn) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            return selfSigned(cn, gen.generateKeyPair(), "SHA256withRSA");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Ca ecCa(String cn) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            return selfSigned(cn, gen.generateKeyPair(), "SHA256withECDSA");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean isRsa(Ca ca) {
        return ca.keyPair().getPublic() instanceof RSAPublicKey;
    }

    public static String pem(X509Certificate cert) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Ca selfSigned(String cn, KeyPair kp, String sigAlg) throws Exception {
        X500Name name = new X500Name("CN=" + cn + ",O=SPIFFE");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(1, ChronoUnit.HOURS)),
                Date.from(now.plus(1, ChronoUnit.DAYS)), name, kp.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder(sigAlg).build(kp.getPrivate())));
        return new Ca(kp, cert);
    }
}
