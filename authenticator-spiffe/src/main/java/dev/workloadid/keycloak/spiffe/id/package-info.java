/**
 * SPIFFE ID parsing and client-matching rules, free of Keycloak types.
 *
 * <p>Syntax checks are delegated to java-spiffe ({@link io.spiffe.spiffeid.SpiffeId}); this package
 * adds what java-spiffe does not enforce (the 2048-byte ID and 255-byte trust-domain limits of
 * SPIFFE-ID §2.3), the {@code /*} whole-segment prefix patterns of
 * draft-ietf-oauth-spiffe-client-auth §5.1, and a deterministic "most specific match wins, ties are
 * configuration errors" lookup.
 */
package dev.workloadid.keycloak.spiffe.id;
