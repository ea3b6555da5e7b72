package dev.workloadid.keycloak.spiffe.api;

/** SPI {@value #NAME}: see {@link SpiffeSvidVerifier}. */
public final class SpiffeSvidVerifierSpi extends PublicSpi {

    public static final String NAME = "spiffe-svid-verifier";

    public SpiffeSvidVerifierSpi() {
        super(NAME, SpiffeSvidVerifier.class, SpiffeSvidVerifierFactory.class);
    }
}
