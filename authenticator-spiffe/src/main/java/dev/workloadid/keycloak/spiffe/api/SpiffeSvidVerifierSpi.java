package dev.workloadid.keycloak.spiffe.api;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/** SPI {@value #NAME}: see {@link SpiffeSvidVerifier}. */
public final class SpiffeSvidVerifierSpi implements Spi {

    public static final String NAME = "spiffe-svid-verifier";

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
        return SpiffeSvidVerifier.class;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends ProviderFactory> getProviderFactoryClass() {
        return SpiffeSvidVerifierFactory.class;
    }
}
