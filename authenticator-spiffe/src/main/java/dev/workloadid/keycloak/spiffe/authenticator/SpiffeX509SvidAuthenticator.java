package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators;
import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import dev.workloadid.keycloak.spiffe.verify.TrustedSvid;
import dev.workloadid.keycloak.spiffe.verify.X509SvidVerifier;
import dev.workloadid.keycloak.spiffe.x509.X509SvidValidator;
import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.logging.Logger;
import org.keycloak.OAuth2Constants;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.models.ClientModel;
import org.keycloak.services.x509.X509ClientCertificateLookup;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Authenticates a client by the X.509-SVID it presented as its mutual-TLS client certificate
 * (draft-ietf-oauth-spiffe-client-auth §3.2, RFC 8705 §2.1), then applies the association rules
 * shared with the JWT-SVID path ({@link SpiffeAssociation}).
 *
 * <p>When it acts (the draft leaves open how to tell SPIFFE mutual TLS from ordinary mutual TLS):
 * <ul>
 *   <li>the request names (client_id) a client configured for this authenticator: always; without a
 *       certificate, or with a second authentication method, that is a rejection;</li>
 *   <li>the request names a client configured for anything else (stock {@code client-x509},
 *       {@code client-secret}, the JWT-SVID path, ...): never, whatever certificate it carries;</li>
 *   <li>the request names no client, or one that does not exist: only when the certificate claims a
 *       SPIFFE ID (a {@code spiffe:} URI SAN) and no other method (client assertion, Authorization
 *       header) is used.</li>
 * </ul>
 * So a {@code client-x509} client is never authenticated by this authenticator and a client of this
 * authenticator never by {@code client-x509}: Keycloak's flow honours only the authenticator whose id
 * is the client's authenticator type, and this one never takes over another client.
 */
final class SpiffeX509SvidAuthenticator extends SpiffeAuthenticator<List<X509Certificate>> {

    private static final Logger LOG = Logger.getLogger(SpiffeX509SvidAuthenticator.class);

    SpiffeX509SvidAuthenticator(AssociationCache associations) {
        super(SpiffeAuthenticators.X509_SVID, "X.509-SVID", associations);
    }

    /** The presented chain when this authenticator acts on the request (see the class comment). */
    @Override
    List<X509Certificate> credential(SpiffeRequest request) {
        ClientAuthenticationFlowContext context = request.context();
        context.attempted();
        ClientModel named = request.requestedClient();
        boolean namedIsOurs = named != null && request.authenticatorId().equals(named.getClientAuthenticatorType())
                && !named.isPublicClient();
        if (named != null && !namedIsOurs) {
            return null; // another authenticator's client: never swallow it
        }
        List<X509Certificate> chain = certificateChain(context);
        if (chain.isEmpty()) {
            if (namedIsOurs) {
                request.reject(null, "client " + named.getClientId() + " must authenticate with an X.509-SVID over "
                        + "mutual TLS, and no client certificate was presented");
            }
            return null;
        }
        if (otherMethodUsed(context)) {
            if (namedIsOurs) {
                request.reject(null, "more than one client authentication method used (mutual TLS and "
                        + "client_assertion or Authorization header)");
            }
            return null;
        }
        if (!namedIsOurs && !X509SvidValidator.claimsSpiffeId(chain.get(0))) {
            return null; // an ordinary mTLS client certificate, and no SPIFFE client named
        }
        return chain;
    }

    @Override
    TrustedSvid<?> verify(ClientAuthenticationFlowContext context, List<X509Certificate> chain)
            throws SvidRejectedException {
        return new X509SvidVerifier(context.getSession(), context.getRealm()).verify(chain);
    }

    /** The presented chain, leaf first, from Keycloak's x509cert-lookup provider; empty when none. */
    private static List<X509Certificate> certificateChain(ClientAuthenticationFlowContext context) {
        X509ClientCertificateLookup lookup = context.getSession().getProvider(X509ClientCertificateLookup.class);
        if (lookup == null) {
            LOG.warn("No x509cert-lookup provider is available; SPIFFE X.509-SVID authentication cannot see certificates");
            return List.of();
        }
        try {
            X509Certificate[] certs = lookup.getCertificateChain(context.getHttpRequest());
            return certs == null ? List.of() : List.of(certs);
        } catch (GeneralSecurityException | RuntimeException e) {
            LOG.debugf(e, "x509cert-lookup could not read the client certificate");
            return List.of();
        }
    }

    private static boolean otherMethodUsed(ClientAuthenticationFlowContext context) {
        if (context.getHttpRequest().getHttpHeaders().getHeaderString("Authorization") != null) {
            return true;
        }
        try {
            MultivaluedMap<String, String> form = context.getHttpRequest().getDecodedFormParameters();
            return form.containsKey(OAuth2Constants.CLIENT_ASSERTION) || form.containsKey(OAuth2Constants.CLIENT_SECRET);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
