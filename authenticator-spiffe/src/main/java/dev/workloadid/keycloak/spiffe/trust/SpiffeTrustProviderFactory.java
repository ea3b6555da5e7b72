package dev.workloadid.keycloak.spiffe.trust;

import org.keycloak.provider.ProviderFactory;

/** Factory of {@link SpiffeTrustProvider}; see {@link DefaultSpiffeTrustProviderFactory}. */
public interface SpiffeTrustProviderFactory extends ProviderFactory<SpiffeTrustProvider> {
}
