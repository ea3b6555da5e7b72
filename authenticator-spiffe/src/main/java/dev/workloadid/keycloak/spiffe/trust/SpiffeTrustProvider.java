package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import io.spiffe.spiffeid.TrustDomain;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.Provider;

import java.util.List;
import java.util.Optional;

/** A realm's SPIFFE trust domains and their bundles (SCA-60: bundles keyed by trust domain). */
public interface SpiffeTrustProvider extends Provider {

    /**
     * Every valid trust domain entry of the realm, ordered by component id; invalid entries are
     * logged and skipped. May name a trust domain twice (see {@link #trustDomain}).
     */
    List<TrustDomainSettings> trustDomains(RealmModel realm);

    /**
     * The realm's configuration for a trust domain, if it trusts it at all (SCA-63: no discovery).
     *
     * @throws TrustDomainConflictException if several entries name this trust domain (BND-07): the
     *     realm's configuration is then ambiguous and none of them is used
     */
    Optional<TrustDomainSettings> trustDomain(RealmModel realm, TrustDomain trustDomain) throws TrustDomainConflictException;

    /** The current bundle of a configured trust domain; never fetches while it is fresh. */
    SpiffeBundle bundle(RealmModel realm, TrustDomainSettings settings) throws BundleUnavailableException;

    /**
     * Refetches the bundle ahead of schedule, rate-limited to once per refresh floor; true if the
     * bundle in use changed. For a JWT-SVID signed with a key the current bundle does not know yet.
     */
    boolean refreshEarly(RealmModel realm, TrustDomainSettings settings);
}
