package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.spiffe.api.PublicSpi;

/**
 * The pack's SPI for SPIFFE trust: a realm's trust domains and their current bundles. Both SPIFFE
 * authenticators use it, and other modules reach SPIFFE trust through it instead of copying code.
 */
public final class SpiffeTrustSpi extends PublicSpi {

    public static final String NAME = "spiffe-trust";

    public SpiffeTrustSpi() {
        super(NAME, SpiffeTrustProvider.class, SpiffeTrustProviderFactory.class);
    }
}
