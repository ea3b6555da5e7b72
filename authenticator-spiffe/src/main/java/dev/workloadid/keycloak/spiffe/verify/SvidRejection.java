package dev.workloadid.keycloak.spiffe.verify;

import dev.workloadid.keycloak.spiffe.trust.SpiffeTrustProvider;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainConflictException;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
import io.spiffe.spiffeid.SpiffeId;
import org.keycloak.models.RealmModel;

/** A refused SVID (JWT or X.509): a stable reason code, the SPIFFE ID when known, and a description. */
public final class SvidRejection extends Exception {

    private static final long serialVersionUID = 1L;

    private final String reason;
    private final String spiffeId;

    SvidRejection(String reason, String spiffeId, String message) {
        super(message);
        this.reason = reason;
        this.spiffeId = spiffeId;
    }

    public String reason() {
        return reason;
    }

    public String spiffeId() {
        return spiffeId;
    }

    /**
     * The realm's settings for the claimed SPIFFE ID's trust domain (SCA-63: configured, never
     * discovered); a trust domain configured twice is refused (BND-07), not guessed at.
     */
    static TrustDomainSettings trustDomainOf(SpiffeTrustProvider trust, RealmModel realm, SpiffeId claimed)
            throws SvidRejection {
        try {
            return trust.trustDomain(realm, claimed.getTrustDomain()).orElseThrow(() -> new SvidRejection(
                    "unknown_trust_domain", claimed.toString(),
                    "trust domain " + claimed.getTrustDomain().getName() + " is not trusted by this realm"));
        } catch (TrustDomainConflictException e) {
            throw new SvidRejection("trust_domain_conflict", claimed.toString(), e.getMessage());
        }
    }
}
