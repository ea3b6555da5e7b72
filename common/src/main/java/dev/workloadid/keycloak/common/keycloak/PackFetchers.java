package dev.workloadid.keycloak.common.keycloak;

import dev.workloadid.keycloak.common.net.SafeFetcher;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.io.IOException;

/** The lifecycle of a provider factory's SSRF-safe fetcher: opened in postInit, closed in close. */
public final class PackFetchers {

    private static final Logger LOG = Logger.getLogger(PackFetchers.class);

    private PackFetchers() {
    }

    /** A fetcher trusting Keycloak's truststore; {@code purpose} names it in errors and logs. */
    public static SafeFetcher open(KeycloakSessionFactory factory, String purpose) {
        return new SafeFetcher(KeycloakModelUtils.runJobInTransactionWithResult(factory,
                session -> KeycloakTls.clientContext(session, purpose)));
    }

    /** Closes without failing the server's shutdown; null is fine (postInit never ran). */
    public static void close(SafeFetcher fetcher, String purpose) {
        if (fetcher == null) {
            return;
        }
        try {
            fetcher.close();
        } catch (IOException e) {
            LOG.debugf(e, "closing the fetcher for %s", purpose);
        }
    }
}
