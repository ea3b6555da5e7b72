package dev.workloadid.keycloak.spiffe.x509;

import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import dev.workloadid.keycloak.spiffe.bundle.TestCerts;
import io.spiffe.spiffeid.TrustDomain;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** X.509-SVID rules, one test per requirement it checks (SCA-20..26, SCA-63, SCA-65, XSV-01..08 in docs/requirements.md). */
class X509SvidValidatorTest {

    private static final X509SvidIssuer TD_ONE = X509SvidIssuer.forTrustDomain("td-one.test");
    private static final X509SvidIssuer TD_TWO = X509SvidIssuer.forTrustDomain("td-two.test");
    private static final Function<TrustDomain, Collection<X509Certificate>> BUNDLES = td -> Map.of(
            "td-one.test", List.of(TD_ONE.root()),
            "td-two.test", List.of(TD_TWO.root()),
            "empty.test", List.<X509Certificate>of()).get(td.getName());

    private final X509SvidValidator validator = new X509SvidValidator();

    private ValidatedX509Svid validate(X509SvidIssuer.Svid svid) throws SvidRejectedException {
        return validator.validate(svid.chain(), BUNDLES);
    }

    private void rejects(X509SvidIssuer.Svid svid, SvidRejectedException.Reason reason) {
        assertThatThrownBy(() -> validate(svid)).isInstanceOf(SvidRejectedException.class)
                .satisfies(e -> assertThat(((SvidRejectedException) e).why()).isEqualTo(reason));
    }

    @Test
    void sca20_acceptsValidSvidAndReturnsItsSpiffeId() throws Exception {
        X509SvidIssuer.Svid svid = TD_ONE.svid("/ns/prod/sa/payments").issue();
        ValidatedX509Svid result = validate(svid);
        assertThat(result.spiffeId().toString()).isEqualTo("spiffe://td-one.test/ns/prod/sa/payments");
        assertThat(result.leaf()).isEqualTo(svid.leaf());
    }

    @Test
    void xsv06_acceptsLeafIssuedThroughIntermediate() throws Exception {
        X509SvidIssuer.Svid svid = TD_ONE.intermediate(true).svid("/workload").issue();
        assertThat(svid.chain()).hasSize(2);
        assertThat(validate(svid).path()).hasSize(2);
    }

    @Test
    void xsv06_acceptsChainThatAppendsTheRoot() throws Exception {
        X509SvidIssuer.Svid svid = TD_ONE.svid("/workload").issue();
        assertThat(validator.validate(List.of(svid.leaf(), TD_ONE.root()), BUNDLES).path()).hasSize(1);
    }

    @Test
    void xsv01_rejectsTwoUriSans() {
        rejects(TD_ONE.svid("/a").uris("spiffe://td-one.test/a", "spiffe://td-one.test/b").issue(),
                SvidRejectedException.Reason.MULTIPLE_URI_SANS);
    }

    @Test
    void xsv01_rejectsSpiffeAndHttpsUriSans() {
        rejects(TD_ONE.svid("/a").uris("spiffe://td-one.test/a", "https://td-one.test/a").issue(),
                SvidRejectedException.Reason.MULTIPLE_URI_SANS);
    }

    @Test
    void sca23_rejectsNoUriSan() {
        rejects(TD_ONE.svid("/a").uris().issue(), SvidRejectedException.Reason.NO_SPIFFE_ID);
    }

    @Test
    void sca23_rejectsNonSpiffeUriSan() {
        rejects(TD_ONE.svid("/a").uris("https://td-one.test/a").issue(), SvidRejectedException.Reason.INVALID_SPIFFE_ID);
    }

    @Test
    void sca23_rejectsMalformedSpiffeId() {
        rejects(TD_ONE.svid("/a").uris("spiffe://td-one.test/a/../b").issue(), SvidRejectedException.Reason.INVALID_SPIFFE_ID);
    }

    @Test
    void xsv02_rejectsRootPath() {
        rejects(TD_ONE.svid("").issue(), SvidRejectedException.Reason.ROOT_PATH);
    }

    @Test
    void xsv03_rejectsCaLeaf() {
        rejects(TD_ONE.svid("/a").ca(true).issue(), SvidRejectedException.Reason.LEAF_IS_CA);
    }

