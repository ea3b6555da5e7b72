package dev.workloadid.keycloak.it.x509;

import com.fasterxml.jackson.databind.JsonNode;
import dev.workloadid.keycloak.it.fixtures.NginxProxy;
import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.HarnessConfig;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import dev.workloadid.keycloak.it.harness.KeycloakServers;
import dev.workloadid.keycloak.spiffe.authenticator.SpiffeClients;
import dev.workloadid.keycloak.spiffe.x509.X509SvidIssuer;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * X.509-SVID client authentication behind a real nginx that terminates TLS with
 * {@code ssl_verify_client optional_no_ca} and forwards the certificate; Keycloak runs with the
 * {@code nginx} x509cert-lookup provider and does every SPIFFE check itself. Because nginx does not
 * judge the chain, every broken kind of XSV-01..08 reaches Keycloak here and must be refused by the
 * pack, not by a TLS stack.
 *
 * <p>This class starts its own Keycloak (from a copy of the distribution): the lookup provider is a
 * build-time, server-wide choice, and the stock {@code nginx} provider returns no certificate for a
 * request without the header (it does not fall back to the TLS connection), so the shared server,
 * which serves the direct-TLS tests, cannot use it.
 */
class X509SvidNginxIT {

    private static final String PAYMENTS_ID = "spiffe://" + SpiffeX509Authorities.TD_ONE + "/ns/prod/payments";

    private static KeycloakServer keycloak;
    private static NginxProxy nginx;
    private static SpiffeX509Authorities x509;
    private static String realm;
    private static X509SvidIssuer.Svid payments;

    @BeforeAll
    static void setUp() {
        HarnessConfig config = HarnessConfig.fromSystemProperties();
        Assumptions.assumeTrue(NginxProxy.binary().isPresent(), "nginx is not installed (apt-get install nginx-light)");
        Assumptions.assumeTrue(config.dedicatedDistAllowed(), "the nginx deployment needs the dist backend");
        keycloak = KeycloakServers.startDedicatedDist(config, "nginx", List.of(
                "--spi-x509cert-lookup--provider=nginx",
                "--spi-x509cert-lookup--nginx--ssl-client-cert=" + NginxProxy.CERT_HEADER,
                "--spi-x509cert-lookup--nginx--ssl-cert-chain-prefix=" + NginxProxy.CERT_HEADER + "-chain",
                "--spi-x509cert-lookup--nginx--certificate-chain-length=1",
                "--proxy-headers=xforwarded"));
        nginx = NginxProxy.start(config.workDir(), TestCa.shared(config.workDir()), keycloak.baseUrl());
        x509 = SpiffeX509Authorities.shared(config.workDir(), TestCa.shared(config.workDir()));
        AdminClient admin = new AdminClient(keycloak);
        realm = X509Realm.create(admin, "x509-nginx");
        X509Realm.client(admin, realm, "payments", "spiffe-x509-svid", Map.of(SpiffeClients.SPIFFE_ID_ATTRIBUTE, PAYMENTS_ID,
                "tls.client.certificate.bound.access.tokens", "true"));
        payments = x509.one().svid("/ns/prod/payments").issue();
    }

