package dev.workloadid.keycloak.spiffe.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWK;
import dev.workloadid.keycloak.spiffe.bundle.BundleJson;
import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import dev.workloadid.keycloak.spiffe.bundle.TestCerts;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;
import org.apache.commons.lang3.StringUtils;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;

/**
 * The pom excludes java-spiffe's gRPC, protobuf, BouncyCastle and commons-validator dependencies.
 * The ordinary test classpath cannot show that this is safe, because Keycloak's provided JARs bring
 * gRPC and protobuf back. So the check runs in an isolated class loader holding exactly what the
 * provider has at runtime: this module's classes, java-spiffe-core, Nimbus, and commons-lang3 (which
 * java-spiffe's SpiffeId/TrustDomain need and the Keycloak distribution ships).
 */
class JavaSpiffeClasspathTest {

    private static URLClassLoader isolatedLoader() {
        List<Class<?>> anchors = List.of(SpiffeBundle.class, SpiffeId.class, JWK.class, StringUtils.class);
        URL[] urls = anchors.stream()
                .map(c -> c.getProtectionDomain().getCodeSource().getLocation())
                .distinct().toArray(URL[]::new);
        return new URLClassLoader("isolated-provider", urls, ClassLoader.getPlatformClassLoader());
    }

    @Test
    void build_excludedDependenciesAreAbsentFromTheProviderClasspath() throws Exception {
        try (URLClassLoader loader = isolatedLoader()) {
            for (String name : new String[] {"io.grpc.Channel", "io.grpc.ManagedChannel",
                    "com.google.protobuf.Message", "org.apache.commons.validator.routines.DomainValidator",
                    "org.bouncycastle.jce.provider.BouncyCastleProvider"}) {
                assertThatThrownBy(() -> Class.forName(name, false, loader)).as(name)
                        .isInstanceOf(ClassNotFoundException.class);
            }
        }
    }

    @Test
    void build_usedJavaSpiffeTypesLoadAndWorkWithoutExcludedDependencies() throws Exception {
        String pem = TestCerts.ecCa("classpath").pem();
        String json = BundleJson.create().x509Svid(TestCerts.rsaCa("classpath-rsa")).json();
        try (URLClassLoader loader = isolatedLoader()) {
            for (String name : new String[] {"io.spiffe.spiffeid.SpiffeId", "io.spiffe.spiffeid.TrustDomain",
                    "io.spiffe.exception.InvalidSpiffeIdException", "io.spiffe.bundle.x509bundle.X509Bundle",
                    "io.spiffe.internal.CertificateUtils",
                    "dev.workloadid.keycloak.spiffe.id.SpiffeIds", "dev.workloadid.keycloak.spiffe.id.SpiffeIdPattern",
                    "dev.workloadid.keycloak.spiffe.id.SpiffeIdMatcher",
                    "dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle",
                    "dev.workloadid.keycloak.spiffe.bundle.RefreshPolicy",
                    "dev.workloadid.keycloak.spiffe.jwt.JwtSvidValidator",
                    "dev.workloadid.keycloak.spiffe.jwt.JwtSvidPolicy"}) {
                Class<?> c = Class.forName(name, true, loader);
                assertThat(c.getClassLoader()).as(name).isSameAs(loader);
            }
            Class<?> ids = loader.loadClass("dev.workloadid.keycloak.spiffe.id.SpiffeIds");
            Object id = ids.getMethod("parse", String.class).invoke(null, "SPIFFE://Example.org/W");
            assertThat(id.toString()).isEqualTo("spiffe://example.org/W");
            Method parseTd = ids.getMethod("parseTrustDomain", String.class);
            Object td = parseTd.invoke(null, "example.org");
            Throwable bad = catchInvocation(() -> ids.getMethod("parse", String.class)
                    .invoke(null, "spiffe://example.org/a/../b"));
            assertThat(bad.getClass().getName()).isEqualTo(SpiffeIdFormatException.class.getName());

            Class<?> pattern = loader.loadClass("dev.workloadid.keycloak.spiffe.id.SpiffeIdPattern");
            Object p = pattern.getMethod("parse", String.class).invoke(null, "spiffe://example.org/*");
            assertThat(pattern.getMethod("matches", id.getClass()).invoke(p, id)).isEqualTo(true);

            Class<?> bundle = loader.loadClass("dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle");
            Class<?> tdClass = loader.loadClass("io.spiffe.spiffeid.TrustDomain");
            Object fromPem = bundle.getMethod("parsePem", tdClass, String.class).invoke(null, td, pem);
            Object x509Bundle = bundle.getMethod("toX509Bundle").invoke(fromPem);
            assertThat(x509Bundle.getClass().getClassLoader()).isSameAs(loader);
            Object fromJson = bundle.getMethod("parse", tdClass, String.class).invoke(null, td, json);
            assertThat(bundle.getMethod("x509Authorities").invoke(fromJson)).asList().hasSize(1);
        }
        // And the same types on the ordinary classpath, for good measure.
        assertThat(SpiffeId.parse("spiffe://example.org/w").getTrustDomain()).isEqualTo(TrustDomain.parse("example.org"));
    }

    private interface Call {
        void run() throws Exception;
    }

    private static Throwable catchInvocation(Call call) throws Exception {
        try {
            call.run();
        } catch (InvocationTargetException e) {
            return e.getCause();
        }
        throw new AssertionError("expected an exception");
    }
}
