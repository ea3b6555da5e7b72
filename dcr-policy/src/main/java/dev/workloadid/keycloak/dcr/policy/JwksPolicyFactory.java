package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.MetadataRules;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import dev.workloadid.keycloak.dcr.statement.JwksFetcher;
import dev.workloadid.keycloak.dcr.statement.ServerJwks;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.net.URI;

/** Policy {@value #ID}: jwks and jwks_uri never both; jwks_uri https and fetchable through the SSRF-safe fetcher. */
public final class JwksPolicyFactory extends PackPolicyFactory {

    public static final String ID = "wi-jwks";
    static final String FETCH = "fetch-jwks-uri";

    /** The server's one JWK set fetcher, held by the pack's registration endpoint factory. */
    private ServerJwks server;

    public JwksPolicyFactory() {
        super(ID, "jwks and jwks_uri must not both be sent; jwks_uri must be an https URL that the pack's SSRF-safe fetcher "
                        + "can fetch (public address, size and time limits) and that holds a public JWK set.",
                b -> b.bool(FETCH, "Fetch jwks_uri at registration", true,
                        "Fetch jwks_uri through the SSRF-safe fetcher and require a valid public JWK set. Off: only the URL form is checked."));
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        server = ServerJwks.find(factory);
    }

    @Override
    void check(PackPolicy policy, ClientRegistrationContext context, RegistrationRequest request, ClientModel existing) {
        MetadataRules.checkJwks(request.metadata());
        String jwksUri = request.metadata().text(RegistrationMetadata.JWKS_URI);
        if (jwksUri == null || !policy.flag(FETCH, true)) {
            return;
        }
        try {
            server.jwks().get(URI.create(jwksUri), false);
        } catch (JwksFetcher.JwksUnavailable e) {
            throw DcrError.metadata("jwks_uri refused: " + e.getMessage());
        }
    }
}
