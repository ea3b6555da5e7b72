package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import dev.workloadid.keycloak.spiffe.verify.TrustedSvid;
import org.jboss.logging.Logger;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.authentication.ClientAuthenticator;
import org.keycloak.models.ClientModel;

/**
 * The one sequence of both SPIFFE client authenticators: guard and read the credential, verify it
 * against the realm's trust, associate the SPIFFE ID with a client ({@link SpiffeAssociation}),
 * succeed. A subclass supplies only the two SVID-specific steps. One instance serves every request;
 * its only state is the node-local association hint.
 *
 * @param <C> the credential the request presents (a JWT-SVID, a certificate chain)
 */
abstract class SpiffeAuthenticator<C> implements ClientAuthenticator {

    private static final Logger LOG = Logger.getLogger(SpiffeAuthenticator.class);

    private final String id;
    private final String svidKind;
    private final AssociationCache associations;

    /**
     * @param id       the provider id, also the clientAuthenticatorType of the clients it authenticates
     * @param svidKind how descriptions name the credential, e.g. {@code JWT-SVID}
     */
    SpiffeAuthenticator(String id, String svidKind, AssociationCache associations) {
        this.id = id;
        this.svidKind = svidKind;
        this.associations = associations;
    }

    /**
     * The request's credential, or null when this authenticator does not act on the request (then
     * it has marked the flow attempted, or rejected the request through {@code request}).
     */
    abstract C credential(SpiffeRequest request);

    /** The credential checked against the realm's trust domains. */
    abstract TrustedSvid<?> verify(ClientAuthenticationFlowContext context, C credential) throws SvidRejectedException;

    /** Whether a refused SVID may be another authenticator's to judge rather than a rejection. */
    boolean leavesToOthers(ClientAuthenticationFlowContext context, SvidRejectedException rejection) {
        return false;
    }

    /**
     * Runs the sequence so that an unexpected error still ends as our invalid_client with an event,
     * never as Keycloak's generic unauthorized_client or a 5xx.
     */
    @Override
    public final void authenticateClient(ClientAuthenticationFlowContext context) {
        SpiffeRequest request = new SpiffeRequest(context, id);
        try {
            authenticate(request);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Unexpected error authenticating a %s client in realm %s", svidKind, context.getRealm().getName());
            request.reject(null, "the " + svidKind + " could not be checked (server error, see the server log)");
        }
    }

    private void authenticate(SpiffeRequest request) {
        ClientAuthenticationFlowContext context = request.context();
        C credential = credential(request);
        if (credential == null) {
            return;
        }
        TrustedSvid<?> svid;
        try {
            svid = verify(context, credential);
        } catch (SvidRejectedException e) {
            if (leavesToOthers(context, e)) {
                context.attempted();
            } else {
                request.refuse(e);
            }
            return;
        }
        ClientModel client = new SpiffeAssociation(request, associations).clientFor(svid.settings(), svid.spiffeId());
        if (client != null) {
            request.succeed(client, svid.spiffeId());
        }
    }

    @Override
    public void close() {
    }
}
