package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.common.keycloak.ChainedWellKnownProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.representations.OIDCConfigurationRepresentation;

import java.util.ArrayList;
import java.util.List;

/**
 * CIMD-40 / MCP-06: {@code client_id_metadata_document_supported: true} in the realm's metadata
 * when URL client_ids are on there (and {@code none} among the token endpoint auth methods, which
 * public document clients use); {@code false} otherwise.
 */
public abstract class CimdDiscoveryFactory extends ChainedWellKnownProviderFactory {

    static final int PRIORITY = 60;
    static final String SUPPORTED = "client_id_metadata_document_supported";

    @Override
    protected void customize(KeycloakSession session, OIDCConfigurationRepresentation metadata) {
        RealmModel realm = session.getContext().getRealm();
        boolean on = realm != null && CimdRealmSettings.enabled(realm).isPresent();
        Object stock = metadata.getOtherClaims().get(SUPPORTED);
        // Stock Keycloak's experimental cimd feature may already say true; never turn that off.
        metadata.setOtherClaims(SUPPORTED, on || Boolean.TRUE.equals(stock));
        if (on && metadata.getTokenEndpointAuthMethodsSupported() != null
                && !metadata.getTokenEndpointAuthMethodsSupported().contains("none")) {
            List<String> methods = new ArrayList<>(metadata.getTokenEndpointAuthMethodsSupported());
            methods.add("none");
            metadata.setTokenEndpointAuthMethodsSupported(methods);
        }
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }

    /** /.well-known/openid-configuration */
    public static final class OpenIdConfiguration extends CimdDiscoveryFactory {
        @Override
        public String getId() {
            return "wi-cimd-openid-configuration";
        }

        @Override
        public String getAlias() {
            return "openid-configuration";
        }
    }

    /** /.well-known/oauth-authorization-server (RFC 8414) */
    public static final class OAuthAuthorizationServer extends CimdDiscoveryFactory {
        @Override
        public String getId() {
            return "wi-cimd-oauth-authorization-server";
        }

        @Override
        public String getAlias() {
            return "oauth-authorization-server";
        }
    }
}