    @AfterAll
    static void tearDown() {
        if (nginx != null) {
            nginx.close();
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    private static URI endpoint(String path) {
        return nginx.url().resolve("/realms/" + realm + "/protocol/openid-connect" + path);
    }

    private static Http.Response token(X509SvidIssuer.Svid svid, String... form) {
        Map<String, String> params = new LinkedHashMap<>(Http.form(form));
        params.put("grant_type", "client_credentials");
        params.putIfAbsent("client_id", "payments");
        return X509Realm.post(x509.client(svid == null ? null : svid.keyStore()), endpoint("/token"), params, null);
    }

    private static void assertInvalidClient(X509SvidIssuer.Svid svid, String descriptionPart) {
        Http.Response response = token(svid);
        assertThat(response.status()).as(response.toString()).isEqualTo(401);
        assertThat(response.json().get("error").asText()).isEqualTo("invalid_client");
        assertThat(response.json().get("error_description").asText()).contains(descriptionPart);
    }

    @Test
    void sca20_validSvidThroughNginxAuthenticates() {
        Http.Response response = token(payments);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode claims = X509Realm.claims(response.json().get("access_token").asText());
        assertThat(claims.get("azp").asText()).isEqualTo("payments");
        assertThat(claims.at("/cnf/x5t#S256").asText()).isEqualTo(payments.thumbprint());
    }

    @Test
    void mtls07_boundTokenFromAnotherCertificateFailsAtUserinfo() {
        String accessToken = token(payments, "scope", "openid").json().get("access_token").asText();
        assertThat(X509Realm.get(x509.client(payments.keyStore()), endpoint("/userinfo"), accessToken).status()).isEqualTo(200);
        X509SvidIssuer.Svid stranger = x509.one().svid("/ns/prod/payments").issue();
        Http.Response other = X509Realm.get(x509.client(stranger.keyStore()), endpoint("/userinfo"), accessToken);
        assertThat(other.status()).as(other.toString()).isEqualTo(401);
    }

    @Test
    void mtls03_noCertificateThroughNginxIsRejected() {
        Http.Response response = token(null);
        assertThat(response.status()).as(response.toString()).isEqualTo(401);
        assertThat(response.json().get("error_description").asText()).contains("no client certificate");
    }

    @Test
    void xsv01_twoUriSans() {
        assertInvalidClient(x509.one().svid("/a").uris(PAYMENTS_ID, PAYMENTS_ID + "2").issue(), "URI SANs");
    }

    @Test
    void xsv02_rootPath() {
        assertInvalidClient(x509.one().svid("").issue(), "has no path");
    }

    @Test
    void xsv03_caLeaf() {
        assertInvalidClient(x509.one().svid("/ns/prod/payments").ca(true).issue(), "CA certificate");
    }

    @Test
    void xsv03_keyCertSign() {
        assertInvalidClient(x509.one().svid("/ns/prod/payments").keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign)
                .issue(), "keyCertSign");
    }

    @Test
    void xsv04_noDigitalSignature() {
        assertInvalidClient(x509.one().svid("/ns/prod/payments").keyUsage(KeyUsage.keyAgreement).issue(), "digitalSignature");
    }

    @Test
    void xsv05_ekuWithoutClientAuth() {
        assertInvalidClient(x509.one().svid("/ns/prod/payments").eku(KeyPurposeId.id_kp_serverAuth).issue(), "clientAuth");
    }

    @Test
    void xsv06_expiredAndBrokenIntermediateNeverAuthenticate() {
        // optional_no_ca tolerates only an unknown issuer: nginx itself answers 400 for these, and the
        // validator's own refusal of them is proven by the unit tests and the direct-TLS tests.
        for (X509SvidIssuer.Svid svid : new X509SvidIssuer.Svid[] {
                x509.one().svid("/ns/prod/payments").validity(Instant.now().minusSeconds(7200), Instant.now().minusSeconds(3600))
                        .issue(),
                x509.one().intermediate(false).svid("/ns/prod/payments").issue()}) {
            Http.Response response = token(svid);
            assertThat(response.status()).as(response.toString()).isIn(400, 401);
            assertThat(response.body()).doesNotContain("access_token");
        }
    }

    @Test
    void sca22_otherTrustDomainsCa() {
        assertInvalidClient(x509.two().svid("/a").uris(PAYMENTS_ID).issue(),
                "trust domain " + SpiffeX509Authorities.TD_ONE);
    }

    @Test
    void sca63_unknownTrustDomain() {
        assertInvalidClient(X509SvidIssuer.forTrustDomain("unknown.test").svid("/ns/prod/payments").issue(),
                "not trusted by this realm");
    }

    @Test
    void sca65_chainOnlyTheSystemTrustStoreAccepts() {
        assertInvalidClient(x509.testCa().clientCertificate(PAYMENTS_ID), "X.509 authority");
    }
}