    @Test
    void xsv03_rejectsKeyCertSign() {
        rejects(TD_ONE.svid("/a").keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign).issue(),
                SvidRejectedException.Reason.LEAF_IS_CA);
    }

    @Test
    void xsv03_rejectsCrlSign() {
        rejects(TD_ONE.svid("/a").keyUsage(KeyUsage.digitalSignature | KeyUsage.cRLSign).issue(),
                SvidRejectedException.Reason.LEAF_IS_CA);
    }

    @Test
    void xsv04_rejectsMissingDigitalSignature() {
        rejects(TD_ONE.svid("/a").keyUsage(KeyUsage.keyEncipherment).issue(), SvidRejectedException.Reason.KEY_USAGE);
    }

    @Test
    void xsv04_rejectsMissingKeyUsage() {
        rejects(TD_ONE.svid("/a").keyUsage(null).issue(), SvidRejectedException.Reason.KEY_USAGE);
    }

    @Test
    void xsv05_rejectsEkuWithoutClientAuth() {
        rejects(TD_ONE.svid("/a").eku(KeyPurposeId.id_kp_serverAuth).issue(), SvidRejectedException.Reason.EXTENDED_KEY_USAGE);
    }

    @Test
    void xsv05_acceptsMissingEku() throws Exception {
        assertThat(validate(TD_ONE.svid("/a").eku((KeyPurposeId[]) null).issue()).spiffeId().getPath()).isEqualTo("/a");
    }

    @Test
    void xsv06_rejectsExpired() {
        rejects(TD_ONE.svid("/a").validity(Instant.now().minus(Duration.ofHours(2)), Instant.now().minus(Duration.ofHours(1)))
                .issue(), SvidRejectedException.Reason.EXPIRED);
    }

    @Test
    void xsv06_rejectsNotYetValid() {
        rejects(TD_ONE.svid("/a").validity(Instant.now().plus(Duration.ofHours(1)), Instant.now().plus(Duration.ofHours(2)))
                .issue(), SvidRejectedException.Reason.NOT_YET_VALID);
    }

    @Test
    void xsv06_rejectsIntermediateWithoutCaBit() {
        rejects(TD_ONE.intermediate(false).svid("/a").issue(), SvidRejectedException.Reason.PATH_INVALID);
    }

    @Test
    void sca22_rejectsSvidOfOneDomainSignedByAnotherDomainsCa() {
        // Claims td-one.test, issued by td-two.test's CA: td-one's authorities must not accept it.
        X509SvidIssuer.Svid svid = TD_TWO.svid("/a").uris("spiffe://td-one.test/a").issue();
        rejects(svid, SvidRejectedException.Reason.PATH_INVALID);
    }

    @Test
    void sca65_rejectsChainOnlyASystemTrustedCaWouldAccept() {
        // A "public" CA (think: one in cacerts) that the trust domain's bundle does not hold.
        X509SvidIssuer publicCa = X509SvidIssuer.forTrustDomain("public-ca.test");
        X509SvidIssuer.Svid svid = publicCa.svid("/a").uris("spiffe://td-one.test/a").issue();
        rejects(svid, SvidRejectedException.Reason.PATH_INVALID);
    }

    @Test
    void sca63_rejectsUnknownTrustDomain() {
        rejects(X509SvidIssuer.forTrustDomain("unknown.test").svid("/a").issue(), SvidRejectedException.Reason.UNKNOWN_TRUST_DOMAIN);
    }

    @Test
    void xsv08_bnd05_rejectsTrustDomainWithoutX509Authorities() {
        rejects(X509SvidIssuer.forTrustDomain("empty.test").svid("/a").issue(), SvidRejectedException.Reason.NO_X509_AUTHORITIES);
    }

    @Test
    void xsv07_rejectsSigningCertificateWithSpiffeIdPath() throws Exception {
        X509SvidIssuer.Svid svid = TD_ONE.svid("/a").issue();
        // The other leaf is a signing certificate only in name; the rule fires before path validation.
        X509SvidIssuer.Svid signer = TD_ONE.svid("/signer").issue();
        assertThatThrownBy(() -> validator.validate(List.of(svid.leaf(), signer.leaf()), BUNDLES))
                .isInstanceOf(SvidRejectedException.class)
                .satisfies(e -> assertThat(((SvidRejectedException) e).why())
                        .isEqualTo(SvidRejectedException.Reason.SIGNING_CERT_WITH_PATH));
    }

    @Test
    void xsv07_rejectsIntermediateCarryingAnotherTrustDomainsSpiffeId() {
        // td-one's own root signed it, so path validation alone would accept the chain.
        X509SvidIssuer.Svid svid = TD_ONE.intermediate(true, "spiffe://td-two.test").svid("/a").issue();
        rejects(svid, SvidRejectedException.Reason.SIGNING_CERT_OTHER_TRUST_DOMAIN);
    }

    @Test
    void xsv07_rejectsIntermediateCarryingAMalformedSpiffeId() {
        rejects(TD_ONE.intermediate(true, "spiffe://TD_ONE..test").svid("/a").issue(),
                SvidRejectedException.Reason.SIGNING_CERT_OTHER_TRUST_DOMAIN);
    }

    @Test
    void xsv07_acceptsIntermediateCarryingItsOwnTrustDomainsId() throws Exception {
        X509SvidIssuer.Svid svid = TD_ONE.intermediate(true, "spiffe://td-one.test", "https://ca.td-one.test/")
                .svid("/a").issue();
        assertThat(validate(svid).path()).hasSize(2);
    }

    @Test
    void xsv07_rejectsAppendedRootOfAnotherTrustDomain() {
        X509SvidIssuer.Svid svid = TD_ONE.svid("/a").issue();
        assertThatThrownBy(() -> validator.validate(List.of(svid.leaf(), TD_TWO.root()), BUNDLES))
                .isInstanceOf(SvidRejectedException.class)
                .satisfies(e -> assertThat(((SvidRejectedException) e).why())
                        .isEqualTo(SvidRejectedException.Reason.SIGNING_CERT_OTHER_TRUST_DOMAIN));
    }

    @Test
    void rejectsEmptyAndOverlongChains() {
        assertThatThrownBy(() -> validator.validate(List.of(), BUNDLES)).isInstanceOf(SvidRejectedException.class);
        X509Certificate leaf = TD_ONE.svid("/a").issue().leaf();
        List<X509Certificate> longChain = java.util.Collections.nCopies(X509SvidValidator.MAX_CHAIN_LENGTH + 1, leaf);
        assertThatThrownBy(() -> validator.validate(longChain, BUNDLES)).isInstanceOf(SvidRejectedException.class)
                .hasMessageContaining("more than");
    }

    @Test
    void claimsSpiffeIdTellsSvidsFromOrdinaryClientCertificates() {
        assertThat(X509SvidValidator.claimsSpiffeId(TD_ONE.svid("/a").issue().leaf())).isTrue();
        assertThat(X509SvidValidator.claimsSpiffeId(TD_ONE.svid("/a").uris().issue().leaf())).isFalse();
        assertThat(X509SvidValidator.claimsSpiffeId(TestCerts.rsaCa("plain").cert())).isFalse();
    }
}
