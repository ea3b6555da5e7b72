package dev.workloadid.keycloak.common.keycloak;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.representations.OIDCConfigurationRepresentation;
import org.keycloak.wellknown.WellKnownProvider;
import org.keycloak.wellknown.WellKnownProviderFactory;

import java.util.Comparator;

/**
 * Lets several pack modules each adjust the realm's discovery metadata
 * ({@code openid-configuration}, {@code oauth-authorization-server}) without replacing one another.
 *
 * <p>Keycloak serves the well-known provider of the lowest priority for an alias. Each pack module
 * registers a subclass with a priority below Keycloak's own (100); it wraps the provider that
 * Keycloak would have chosen without it, the next one up in priority, and edits what that one
 * returns. Two modules therefore chain: cimd (60) wraps spiffe (50)... wraps Keycloak's (100).
 */
public abstract class ChainedWellKnownProviderFactory implements WellKnownProviderFactory {

    private KeycloakSessionFactory sessionFactory;

    /** Edits the metadata Keycloak (or the next module) produced, for the session's realm. */
    protected abstract void customize(KeycloakSession session, OIDCConfigurationRepresentation metadata);

    @Override
    public abstract String getAlias();

    @Override
    public abstract int getPriority();

    @Override
    public WellKnownProvider create(KeycloakSession session) {
        WellKnownProviderFactory next = next();
        WellKnownProvider delegate = session.getProvider(WellKnownProvider.class, next.getId());
        return new WellKnownProvider() {
            @Override
            public Object getConfig() {
                Object config = delegate.getConfig();
                if (config instanceof OIDCConfigurationRepresentation metadata) {
                    customize(session, metadata);
                }
                return config;
            }

            @Override
            public void close() {
            }
        };
    }

    /** The provider for this alias that would be served if this one did not exist. */
    WellKnownProviderFactory next() {
        return sessionFactory.getProviderFactoriesStream(WellKnownProvider.class)
                .map(WellKnownProviderFactory.class::cast)
                .filter(f -> getAlias().equals(f.getAlias()) && !getId().equals(f.getId()))
                .filter(f -> f.getPriority() > getPriority()
                        || (f.getPriority() == getPriority() && f.getId().compareTo(getId()) > 0))
                .min(Comparator.comparingInt(WellKnownProviderFactory::getPriority).thenComparing(WellKnownProviderFactory::getId))
                .orElseThrow(() -> new IllegalStateException("no well-known provider for " + getAlias() + " after " + getId()));
    }

    @Override
    public boolean isAvailableViaServerMetadata() {
        return next().isAvailableViaServerMetadata();
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        this.sessionFactory = factory;
    }

    @Override
    public void close() {
    }
}
