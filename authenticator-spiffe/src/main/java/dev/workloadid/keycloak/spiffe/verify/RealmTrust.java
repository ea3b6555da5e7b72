package dev.workloadid.keycloak.spiffe.verify;

import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import dev.workloadid.keycloak.spiffe.trust.BundleUnavailableException;
import dev.workloadid.keycloak.spiffe.trust.SpiffeTrustProvider;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainConflictException;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
import io.spiffe.spiffeid.SpiffeId;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/** One realm's SPIFFE trust as the SVID verifiers see it: its trust domains and their bundles. */
final class RealmTrust {

    private final SpiffeTrustProvider trust;
    private final RealmModel realm;

    RealmTrust(KeycloakSession session, RealmModel realm) {
        this.trust = session.getProvider(SpiffeTrustProvider.class);
        this.realm = realm;
    }

    /**
     * The realm's settings for the claimed SPIFFE ID's trust domain (SCA-63: configured, never
     * discovered); a trust domain configured twice is refused (BND-07), not guessed at.
     */
    TrustDomainSettings settingsFor(SpiffeId claimed) throws SvidRejectedException {
        try {
            return trust.trustDomain(realm, claimed.getTrustDomain()).orElseThrow(() -> new SvidRejectedException(
                    SvidRejectedException.Reason.UNKNOWN_TRUST_DOMAIN, claimed.toString(),
                    "trust domain " + claimed.getTrustDomain().getName() + " is not trusted by this realm", null));
        } catch (TrustDomainConflictException e) {
            throw new SvidRejectedException(SvidRejectedException.Reason.TRUST_DOMAIN_CONFLICT, claimed.toString(),
                    e.getMessage(), null);
        }
    }

    SpiffeBundle bundle(TrustDomainSettings settings) throws BundleUnavailableException {
        return trust.bundle(realm, settings);
    }

    /** A rate-limited refetch of the trust domain's bundle before its next scheduled refresh. */
    boolean refreshEarly(TrustDomainSettings settings) {
        return trust.refreshEarly(realm, settings);
    }

    /** A validator's refusal as the verifier reports it: which kind of SVID, and whose, when known. */
    static SvidRejectedException invalid(String svidKind, SvidRejectedException e, SpiffeId claimed) {
        return new SvidRejectedException(e.why(), claimed == null ? null : claimed.toString(),
                "invalid " + svidKind + ": " + e.getMessage(), e);
    }
}
