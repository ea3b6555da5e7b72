package dev.workloadid.keycloak.common.keycloak;

import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientregistration.policy.AbstractClientRegistrationPolicyFactory;

import java.util.List;

/** A pack registration policy's id, console help text and settings, declared once by each policy. */
public abstract class DescribedPolicyFactory extends AbstractClientRegistrationPolicyFactory {

    private final String id;
    private final String help;
    private final List<ProviderConfigProperty> properties;

    protected DescribedPolicyFactory(String id, String help, List<ProviderConfigProperty> properties) {
        this.id = id;
        this.help = help;
        this.properties = List.copyOf(properties);
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public String getHelpText() {
        return help;
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return properties;
    }
}
