/**
 * SPIFFE trust bundles and their refresh rules, free of Keycloak types and of I/O.
 *
 * <p>{@link dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle} parses a SPIFFE bundle (a JWK Set
 * with {@code spiffe_sequence} / {@code spiffe_refresh_hint}, SPIFFE Trust Domain and Bundle §4), an
 * administrator-pasted JWKS in the same format, or a PEM file of CA certificates. Each key is parsed
 * on its own with Nimbus, so one unusable key is skipped with a warning and never poisons the bundle.
 * {@link dev.workloadid.keycloak.spiffe.bundle.RefreshPolicy} holds the pure timing and sequence
 * rules (SPIFFE Federation §4, §6.2); the caller owns fetching, storage and clocks.
 */
package dev.workloadid.keycloak.spiffe.bundle;
