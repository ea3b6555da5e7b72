package dev.workloadid.keycloak.common.keycloak;

import dev.workloadid.keycloak.common.net.PortList;
import dev.workloadid.keycloak.common.net.SafeFetcher;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.io.IOException;

/**
 * The lifecycle of a provider factory's SSRF-safe fetcher (opened in postInit, closed in close) and
 * the server option every fetching module shares: {@value #ALLOWED_PORTS}.
 */
public final class PackFetchers {

    private static final Logger LOG = Logger.getLogger(PackFetchers.class);

    /** Server option: the ports fetched URLs may name, e.g. {@code 443,8443}; {@code *} for any. Default 443. */
    public static final String ALLOWED_PORTS = "allowed-ports";

    private PackFetchers() {
    }

    /**
     * The {@value #ALLOWED_PORTS} option of a provider; a value that does not parse stops the server
     * (a typo must not silently open or close every port).
     *
     * @param option the option's command-line name, for the message
     */
    public static PortList allowedPorts(Config.Scope config, String option) {
        String spec = config.get(ALLOWED_PORTS);
        if (spec == null || spec.isBlank()) {
            return PortList.HTTPS;
        }
        try {
            PortList ports = PortList.parse(spec);
            if (!ports.equals(PortList.HTTPS)) {
                LOG.infof("%s=%s: fetched URLs may name these ports besides 443", option, ports);
            }
            return ports;
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(option + ": " + e.getMessage(), e);
        }
    }

    /** Declares the {@value #ALLOWED_PORTS} option in a provider's configuration metadata. */
    public static ProviderConfigurationBuilder describeAllowedPorts(ProviderConfigurationBuilder builder, String urls) {
        return builder.property().name(ALLOWED_PORTS).type(ProviderConfigProperty.STRING_TYPE).defaultValue("443")
                .helpText("Ports " + urls + " may name, as a comma-separated list of ports and ranges (443,8443,9000-9100), "
                        + "or * for any. URLs without a port mean 443.").add();
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
