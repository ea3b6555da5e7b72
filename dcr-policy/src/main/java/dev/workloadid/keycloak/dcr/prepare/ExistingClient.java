package dev.workloadid.keycloak.dcr.prepare;

import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import dev.workloadid.keycloak.dcr.rules.SpiffeBindingRules;
import org.keycloak.models.ClientModel;

/**
 * What the preparation steps need of the client an update is about, as plain values, so that the
 * steps are rules that run without Keycloak.
 *
 * @param authenticator its client authenticator
 * @param spiffeId      its SPIFFE binding, or null
 * @param secret        its current client secret, or null
 */
public record ExistingClient(String authenticator, String spiffeId, String secret) {

    /** The client's values; null for null (a registration, not an update). */
    public static ExistingClient of(ClientModel client) {
        return client == null ? null : new ExistingClient(client.getClientAuthenticatorType(),
                client.getAttribute(PackClientAttributes.SPIFFE_BINDING), client.getSecret());
    }

    /** Whether it authenticates with a SPIFFE authenticator and names its SPIFFE ID. */
    public boolean bound() {
        return SpiffeBindingRules.bound(authenticator, spiffeId);
    }
}
