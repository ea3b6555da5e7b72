package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.common.keycloak.DescribedPolicyFactory;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/** Metadata of a pack policy: id, help text, settings; each policy declares them in one place. */
abstract class PackPolicyFactory extends DescribedPolicyFactory {

    private final BiFunction<KeycloakSession, ComponentModel, ClientRegistrationPolicy> constructor;

    PackPolicyFactory(String id, String help, Consumer<ProviderConfigurationBuilder> properties,
                      BiFunction<KeycloakSession, ComponentModel, ClientRegistrationPolicy> constructor) {
        super(id, help, build(properties));
        this.constructor = constructor;
    }

    private static List<ProviderConfigProperty> build(Consumer<ProviderConfigurationBuilder> properties) {
        ProviderConfigurationBuilder builder = ProviderConfigurationBuilder.create();
        properties.accept(builder);
        return builder.build();
    }

    @Override
    public ClientRegistrationPolicy create(KeycloakSession session, ComponentModel model) {
        return constructor.apply(session, model);
    }

    static void bool(ProviderConfigurationBuilder b, String name, String label, boolean defaultValue, String help) {
        b.property().name(name).label(label).type(ProviderConfigProperty.BOOLEAN_TYPE)
                .defaultValue(Boolean.toString(defaultValue)).helpText(help).add();
    }

    static void integer(ProviderConfigurationBuilder b, String name, String label, int defaultValue, String help) {
        b.property().name(name).label(label).type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(Integer.toString(defaultValue)).helpText(help).add();
    }

    static void list(ProviderConfigurationBuilder b, String name, String label, String help) {
        b.property().name(name).label(label).type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE).helpText(help).add();
    }
}
