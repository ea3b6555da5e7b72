package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.common.keycloak.DescribedPolicyFactory;
import dev.workloadid.keycloak.common.settings.SettingsCheck;
import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.clientregistration.ClientRegistrationContext;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicyException;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A pack policy: id, help text, settings and its rule, each declared once by its factory; the
 * policy Keycloak runs is a {@link PackPolicy} applying that rule.
 */
abstract class PackPolicyFactory extends DescribedPolicyFactory {

    /** Each integer setting's range, checked on save. */
    private final Map<String, long[]> ranges;
    /** Each list setting's entry rule, checked on save. */
    private final Map<String, UnaryOperator<String>> entryRules;

    /** A policy without settings. */
    PackPolicyFactory(String id, String help) {
        this(id, help, settings -> { });
    }

    PackPolicyFactory(String id, String help, Consumer<Settings> properties) {
        this(id, help, Settings.declared(properties));
    }

    private PackPolicyFactory(String id, String help, Settings settings) {
        super(id, help, settings.b.build());
        this.ranges = Map.copyOf(settings.ranges);
        this.entryRules = Map.copyOf(settings.entryRules);
    }

    /**
     * The policy's rule.
     *
     * @param policy   the running policy: its settings and session
     * @param existing the client being updated, or null for a registration
     * @throws DcrError to refuse
     */
    abstract void check(PackPolicy policy, ClientRegistrationContext context, RegistrationRequest request, ClientModel existing);

    /** How the stock endpoint learns of a refusal: Keycloak's policy exception (its 403), unless a policy says otherwise. */
    RuntimeException refusal(ClientRegistrationContext context, DcrError e) {
        return new ClientRegistrationPolicyException(e.code() + ": " + e.description());
    }

    /**
     * Refuses, on save in the console or over admin REST, a setting the policy could not use: a number
     * field that is no whole number or out of its range, a list entry its rule refuses, an on/off field
     * that is neither; the error names the field's label.
     */
    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        SettingsCheck.validate(getConfigProperties(), model.getConfig(), check -> {
            ranges.forEach((key, range) -> check.wholeNumber(key, range[0], range[1]));
            entryRules.forEach(check::entries);
        });
    }

    /** Declares a policy's settings: each with its label, default, help text and save-time rule. */
    static final class Settings {
        private final ProviderConfigurationBuilder b = ProviderConfigurationBuilder.create();
        private final Map<String, long[]> ranges = new HashMap<>();
        private final Map<String, UnaryOperator<String>> entryRules = new HashMap<>();

        private Settings() {
        }

        private static Settings declared(Consumer<Settings> properties) {
            Settings settings = new Settings();
            properties.accept(settings);
            return settings;
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
        return new PackPolicy(session, model, this);
    }
}
