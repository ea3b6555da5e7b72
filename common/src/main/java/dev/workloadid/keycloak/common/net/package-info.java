/**
 * The pack's only outgoing HTTP: an SSRF-safe HTTPS fetcher for documents named by parties we do
 * not trust (SPIFFE bundle endpoints, Client ID Metadata Documents, {@code jwks_uri}, software
 * statement JWKS).
 *
 * <p>A client can make Keycloak fetch any URL it likes, so every fetch is https only, resolves the
 * host once and refuses if any answer is a special-use address ({@link
 * dev.workloadid.keycloak.common.net.AddressClassifier}), connects only to the addresses it checked,
 * follows no redirects, and is bounded in size and time ({@link
 * dev.workloadid.keycloak.common.net.FetchPolicy}). Errors carry a {@link
 * dev.workloadid.keycloak.common.net.FetchException.Reason}, a message for administrators and a
 * public message fit for an OAuth {@code error_description}.
 */
package dev.workloadid.keycloak.common.net;
