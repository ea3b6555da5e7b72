package dev.workloadid.keycloak.spiffe.api;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/**
 * A Keycloak SPI this module declares for other modules and extensions to call (not internal): its
 * name and its provider and factory types, nothing else.
 */
public abstract class PublicSpi implements Spi {

    private final String name;
    private final Class<? extends Provider> providerClass;
    @SuppressWarnings("rawtypes")
    private final Class<? extends ProviderFactory> factoryClass;

    @SuppressWarnings("rawtypes")
    protected PublicSpi(String name, Class<? extends Provider> providerClass,
                        Class<? extends ProviderFactory> factoryClass) {
        this.name = name;
        this.providerClass = providerClass;
        this.factoryClass = factoryClass;
    }

    @Override
    public final boolean isInternal() {
        return false;
    }

    @Override
    public final String getName() {
        return name;
    }

    @Override
    public final Class<? extends Provider> getProviderClass() {
        return providerClass;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public final Class<? extends ProviderFactory> getProviderFactoryClass() {
        return factoryClass;
    }
}
