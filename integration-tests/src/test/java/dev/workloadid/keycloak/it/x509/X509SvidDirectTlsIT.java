package dev.workloadid.keycloak.it.x509;

import com.fasterxml.jackson.databind.JsonNode;
import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import dev.workloadid.keycloak.spiffe.authenticator.SpiffeClients;
import dev.workloadid.keycloak.spiffe.x509.X509SvidIssuer;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * X.509-SVID client authentication through Keycloak's own TLS listener ({@code --https-client-auth=request},
 * the SPIFFE roots in its TLS trust): SCA-20..26, XSV-01..07 where the handshake lets the certificate
 * through, RFC 8705 certificate-bound tokens, and the line between SPIFFE mTLS and stock client-x509.
 */
@ExtendWith(KeycloakExtension.class)
class X509SvidDirectTlsIT {

    private static final String SPIFFE_ID = SpiffeClients.SPIFFE_ID_ATTRIBUTE;
    private static final String PAYMENTS_ID = "spiffe://" + SpiffeX509Authorities.TD_ONE + "/ns/prod/payments";

    private static String realm;
    private static URI tls;
    private static SpiffeX509Authorities x509;
    private static X509SvidIssuer.Svid payments;

    @BeforeAll
    static void setUp(KeycloakServer server, AdminClient admin) {
        Assumptions.assumeTrue(server.httpsUrl().isPresent(), "backend " + server.backendName() + " has no mTLS listener");
        tls = server.httpsUrl().get();
        x509 = SpiffeX509Authorities.shared();
        realm = X509Realm.create(admin, "x509-tls");
        String paymentsId = X509Realm.client(admin, realm, "payments", "spiffe-x509-svid", Map.of(SPIFFE_ID, PAYMENTS_ID,
                "tls.client.certificate.bound.access.tokens", "true"));
        X509Realm.selfAudience(admin, realm, paymentsId, "payments");
        X509Realm.client(admin, realm, "batch", "spiffe-x509-svid",
                Map.of(SPIFFE_ID, "spiffe://" + SpiffeX509Authorities.TD_ONE + "/batch/*"));
        X509Realm.client(admin, realm, "jwt-only", "spiffe-jwt-svid",
                Map.of(SPIFFE_ID, "spiffe://" + SpiffeX509Authorities.TD_ONE + "/jwt-only"));
        X509Realm.client(admin, realm, "stock-x509", "client-x509", Map.of("x509.subjectdn", "O=SPIFFE"));
        X509Realm.client(admin, realm, "secret-client", "client-secret", Map.of());
        payments = x509.one().svid("/ns/prod/payments").issue();
    }

    @AfterAll
    static void tearDown(AdminClient admin) {
        if (realm != null) {
            admin.deleteRealm(realm);
        }
    }

    private static URI endpoint(String path) {
        return tls.resolve("/realms/" + realm + "/protocol/openid-connect" + path);
    }

    private static Http.Response token(X509SvidIssuer.Svid svid, String... form) {
        HttpClient http = x509.client(svid == null ? null : svid.keyStore());
        Map<String, String> params = new java.util.LinkedHashMap<>(Http.form(form));
        params.put("grant_type", "client_credentials");
        return X509Realm.post(http, endpoint("/token"), params, null);
    }

    private static void assertInvalidClient(Http.Response response, String descriptionPart) {
        assertThat(response.status()).as(response.toString()).isEqualTo(401);
        assertThat(response.json().get("error").asText()).isEqualTo("invalid_client");
        assertThat(response.json().get("error_description").asText()).contains(descriptionPart);
    }

    @Test
    void sca20_validSvidAuthenticatesItsClient() {
        Http.Response response = token(payments, "client_id", "payments");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(X509Realm.claims(response.json().get("access_token").asText()).get("azp").asText()).isEqualTo("payments");
    }

    @Test
    void sca26_clientFoundBySpiffeIdWithoutClientId() {
        Http.Response response = token(payments);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(X509Realm.claims(response.json().get("access_token").asText()).get("azp").asText()).isEqualTo("payments");
    }

    @Test
    void scaP3_patternRegistrationMatchesWholeSegments() {
        Http.Response ok = token(x509.one().svid("/batch/nightly").issue(), "client_id", "batch");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertInvalidClient(token(x509.one().svid("/batchjob").issue(), "client_id", "batch"), "not authorized");
    }

    @Test
    void scaP2_svidNotAuthorizedForNamedClientIsRejected() {
        assertInvalidClient(token(x509.one().svid("/ns/prod/other").issue(), "client_id", "payments"),
                "is not authorized to authenticate as client payments");
    }

    @Test
    void mtls06_boundTokenCarriesTheCertificateThumbprint() {
        Http.Response response = token(payments, "client_id", "payments");
        JsonNode claims = X509Realm.claims(response.json().get("access_token").asText());
        assertThat(claims.at("/cnf/x5t#S256").asText()).isEqualTo(payments.thumbprint());
    }

    @Test
    void mtls07_boundTokenFromAnotherCertificateFailsAtUserinfo() {
        String accessToken = token(payments, "client_id", "payments", "scope", "openid").json().get("access_token").asText();
        Http.Response same = X509Realm.get(x509.client(payments.keyStore()), endpoint("/userinfo"), accessToken);
        assertThat(same.status()).as(same.toString()).isEqualTo(200);
        X509SvidIssuer.Svid stranger = x509.one().svid("/ns/prod/payments").issue(); // same SPIFFE ID, other key
        Http.Response other = X509Realm.get(x509.client(stranger.keyStore()), endpoint("/userinfo"), accessToken);
        assertThat(other.status()).as(other.toString()).isEqualTo(401);
        Http.Response none = X509Realm.get(x509.client(null), endpoint("/userinfo"), accessToken);
        assertThat(none.status()).as(none.toString()).isEqualTo(401);
    }

