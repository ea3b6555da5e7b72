package dev.workloadid.keycloak.spiffe.x509;

import io.spiffe.spiffeid.SpiffeId;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * An X.509-SVID whose path validated to its trust domain's authorities.
 *
 * @param spiffeId the workload's SPIFFE ID, from the leaf's only URI SAN
 * @param leaf the client certificate
 * @param path the validated path, leaf first, trust anchor excluded
 */
public record ValidatedX509Svid(SpiffeId spiffeId, X509Certificate leaf, List<X509Certificate> path) {

    public ValidatedX509Svid {
        path = List.copyOf(path);
    }
}
