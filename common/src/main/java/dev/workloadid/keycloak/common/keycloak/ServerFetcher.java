package dev.workloadid.keycloak.common.keycloak;

import dev.workloadid.keycloak.common.net.PortList;
import dev.workloadid.keycloak.common.net.SafeFetcher;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SSRF-safe fetcher of one provider factory, that is one per server node, with the two server
 * options every fetching factory declares: {@value #DEV_ALLOW_LOOPBACK} and {@value #ALLOWED_PORTS}.
 * Deliberately server options, not realm settings: a realm administrator cannot point the fetcher at
 * loopback or at other ports.
 *
 * <p>A factory holds one in a field and calls {@link #init} from its {@code init}, {@link #open}
 * from its {@code postInit} and {@link #close} from its {@code close}; it declares the options with
 * {@link #describe} in {@code getConfigMetadata} and shows them with {@link #operationalInfo}.
 */
public final class ServerFetcher {

    private static final Logger LOG = Logger.getLogger(ServerFetcher.class);

    /** Server option: fetched URLs may resolve to 127.0.0.0/8 or ::1. Development and tests only. */
    public static final String DEV_ALLOW_LOOPBACK = "dev-allow-loopback";
    /** Server option: the ports fetched URLs may name, e.g. {@code 443,8443}; {@code *} for any. Default 443. */
    public static final String ALLOWED_PORTS = "allowed-ports";

    private final String purpose;
    private final String urls;
    private boolean allowLoopback;
    private PortList allowedPorts = PortList.HTTPS;
    private SafeFetcher fetcher;

    /**
     * @param purpose names the fetcher in errors and logs, e.g. "client metadata documents"
     * @param urls    the URLs it fetches, for help texts and the loopback warning, e.g. "bundle endpoint URLs"
     */
    public ServerFetcher(String purpose, String urls) {
        this.purpose = purpose;
        this.urls = urls;
    }

    /**
     * Reads the two options; a loopback opening is logged loudly, an allowed-ports value that does not
     * parse stops the server (a typo must not silently open or close every port).
     *
     * @param optionPrefix the options' command-line prefix, e.g. {@code --spi-client-registration--rfc7591--}
     */
    public void init(Config.Scope config, String optionPrefix) {
        allowLoopback = config.getBoolean(DEV_ALLOW_LOOPBACK, false);
        allowedPorts = allowedPorts(config.get(ALLOWED_PORTS), optionPrefix + ALLOWED_PORTS);
        if (allowLoopback) {
            LOG.warnf("%s may resolve to loopback addresses (%s%s=true). DEVELOPMENT ONLY: never enable this in production.",
                    urls, optionPrefix, DEV_ALLOW_LOOPBACK);
        }
    }

    private static PortList allowedPorts(String spec, String option) {
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

    /** Opens the fetcher, trusting Keycloak's truststore (readable from postInit on). */
    public SafeFetcher open(KeycloakSessionFactory factory) {
        fetcher = new SafeFetcher(KeycloakModelUtils.runJobInTransactionWithResult(factory,
                session -> KeycloakTls.clientContext(session, purpose)));
        return fetcher;
    }

    /** The open fetcher; null before {@link #open}. */
    public SafeFetcher fetcher() {
        return fetcher;
    }

    public boolean allowLoopback() {
        return allowLoopback;
    }

    public PortList allowedPorts() {
        return allowedPorts;
    }

    /** Closes without failing the server's shutdown; fine if {@link #open} never ran. */
    public void close() {
        if (fetcher == null) {
            return;
        }
        try {
            fetcher.close();
        } catch (IOException e) {
            LOG.debugf(e, "closing the fetcher for %s", purpose);
        }
    }

    /** Declares the two options (after the factory's own) in its configuration metadata. */
    public ProviderConfigurationBuilder describe(ProviderConfigurationBuilder builder) {
        return builder.property().name(DEV_ALLOW_LOOPBACK).type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue(false)
                .helpText("Development only: allow " + urls + " on loopback addresses.").add()
                .property().name(ALLOWED_PORTS).type(ProviderConfigProperty.STRING_TYPE).defaultValue("443")
                .helpText("Ports " + urls + " may name, as a comma-separated list of ports and ranges (443,8443,9000-9100), "
                        + "or * for any. URLs without a port mean 443.").add();
    }

    /** The two options as the server info page shows them, then the factory's own entries. */
    public Map<String, String> operationalInfo(Map<String, String> more) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put(DEV_ALLOW_LOOPBACK, Boolean.toString(allowLoopback));
        info.put(ALLOWED_PORTS, allowedPorts.toString());
        info.putAll(more);
        return info;
    }
}
