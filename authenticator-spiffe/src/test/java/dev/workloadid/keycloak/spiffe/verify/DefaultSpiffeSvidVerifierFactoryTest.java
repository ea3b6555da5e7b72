package dev.workloadid.keycloak.spiffe.verify;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.spiffe.api.SpiffeSvidVerifier;
import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import dev.workloadid.keycloak.spiffe.testing.FakeRealm;
import dev.workloadid.keycloak.spiffe.trust.SpiffeTrustProvider;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainConflictException;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
import io.spiffe.spiffeid.TrustDomain;
import org.junit.jupiter.api.Test;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SPI other modules call: whatever goes wrong, they get an SvidRejectedException, never a RuntimeException. */
class DefaultSpiffeSvidVerifierFactoryTest {

    private static final String ISSUER = "https://kc.example.com/realms/demo";
    private static final String SPIFFE_ID = "spiffe://example.org/workload";

    private final RealmModel realm = new FakeRealm("r1").model();

    /** A trust provider whose trust-domain lookup does what the test says. */
    @FunctionalInterface
    private interface Lookup {
        Optional<TrustDomainSettings> find() throws TrustDomainConflictException;
    }

    private static SpiffeSvidVerifier verifier(Lookup lookup) {
        SpiffeTrustProvider trust = new SpiffeTrustProvider() {
            @Override
            public List<TrustDomainSettings> trustDomains(RealmModel realm) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<TrustDomainSettings> trustDomain(RealmModel realm, TrustDomain trustDomain)
                    throws TrustDomainConflictException {
                return lookup.find();
            }

            @Override
            public SpiffeBundle bundle(RealmModel realm, TrustDomainSettings settings) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean refreshEarly(RealmModel realm, TrustDomainSettings settings) {
                return false;
            }

            @Override
            public void close() {
            }
        };
        KeycloakSession session = (KeycloakSession) Proxy.newProxyInstance(KeycloakSession.class.getClassLoader(),
                new Class<?>[] {KeycloakSession.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getProvider") && args.length == 1 && args[0] == SpiffeTrustProvider.class) {
                        return trust;
                    }
                    throw new UnsupportedOperationException("KeycloakSession." + method.getName());
                });
        return new DefaultSpiffeSvidVerifierFactory().create(session);
    }

    private static String svid() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(),
                new JWTClaimsSet.Builder().subject(SPIFFE_ID).audience(ISSUER)
                        .expirationTime(Date.from(Instant.now().plusSeconds(60))).build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    @Test
    void anUnexpectedRuntimeFailureBecomesASvidRejectionNotA5xx() throws Exception {
        SpiffeSvidVerifier verifier = verifier(() -> {
            throw new IllegalArgumentException("clockSkew must be between 0 and 5 minutes");
        });
        String svid = svid();

        assertThatThrownBy(() -> verifier.verifyJwtSvid(realm, svid, ISSUER))
                .isInstanceOfSatisfying(SvidRejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DefaultSpiffeSvidVerifierFactory.SERVER_ERROR);
                    assertThat(e).hasMessageContaining("could not be checked").hasMessageNotContaining("clockSkew");
                });
        assertThat(verifier.trustsDomain(realm, "example.org")).as("fails closed").isFalse();
        assertThat(verifier.allowsAttestedRegistration(realm, SPIFFE_ID)).as("fails closed").isFalse();
    }

    @Test
    void bnd07_aTrustDomainConfiguredTwiceIsRejectedAndNotTrusted() throws Exception {
        SpiffeSvidVerifier verifier = verifier(() -> {
            throw new TrustDomainConflictException(TrustDomain.parse("example.org"), List.of("c-a", "c-b"));
        });
        String svid = svid();

        assertThatThrownBy(() -> verifier.verifyJwtSvid(realm, svid, ISSUER))
                .isInstanceOfSatisfying(SvidRejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo("trust_domain_conflict");
                    assertThat(e).hasMessageContaining("example.org is configured more than once");
                });
        assertThat(verifier.trustsDomain(realm, "example.org")).isFalse();
        assertThat(verifier.allowsAttestedRegistration(realm, SPIFFE_ID)).isFalse();
    }
}
