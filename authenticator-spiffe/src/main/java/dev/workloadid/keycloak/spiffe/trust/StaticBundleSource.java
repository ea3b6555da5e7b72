package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.spiffe.bundle.BundleParseException;
import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import io.spiffe.spiffeid.TrustDomain;

/** A bundle pasted by the administrator (air-gapped sites): a SPIFFE bundle / JWKS, or PEM CAs. */
public final class StaticBundleSource implements BundleSource {

    private final TrustDomain trustDomain;
    private final String text;

    public StaticBundleSource(TrustDomain trustDomain, String text) {
        this.trustDomain = trustDomain;
        this.text = text;
    }

    @Override
    public SpiffeBundle load() throws BundleUnavailableException {
        try {
            return parse(trustDomain, text);
        } catch (BundleParseException e) {
            throw new BundleUnavailableException("the static bundle of trust domain " + trustDomain.getName()
                    + " is invalid: " + e.getMessage(), e);
        }
    }

    /** JSON (SPIFFE bundle or JWK Set) or PEM certificates, told apart by their first character. */
    public static SpiffeBundle parse(TrustDomain trustDomain, String text) throws BundleParseException {
        String trimmed = text.trim();
        return trimmed.startsWith("-----") ? SpiffeBundle.parsePem(trustDomain, trimmed)
                : SpiffeBundle.parse(trustDomain, trimmed);
    }

    @Override
    public boolean polled() {
        return false;
    }
}
