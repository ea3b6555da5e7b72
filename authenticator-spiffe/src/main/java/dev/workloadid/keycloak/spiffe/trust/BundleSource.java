package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;

/**
 * Where a trust domain's bundle comes from. The seam for new sources (a SPIFFE Workload API source
 * would implement this and be selected by a new {@link TrustDomainSettings.BundleSourceType}).
 */
public interface BundleSource {

    /** Loads the current bundle; throws with a message fit for an error_description on failure. */
    SpiffeBundle load() throws BundleUnavailableException;

    /** Whether the bundle can change and must be polled (a pasted static bundle cannot). */
    boolean polled();
}
