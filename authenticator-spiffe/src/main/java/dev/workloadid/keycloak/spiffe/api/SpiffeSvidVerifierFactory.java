package dev.workloadid.keycloak.spiffe.api;

import org.keycloak.provider.ProviderFactory;

/** Factory of {@link SpiffeSvidVerifier}. */
public interface SpiffeSvidVerifierFactory extends ProviderFactory<SpiffeSvidVerifier> {
}
