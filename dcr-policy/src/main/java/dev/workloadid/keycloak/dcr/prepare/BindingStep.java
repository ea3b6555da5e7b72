package dev.workloadid.keycloak.dcr.prepare;

import dev.workloadid.keycloak.common.registration.SpiffeBindings;
import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import dev.workloadid.keycloak.dcr.rules.SpiffeBindingRules;

/**
 * Step 3 of preparing a request: the SPIFFE binding. A binding comes from attestation (a new client)
 * or from the client being updated, never from the body: {@code spiffe_id} must equal it, and a
 * SPIFFE token_endpoint_auth_method is only had with it. A bound client gets its method set, and
 * client_credentials when it names no grant types.
 */
public final class BindingStep {

    private BindingStep() {
    }

    /**
     * @param attested the SPIFFE ID the request proved, or null
     * @param existing the client being updated, or null for a registration
     * @return the SPIFFE ID the client is bound to (non-blank), or null for none
     */
    public static String apply(RegistrationMetadata m, String attested, ExistingClient existing) {
        String requestedSpiffeId = m.requestedSpiffeId() != null ? m.requestedSpiffeId() : m.text(RegistrationMetadata.SPIFFE_ID);
        m.metadata().remove(RegistrationMetadata.SPIFFE_ID);
        String bound = existing == null ? attested : existing.spiffeId();
        if (requestedSpiffeId != null && !requestedSpiffeId.equals(bound)) {
            throw DcrError.metadata("spiffe_id is set only by SPIFFE-attested registration (a JWT-SVID as the bearer token) "
                    + "and must equal the attested SPIFFE ID");
        }
        if (existing == null) {
            // A SPIFFE authenticator without its binding could never authenticate: only attestation gives one.
            SpiffeBindings.createRefusal(SpiffeBindings.authenticator(m.text(RegistrationMetadata.TOKEN_ENDPOINT_AUTH_METHOD)),
                    null, attested).ifPresent(reason -> {
                        throw DcrError.metadata(reason);
                    });
        }
        String boundMethod = RegistrationRequest.SPIFFE_AUTH_METHOD;
        if (existing != null && existing.bound()) {
            // An update keeps the method; naming another one is refused, not silently replaced.
            SpiffeBindingRules.checkRequestedMethod(existing.authenticator(), bound,
                    m.text(RegistrationMetadata.TOKEN_ENDPOINT_AUTH_METHOD));
            boundMethod = SpiffeBindingRules.method(existing.authenticator());
        }
        if (bound == null || bound.isBlank()) {
            return null;
        }
        m.metadata().put(RegistrationMetadata.TOKEN_ENDPOINT_AUTH_METHOD, boundMethod);
        if (!m.metadata().hasNonNull(RegistrationMetadata.GRANT_TYPES)) {
            m.metadata().putArray(RegistrationMetadata.GRANT_TYPES).add("client_credentials");
            m.metadata().putArray(RegistrationMetadata.RESPONSE_TYPES);
        }
        return bound;
    }
}
