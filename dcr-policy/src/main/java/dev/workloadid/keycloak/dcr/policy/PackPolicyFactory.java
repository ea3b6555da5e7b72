package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.common.settings.SettingsCheck;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.clientregistration.policy.AbstractClientRegistrationPolicyFactory;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** Metadata of a pack policy: id, help text, settings; each policy declares them in one place. */
abstract class PackPolicyFactory extends AbstractClientRegistrationPolicyFactory {

    private final String id;
    private final String help;
    private final List<ProviderConfigProperty> properties;
    private final BiFunction<KeycloakSession, ComponentModel, ClientRegistrationPolicy> constructor;
    /** Each integer setting's range, checked on save. */
    private final Map<String, long[]> ranges = new HashMap<>();
    /** Each list setting's entry rule, checked on save. */
    private final Map<String, UnaryOperator<String>> entryRules = new HashMap<>();

    PackPolicyFactory(String id, String help, Consumer<Settings> properties,
                      BiFunction<KeycloakSession, ComponentModel, ClientRegistrationPolicy> constructor) {
        this.id = id;
        this.help = help;
        ProviderConfigurationBuilder builder = ProviderConfigurationBuilder.create();
        properties.accept(new Settings(builder));
        this.properties = builder.build();
        this.constructor = constructor;
    }

    /**
     * Refuses, on save in the console or over admin REST, a setting the policy could not use: a number
     * field that is no whole number or out of its range, a list entry its rule refuses, an on/off field
     * that is neither; the error names the field's label.
     */
    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        SettingsCheck.validate(properties, model.getConfig(), check -> {
            ranges.forEach((key, range) -> check.wholeNumber(key, range[0], range[1]));
            entryRules.forEach(check::entries);
        });
    }

    /** Declares a policy's settings: each with its label, default, help text and save-time rule. */
    final class Settings {
        private final ProviderConfigurationBuilder b;

        private Settings(ProviderConfigurationBuilder b) {
            this.b = b;
        }

        void bool(String name, String label, boolean defaultValue, String help) {
            b.property().name(name).label(label).type(ProviderConfigProperty.BOOLEAN_TYPE)
                    .defaultValue(Boolean.toString(defaultValue)).helpText(help).add();
        }

        void integer(String name, String label, int defaultValue, int min, int max, String help) {
            b.property().name(name).label(label).type(ProviderConfigProperty.INTEGER_TYPE)
                    .defaultValue(Integer.toString(defaultValue)).helpText(help + " " + min + " to " + max + ".").add();
            ranges.put(name, new long[] {min, max});
        }

        /** @param entryRule returns an entry's normal form or throws IllegalArgumentException completing "the entry X ..." */
        void list(String name, String label, String help, UnaryOperator<String> entryRule) {
            b.property().name(name).label(label).type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE).helpText(help).add();
            entryRules.put(name, entryRule);
        }
    }

    @Override
    public ClientRegistrationPolicy create(KeycloakSession session, ComponentModel model) {
        return constructor.apply(session, model);
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
