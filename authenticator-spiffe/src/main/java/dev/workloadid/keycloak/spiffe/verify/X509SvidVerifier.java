package dev.workloadid.keycloak.spiffe.verify;

import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import dev.workloadid.keycloak.spiffe.trust.BundleUnavailableException;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
import dev.workloadid.keycloak.spiffe.x509.PkixResultCache;
import dev.workloadid.keycloak.spiffe.x509.ValidatedX509Svid;
import dev.workloadid.keycloak.spiffe.x509.X509SvidValidator;
import io.spiffe.spiffeid.SpiffeId;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Verifies an X.509-SVID against a realm's trust domains: the SVID's own trust domain, that domain's
 * current X.509 authorities, and one rate-limited early bundle refresh when the chain leads to no
 * known authority (what a CA rotation looks like before the next scheduled refresh).
 */
public final class X509SvidVerifier {

    private static final Logger LOG = Logger.getLogger(X509SvidVerifier.class);
    // The path cache is keyed by the bundle snapshot's authorities object, so it needs no realm scoping.
    private static final X509SvidValidator VALIDATOR = new X509SvidValidator(java.time.Clock.systemUTC(),
            new PkixResultCache(PkixResultCache.DEFAULT_MAX_ENTRIES));

    private final RealmTrust trust;

    public X509SvidVerifier(KeycloakSession session, RealmModel realm) {
        this.trust = new RealmTrust(session, realm);
    }

    /** @param chain the presented chain, leaf first */
    public TrustedSvid<ValidatedX509Svid> verify(List<X509Certificate> chain) throws SvidRejectedException {
        SpiffeId claimed;
        try {
            claimed = X509SvidValidator.spiffeId(chain.get(0));
        } catch (SvidRejectedException e) {
            throw RealmTrust.invalid("X.509-SVID", e, null);
        }
        TrustDomainSettings settings = trust.settingsFor(claimed);
        try {
            try {
                return trusted(validate(settings, chain, claimed), settings);
            } catch (SvidRejectedException e) {
                if (e.why() != SvidRejectedException.Reason.PATH_INVALID || !trust.refreshEarly(settings)) {
                    throw e;
                }
                return trusted(validate(settings, chain, claimed), settings);
            }
        } catch (SvidRejectedException e) {
            throw RealmTrust.invalid("X.509-SVID", e, claimed);
        } catch (BundleUnavailableException e) {
            // Detail (endpoint host, address range, times) only in the server log, never to the client.
            LOG.debugf("X.509-SVID refused for lack of a bundle: %s", e.getMessage());
            throw new SvidRejectedException(SvidRejectedException.Reason.BUNDLE_UNAVAILABLE, claimed.toString(),
                    "the trust bundle of trust domain " + claimed.getTrustDomain().getName()
                            + " is not available (see the server log)", null);
        }
    }

    private static TrustedSvid<ValidatedX509Svid> trusted(ValidatedX509Svid svid, TrustDomainSettings settings) {
        return new TrustedSvid<>(svid, svid.spiffeId(), settings);
    }

    private ValidatedX509Svid validate(TrustDomainSettings settings, List<X509Certificate> chain, SpiffeId claimed)
            throws SvidRejectedException, BundleUnavailableException {
        List<X509Certificate> authorities = trust.bundle(settings).x509Authorities();
        return VALIDATOR.validate(chain, claimed, td -> td.equals(settings.trustDomain()) ? authorities : null);
    }
}
