package dev.workloadid.keycloak.spiffe.verify;

import dev.workloadid.keycloak.spiffe.trust.BundleUnavailableException;
import dev.workloadid.keycloak.spiffe.trust.SpiffeTrustProvider;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
import dev.workloadid.keycloak.spiffe.x509.PkixResultCache;
import dev.workloadid.keycloak.spiffe.x509.ValidatedX509Svid;
import dev.workloadid.keycloak.spiffe.x509.X509SvidException;
import dev.workloadid.keycloak.spiffe.x509.X509SvidValidator;
import io.spiffe.spiffeid.SpiffeId;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * One X.509-SVID check against a realm's trust domains: the SVID's own trust domain, that domain's
 * current X.509 authorities, and one rate-limited early bundle refresh when the chain leads to no
 * known authority (what a CA rotation looks like before the next scheduled refresh).
 */
public final class X509SvidVerification {

    // The path cache is keyed by the bundle snapshot's authorities object, so it needs no realm scoping.
    private static final X509SvidValidator VALIDATOR = new X509SvidValidator(java.time.Clock.systemUTC(),
            new PkixResultCache(PkixResultCache.DEFAULT_MAX_ENTRIES));

    /** An X.509-SVID that checked out, with the settings of its trust domain. */
    public record Verified(ValidatedX509Svid svid, TrustDomainSettings settings) {
    }

    private X509SvidVerification() {
    }

    public static Verified verify(KeycloakSession session, RealmModel realm, List<X509Certificate> chain)
            throws SvidRejection {
        SpiffeId claimed;
        try {
            claimed = X509SvidValidator.spiffeId(chain.get(0));
        } catch (X509SvidException e) {
            throw new SvidRejection(e.reasonCode(), null, "invalid X.509-SVID: " + e.getMessage());
        }
        SpiffeTrustProvider trust = session.getProvider(SpiffeTrustProvider.class);
        TrustDomainSettings settings = SvidRejection.trustDomainOf(trust, realm, claimed);
        try {
            try {
                return new Verified(validate(trust, realm, settings, chain), settings);
            } catch (X509SvidException e) {
                if (e.reason() != X509SvidException.Reason.PATH_INVALID || !trust.refreshEarly(realm, settings)) {
                    throw e;
                }
                return new Verified(validate(trust, realm, settings, chain), settings);
            }
        } catch (X509SvidException e) {
            throw new SvidRejection(e.reasonCode(), claimed.toString(), "invalid X.509-SVID: " + e.getMessage());
        } catch (BundleUnavailableException e) {
            // Detail (endpoint host, address range, times) only in the server log, never to the client.
            org.jboss.logging.Logger.getLogger(X509SvidVerification.class)
                    .debugf("X.509-SVID refused for lack of a bundle: %s", e.getMessage());
            throw new SvidRejection("bundle_unavailable", claimed.toString(), "the trust bundle of trust domain "
                    + claimed.getTrustDomain().getName() + " is not available (see the server log)");
        }
    }

    private static ValidatedX509Svid validate(SpiffeTrustProvider trust, RealmModel realm, TrustDomainSettings settings,
                                              List<X509Certificate> chain)
            throws X509SvidException, BundleUnavailableException {
        List<X509Certificate> authorities = trust.bundle(realm, settings).x509Authorities();
        return VALIDATOR.validate(chain, td -> td.equals(settings.trustDomain()) ? authorities : null);
    }
}
