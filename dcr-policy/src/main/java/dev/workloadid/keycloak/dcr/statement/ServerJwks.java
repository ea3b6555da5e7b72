package dev.workloadid.keycloak.dcr.statement;

import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.clientregistration.ClientRegistrationProvider;

/**
 * Whoever holds this server's one {@link JwksFetcher}: the pack's registration endpoint factory,
 * which opens it in its postInit. Other factories of the module (the {@code wi-jwks} policy) find it
 * once, in their own postInit, and hand its fetcher to what they create.
 */
public interface ServerJwks {

    /** The fetcher; available once every factory's postInit has run. */
    JwksFetcher jwks();

    /** The holder among the server's registration provider factories. */
    static ServerJwks find(KeycloakSessionFactory factory) {
        return factory.getProviderFactoriesStream(ClientRegistrationProvider.class).filter(ServerJwks.class::isInstance)
                .map(ServerJwks.class::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("the pack's registration endpoint factory is not deployed"));
    }
}
