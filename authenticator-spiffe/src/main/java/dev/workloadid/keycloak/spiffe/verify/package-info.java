/**
 * Verification of SVIDs against a realm's SPIFFE trust, shared by the client authenticators and the
 * cross-module verifier SPI. Naming: a {@code *Validator} ({@code jwt/}, {@code x509/}) applies the
 * SVID rules to a credential and the bundle it is handed, free of Keycloak types; a {@code *Verifier}
 * (here) picks the realm's trust domain and bundle for it, refreshes that bundle early when a key or
 * CA rotated, and tracks single use. Both refuse with {@link dev.workloadid.keycloak.spiffe.api.SvidRejectedException}.
 */
package dev.workloadid.keycloak.spiffe.verify;
