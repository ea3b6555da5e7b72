package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators;
import org.keycloak.Config;
import org.keycloak.authentication.ClientAuthenticator;
import org.keycloak.authentication.ClientAuthenticatorFactory;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.provider.ProviderEvent;
import org.keycloak.provider.ServerInfoAwareProviderFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What the pack's SPIFFE client authenticators (JWT-SVID, X.509-SVID) have in common: one stateless
 * instance, one per-client setting ({@value SpiffeClients#SPIFFE_ID_ATTRIBUTE}, the shared association
 * rule set) and one AS metadata method name each (SCA-41).
 */
public abstract class SpiffeAuthenticatorFactory implements ClientAuthenticatorFactory, ServerInfoAwareProviderFactory {

    /** Server option: seconds this node remembers a SPIFFE ID's client (0 = off). */
    static final String ASSOCIATION_CACHE_OPTION = "association-cache-seconds";
    static final long DEFAULT_ASSOCIATION_CACHE_SECONDS = 300;

    private final AssociationCache associations =
            new AssociationCache(Duration.ofSeconds(DEFAULT_ASSOCIATION_CACHE_SECONDS), Clock.systemUTC());
    private final ClientAuthenticator instance;
    private final String id;
    private final String displayType;
    private final String helpText;

    /**
     * @param instance the authenticator, built with this node's association hint
     * @param id       one of {@link SpiffeAuthenticators#IDS}
     */
    SpiffeAuthenticatorFactory(Function<AssociationCache, ClientAuthenticator> instance, String id, String displayType,
                               String helpText) {
        this.instance = instance.apply(associations);
        this.id = id;
        this.displayType = displayType;
        this.helpText = helpText;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public String getDisplayType() {
        return displayType;
    }

    @Override
    public String getHelpText() {
        return helpText;
    }

    @Override
    public ClientAuthenticator create() {
        return instance;
    }

    @Override
    public ClientAuthenticator create(KeycloakSession session) {
        return instance;
    }

    @Override
    public String getReferenceCategory() {
        return null;
    }

    @Override
    public boolean isConfigurable() {
        return false;
    }

    @Override
    public AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
        return REQUIREMENT_CHOICES;
    }

    @Override
    public boolean isUserSetupAllowed() {
        return false;
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }

    /** Shown on the client's Credentials tab when this authenticator is chosen; stored as a client attribute. */
    @Override
    public List<ProviderConfigProperty> getConfigPropertiesPerClient() {
        return ProviderConfigurationBuilder.create()
                .property().name(SpiffeClients.SPIFFE_ID_ATTRIBUTE).label("SPIFFE ID")
                .type(ProviderConfigProperty.STRING_TYPE)
                .helpText("The workload's SPIFFE ID, e.g. spiffe://example.org/ns/prod/sa/payments, or a pattern ending "
                        + "in /* that matches whole path segments, e.g. spiffe://example.org/ns/prod/*. The most "
                        + "specific registration wins; two equally specific ones are a configuration error.")
                .add().build();
    }

    @Override
    public Map<String, Object> getAdapterConfiguration(KeycloakSession session, ClientModel client) {
        return Map.of();
    }

    // Older 26.x ClientAuthenticatorFactory versions declare this single-argument form.
    public Map<String, Object> getAdapterConfiguration(ClientModel client) {
        return Map.of();
    }

    @Override
    public Set<String> getProtocolAuthenticatorMethods(String loginProtocol) {
        return OIDCLoginProtocol.LOGIN_PROTOCOL.equals(loginProtocol) ? Set.of(SpiffeAuthenticators.METHODS.get(id)) : Set.of();
    }

    @Override
    public void init(Config.Scope config) {
        long seconds = config.getLong(ASSOCIATION_CACHE_OPTION, DEFAULT_ASSOCIATION_CACHE_SECONDS);
        associations.lifetime(Duration.ofSeconds(Math.max(0, seconds)));
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        // A client created or updated may be a better match for some SPIFFE ID: this node forgets its
        // associations now and again once the change's transaction has ended (a request that read the
        // old state in between must not keep it), and every node through the realm's generation.
        factory.register(event -> {
            ClientModel changed = changedClient(event);
            if (changed == null) {
                return;
            }
            KeycloakSession session = event.getKeycloakSession();
            if (session != null && RegistrationFreeClients.creating(session)) {
                return; // exactly bound to an ID nothing matched: a better match for no remembered ID
            }
            associations.clear();
            if (session == null || !session.getTransactionManager().isActive()) {
                return;
            }
            AssociationGenerations.replaceOnce(session, changed.getRealm().getId());
            session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
                @Override
                protected void commitImpl() {
                    associations.clear();
                }

                @Override
                protected void rollbackImpl() {
                    associations.clear();
                }
            });
        });
    }

    /**
     * The client whose change may make it a better match somewhere: any new client (its settings are
     * not all applied when the event fires), an updated one that is a SPIFFE client now; null for any
     * other event. Removals, renames and other updates never do: a remembered client is re-checked on
     * every use, so they need not clear anything (a busy realm's URL clients no longer wipe it).
     */
    private static ClientModel changedClient(ProviderEvent event) {
        if (event instanceof ClientModel.ClientCreationEvent created) {
            return created.getCreatedClient();
        }
        if (event instanceof ClientModel.ClientUpdatedEvent updated
                && SpiffeAuthenticators.IDS.contains(updated.getUpdatedClient().getClientAuthenticatorType())) {
            return updated.getUpdatedClient();
        }
        return null;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name(ASSOCIATION_CACHE_OPTION).type(ProviderConfigProperty.INTEGER_TYPE)
                .defaultValue(DEFAULT_ASSOCIATION_CACHE_SECONDS)
                .helpText("Seconds this node remembers which client a SPIFFE ID authenticated as (at most 3600), re-checked "
                        + "on every use; 0 turns it off. A client created, or a SPIFFE client updated, on any node makes every node forget "
                        + "within about a second.")
                .add().build();
    }

    @Override
    public void close() {
    }
}
