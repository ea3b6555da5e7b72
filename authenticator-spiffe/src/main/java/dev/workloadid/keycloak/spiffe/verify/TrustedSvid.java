package dev.workloadid.keycloak.spiffe.verify;

import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
import io.spiffe.spiffeid.SpiffeId;

/**
 * An SVID that checked out against the realm's trust.
 *
 * @param svid     what the validator returned ({@code ValidatedJwtSvid} or {@code ValidatedX509Svid})
 * @param spiffeId the SPIFFE ID it authenticates
 * @param settings the settings of its trust domain
 */
public record TrustedSvid<S>(S svid, SpiffeId spiffeId, TrustDomainSettings settings) {
}
