package dev.workloadid.keycloak.common.keycloak;

import org.keycloak.models.KeycloakSession;
import org.keycloak.truststore.TruststoreProvider;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/** TLS trust for the pack's outgoing fetches: Keycloak's truststore (--truststore-paths), else the JDK's. */
public final class KeycloakTls {

    private KeycloakTls() {
    }

    /** @param purpose what the context is for, named in the error if it cannot be built */
    public static SSLContext clientContext(KeycloakSession session, String purpose) {
        try {
            TruststoreProvider truststore = session.getProvider(TruststoreProvider.class);
            KeyStore store = truststore == null ? null : truststore.getTruststore();
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot build the TLS context for " + purpose, e);
        }
    }
}
