package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.common.net.FetchException;
import dev.workloadid.keycloak.common.net.FetchPolicy;
import dev.workloadid.keycloak.common.net.PortList;
import dev.workloadid.keycloak.common.net.FetchResult;
import dev.workloadid.keycloak.common.net.SafeFetcher;
import dev.workloadid.keycloak.spiffe.bundle.BundleParseException;
import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import io.spiffe.spiffeid.TrustDomain;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A SPIFFE bundle endpoint, https_web profile (SCA-61, FED-06): server certificate checked against
 * Keycloak's truststore, through the pack's SSRF-safe fetcher. Redirects are not followed (FED-06
 * says SHOULD follow to a valid endpoint; refusing is the safer reading for an AS and is documented).
 */
public final class HttpsWebBundleSource implements BundleSource {

    /** Bundles are small; 64 KiB leaves room for dozens of keys and certificates. */
    static final int MAX_BUNDLE_BYTES = 64 * 1024;

    private final TrustDomain trustDomain;
    private final URI endpoint;
    private final SafeFetcher fetcher;
    private final FetchPolicy policy;

    public HttpsWebBundleSource(TrustDomain trustDomain, URI endpoint, SafeFetcher fetcher, boolean allowLoopback,
                                PortList allowedPorts) {
        this.trustDomain = trustDomain;
        this.endpoint = endpoint;
        this.fetcher = fetcher;
        this.policy = FetchPolicy.builder().maxBytes(MAX_BUNDLE_BYTES).allowLoopback(allowLoopback).allowedPorts(allowedPorts)
                .acceptHeader("application/json").build();
    }

    @Override
    public SpiffeBundle load() throws BundleUnavailableException {
        FetchResult result;
        try {
            result = fetcher.fetch(endpoint, policy);
        } catch (FetchException e) {
            throw new BundleUnavailableException("bundle endpoint of trust domain " + trustDomain.getName()
                    + " failed: " + e.getMessage(), e);
        }
        if (result.status() != 200) {
            throw new BundleUnavailableException("bundle endpoint of trust domain " + trustDomain.getName()
                    + " answered HTTP " + result.status());
        }
        try {
            return SpiffeBundle.parse(trustDomain, new String(result.body(), StandardCharsets.UTF_8));
        } catch (BundleParseException e) {
            throw new BundleUnavailableException("bundle endpoint of trust domain " + trustDomain.getName()
                    + " served an invalid bundle: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean polled() {
        return true;
    }
}
