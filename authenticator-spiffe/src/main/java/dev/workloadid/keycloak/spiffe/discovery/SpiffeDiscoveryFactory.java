package dev.workloadid.keycloak.spiffe.discovery;

import dev.workloadid.keycloak.common.keycloak.ChainedWellKnownProviderFactory;
import dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators;
import dev.workloadid.keycloak.spiffe.trust.ClientFlowInstaller;
import org.keycloak.models.AuthenticationFlowModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.representations.OIDCConfigurationRepresentation;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SCA-41/42: {@code spiffe_jwt} and {@code spiffe_x509} in the realm's token, introspection and revocation endpoint auth
 * method lists, each only when its authenticator is active in that realm's client
 * authentication flow. (Keycloak itself lists every loaded authenticator's method in every realm.)
 */
public abstract class SpiffeDiscoveryFactory extends ChainedWellKnownProviderFactory {

    static final int PRIORITY = 50;

    @Override
    protected void customize(KeycloakSession session, OIDCConfigurationRepresentation metadata) {
        RealmModel realm = session.getContext().getRealm();
        if (realm == null) {
            return;
        }
        AuthenticationFlowModel flow = realm.getClientAuthenticationFlow();
        for (Map.Entry<String, String> authenticator : SpiffeAuthenticators.METHODS.entrySet()) {
            boolean active = flow != null && ClientFlowInstaller.contains(realm, flow, authenticator.getKey());
            Set<String> ours = Set.of(authenticator.getValue());
            metadata.setTokenEndpointAuthMethodsSupported(adjust(metadata.getTokenEndpointAuthMethodsSupported(), ours, active));
            metadata.setIntrospectionEndpointAuthMethodsSupported(
                    adjust(metadata.getIntrospectionEndpointAuthMethodsSupported(), ours, active));
            metadata.setRevocationEndpointAuthMethodsSupported(
                    adjust(metadata.getRevocationEndpointAuthMethodsSupported(), ours, active));
        }
        // mtls_endpoint_aliases (RFC 8705 §5) is Keycloak's own: the same endpoint URLs, since Keycloak
        // serves mutual TLS on its ordinary listener (or behind the proxy that terminates it).
    }

    static List<String> adjust(List<String> methods, Set<String> ours, boolean active) {
        if (methods == null) {
            return null;
        }
        List<String> others = methods.stream().filter(m -> !ours.contains(m)).distinct().toList();
        if (!active) {
            return others;
        }
        List<String> result = new java.util.ArrayList<>(others);
        result.addAll(ours);
        return result;
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }

    /** /.well-known/openid-configuration */
    public static final class OpenIdConfiguration extends SpiffeDiscoveryFactory {
        @Override
        public String getId() {
            return "wi-spiffe-openid-configuration";
        }

        @Override
        public String getAlias() {
            return "openid-configuration";
        }
    }

    /** /.well-known/oauth-authorization-server (RFC 8414) */
    public static final class OAuthAuthorizationServer extends SpiffeDiscoveryFactory {
        @Override
        public String getId() {
            return "wi-spiffe-oauth-authorization-server";
        }

        @Override
        public String getAlias() {
            return "oauth-authorization-server";
        }
    }
}
