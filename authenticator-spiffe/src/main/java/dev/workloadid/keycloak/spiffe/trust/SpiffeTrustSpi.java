package dev.workloadid.keycloak.spiffe.trust;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/**
 * The pack's SPI for SPIFFE trust: a realm's trust domains and their current bundles. Both SPIFFE
 * authenticators use it, and other modules reach SPIFFE trust through it instead of copying code.
 */
public final class SpiffeTrustSpi implements Spi {

    public static final String NAME = "spiffe-trust";

    @Override
    public boolean isInternal() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public Class<? extends Provider> getProviderClass() {
        return SpiffeTrustProvider.class;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends ProviderFactory> getProviderFactoryClass() {
        return SpiffeTrustProviderFactory.class;
    }
}
