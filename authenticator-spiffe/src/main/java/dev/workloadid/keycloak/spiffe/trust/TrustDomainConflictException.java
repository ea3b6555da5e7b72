package dev.workloadid.keycloak.spiffe.trust;

import io.spiffe.spiffeid.TrustDomain;

import java.util.List;

/**
 * More than one entry of a realm names the same trust domain (BND-07). A configuration error that
 * realm import or two concurrent saves can get past the admin check; the trust domain is then not
 * used at all, rather than whichever entry a node happens to read first. The message is fit for an
 * error_description; the entries' component ids are for the server log.
 */
public class TrustDomainConflictException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient TrustDomain trustDomain;
    private final List<String> componentIds;

    public TrustDomainConflictException(TrustDomain trustDomain, List<String> componentIds) {
        super("trust domain " + trustDomain.getName() + " is configured more than once in this realm "
                + "(a configuration error; see the server log)");
        this.trustDomain = trustDomain;
        this.componentIds = List.copyOf(componentIds);
    }

    public TrustDomain trustDomain() {
        return trustDomain;
    }

    /** The conflicting entries' component ids, sorted. */
    public List<String> componentIds() {
        return componentIds;
    }
}