    @Test
    void mtls06_introspectionReportsTheBinding() {
        String accessToken = token(payments, "client_id", "payments").json().get("access_token").asText();
        Http.Response response = X509Realm.post(x509.client(payments.keyStore()), endpoint("/token/introspect"),
                Map.of("client_id", "payments", "token", accessToken), null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().get("active").asBoolean()).isTrue();
        assertThat(response.json().at("/cnf/x5t#S256").asText()).isEqualTo(payments.thumbprint());
    }

    @Test
    void mtls03_spiffeClientWithoutCertificateIsRejected() {
        assertInvalidClient(token(null, "client_id", "payments"), "no client certificate was presented");
    }

    @Test
    void issue31_stockClientX509ClientIsNotTakenOver() {
        // A valid SVID presented for a client-x509 client: client-x509 decides (subject DN match), not us.
        Http.Response response = token(payments, "client_id", "stock-x509");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(X509Realm.claims(response.json().get("access_token").asText()).get("azp").asText()).isEqualTo("stock-x509");
    }

    @Test
    void issue31_clientSecretWithSvidOnTheConnectionStillWorks() {
        HttpClient http = x509.client(payments.keyStore());
        Http.Response response = X509Realm.post(http, endpoint("/token"),
                Map.of("grant_type", "client_credentials"), "secret-client:s3cret");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(X509Realm.claims(response.json().get("access_token").asText()).get("azp").asText()).isEqualTo("secret-client");
    }

    @Test
    void jwtSvidClientIsNotAuthenticatedByX509() {
        Http.Response response = token(x509.one().svid("/jwt-only").issue(), "client_id", "jwt-only");
        assertThat(response.status()).as(response.toString()).isEqualTo(401);
        assertThat(response.json().get("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void xsv01_twoUriSansRejected() {
        assertInvalidClient(token(x509.one().svid("/a").uris(PAYMENTS_ID, PAYMENTS_ID + "2").issue(), "client_id", "payments"),
                "URI SANs");
    }

    @Test
    void xsv02_rootPathRejected() {
        assertInvalidClient(token(x509.one().svid("").issue()), "has no path");
    }

    @Test
    void xsv03_caLeafRejected() {
        assertInvalidClient(token(x509.one().svid("/ns/prod/payments").ca(true).issue(), "client_id", "payments"),
                "CA certificate");
    }

    @Test
    void xsv03_keyCertSignRejected() {
        assertInvalidClient(token(x509.one().svid("/ns/prod/payments")
                .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign).issue(), "client_id", "payments"), "keyCertSign");
    }

    @Test
    void sca22_otherTrustDomainsCaRejected() {
        // Claims x509-one.test, issued by x509-two.test's CA (which the TLS handshake trusts).
        assertInvalidClient(token(x509.two().svid("/a").uris(PAYMENTS_ID).issue(), "client_id", "payments"),
                "does not lead to an X.509 authority of trust domain " + SpiffeX509Authorities.TD_ONE);
    }

    @Test
    void xsv07_intermediateCarryingAnotherTrustDomainsIdRejected() {
        // Signed by the realm's own x509-one root, so the TLS handshake and path validation would pass.
        X509SvidIssuer.Svid svid = x509.one().intermediate(true, "spiffe://" + SpiffeX509Authorities.TD_TWO)
                .svid("/ns/prod/payments").issue();
        assertInvalidClient(token(svid, "client_id", "payments"), "of another trust domain");
    }

    @Test
    void sca65_chainOnlyTheSystemTrustStoreAcceptsIsRejected() {
        // Issued by the run's TestCa: trusted by Keycloak's system truststore and TLS trust, not a SPIFFE authority.
        X509SvidIssuer.Svid svid = x509.testCa().clientCertificate(PAYMENTS_ID);
        assertInvalidClient(token(svid, "client_id", "payments"), "does not lead to an X.509 authority");
    }

    @Test
    void xsv05_xsv06_brokenCertificatesNeverAuthenticate() {
        // The JDK TLS stack already refuses these in the handshake (or, if not, the SPIFFE checks do).
        for (X509SvidIssuer.Svid svid : new X509SvidIssuer.Svid[] {
                x509.one().svid("/ns/prod/payments").validity(java.time.Instant.now().minusSeconds(7200),
                        java.time.Instant.now().minusSeconds(3600)).issue(),
                x509.one().intermediate(false).svid("/ns/prod/payments").issue(),
                x509.one().svid("/ns/prod/payments").keyUsage(KeyUsage.keyEncipherment).issue()}) {
            Http.Response response = token(svid, "client_id", "payments");
            assertThat(response.status()).as(response.toString()).isIn(0, 401);
        }
    }

    @Test
    void sca41_discoveryListsSpiffeX509() {
        JsonNode metadata = X509Realm.send(x509.client(null), java.net.http.HttpRequest.newBuilder(
                tls.resolve("/realms/" + realm + "/.well-known/openid-configuration")).GET().build()).json();
        assertThat(metadata.get("token_endpoint_auth_methods_supported").toString()).contains("spiffe_x509", "spiffe_jwt");
        assertThat(metadata.get("tls_client_certificate_bound_access_tokens").asBoolean()).isTrue();
        assertThat(metadata.at("/mtls_endpoint_aliases/token_endpoint").asText()).isEqualTo(endpoint("/token").toString());
    }
}
