package dev.workloadid.keycloak.dcr.statement;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.workloadid.keycloak.common.net.SafeFetcher;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link JwksFetcher}: the JWK sets behind a client's jwks_uri (DCR-07) and a statement issuer's keys
 * (DCR-09) hold at least one key and public keys only; a set that cannot be had is refused with a
 * message fit for the registrant. Fetch refusals here never leave this host: http is refused before
 * name resolution, and the only name resolved maps to loopback, which the fetcher refuses.
 */
class JwksFetcherTest {

    private static final String WHERE = "https://client.example.com/jwks";

    private static ECKey ec() throws Exception {
        return new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
    }

    private static void unavailable(String json, String mentioning) {
        assertThatThrownBy(() -> JwksFetcher.parsePublic(json, WHERE)).as(json)
                .isInstanceOf(JwksFetcher.JwksUnavailable.class).hasMessageContaining(WHERE).hasMessageContaining(mentioning);
    }

    @Test
    void dcr07_aSetOfPublicKeysIsAccepted() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        JWKSet set = JwksFetcher.parsePublic(new JWKSet(List.of(ec().toPublicJWK(), rsa.toPublicJWK())).toString(), WHERE);
        assertThat(set.getKeys()).extracting(k -> k.getKeyID()).containsExactly("ec", "rsa");
    }

    @Test
    void dcr07_aDocumentThatIsNotAJwkSetIsRefused() {
        for (String json : List.of("not json", "[]", "{}", "{\"keys\":{}}")) {
            unavailable(json, "is not a JWK set");
        }
    }

    @Test
    void dcr07_aSetWithoutKeysIsRefused() {
        unavailable("{\"keys\":[]}", "holds no keys");
    }

    @Test
    void dcr07_privateOrSymmetricKeyMaterialIsRefused() throws Exception {
        ECKey priv = ec();
        unavailable(new JWKSet(List.of(priv.toPublicJWK(), priv)).toString(false), "private key material");
        OctetSequenceKey secret = new OctetSequenceKeyGenerator(256).keyID("hmac").generate();
        unavailable(new JWKSet(secret).toString(false), "private key material");
    }

    @Test
    void dcr07_aJwksUriTheFetcherRefusesIsUnavailableWithoutSayingWhy() throws Exception {
        AtomicInteger resolutions = new AtomicInteger();
        try (SafeFetcher safe = new SafeFetcher(SSLContext.getDefault(), host -> {
            resolutions.incrementAndGet();
            return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
        })) {
            JwksFetcher fetcher = new JwksFetcher(safe, false, Clock.systemUTC());
            assertThatThrownBy(() -> fetcher.get(URI.create("http://client.example.com/jwks"), false))
                    .isInstanceOf(JwksFetcher.JwksUnavailable.class).hasMessageContaining("could not be fetched");
            assertThat(resolutions.get()).as("http is refused before any name is resolved").isZero();
            assertThatThrownBy(() -> fetcher.get(URI.create(WHERE), false))
                    .isInstanceOf(JwksFetcher.JwksUnavailable.class).hasMessageContaining("could not be fetched")
                    .hasMessageNotContaining("127.0.0.1");
            assertThat(resolutions.get()).isEqualTo(1);
        }
    }
}
