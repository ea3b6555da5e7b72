package dev.workloadid.keycloak.dcr.policy;

import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicyFactory;

import java.text.MessageFormat;
import java.util.List;
import java.util.ServiceLoader;

import static dev.workloadid.keycloak.dcr.ComponentModels.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Save-time validation of every pack registration policy's settings, as the admin console shows it. */
class PackPolicySettingsTest {

    private static List<PackPolicyFactory> packPolicies() {
        return ServiceLoader.load(ClientRegistrationPolicyFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(PackPolicyFactory.class::isInstance).map(PackPolicyFactory.class::cast).toList();
    }


    /** The text the console shows: Keycloak formats the message with MessageFormat. */
    private static String shown(PackPolicyFactory factory, ComponentModel model) {
        ComponentValidationException e = catchThrowableOfType(ComponentValidationException.class,
                () -> factory.validateConfiguration(null, null, model));
        assertThat(e).as("refused: " + model.getConfig()).isNotNull();
        return MessageFormat.format(e.getMessage(), e.getParameters());
    }

    @Test
    void rateLimitWindowOfSixLetterOIsRefusedNamingTheLabel() {
        assertThat(shown(new RateLimitPolicyFactory(), model(RateLimitPolicyFactory.WINDOW, "6O")))
                .isEqualTo("\u201cWindow (seconds)\u201d must be a whole number, not \u201c6O\u201d");
        assertThat(shown(new RateLimitPolicyFactory(), model(RateLimitPolicyFactory.WINDOW, "0")))
                .isEqualTo("\u201cWindow (seconds)\u201d must be from 1 to 86400, not 0");
    }

    @Test
    void everyNumberAndOnOffFieldOfEveryPackPolicyIsCheckedOnSave() {
        List<PackPolicyFactory> factories = packPolicies();
        assertThat(factories).hasSizeGreaterThanOrEqualTo(9);
        for (PackPolicyFactory factory : factories) {
            assertThatCode(() -> factory.validateConfiguration(null, null, model())).as(factory.getId() + " defaults")
                    .doesNotThrowAnyException();
            for (ProviderConfigProperty p : factory.getConfigProperties()) {
                assertThat(p.getHelpText()).as(factory.getId() + " " + p.getName() + " help").isNotBlank();
                assertThat(p.getLabel()).as(factory.getId() + " " + p.getName() + " label").isNotBlank();
                String bad = switch (p.getType()) {
                    case ProviderConfigProperty.INTEGER_TYPE -> "6O";
                    case ProviderConfigProperty.BOOLEAN_TYPE -> "maybe";
                    case ProviderConfigProperty.MULTIVALUED_STRING_TYPE -> "two words";
                    default -> throw new AssertionError(factory.getId() + " " + p.getName() + ": unchecked type " + p.getType());
                };
                assertThat(shown(factory, model(p.getName(), bad))).as(factory.getId() + " " + p.getName())
                        .startsWith("\u201c" + p.getLabel() + "\u201d").doesNotContain(p.getName() + " ");
                assertThatCode(() -> factory.validateConfiguration(null, null, model(p.getName(), p.getDefaultValue() == null
                        ? "" : p.getDefaultValue().toString()))).as(factory.getId() + " " + p.getName() + " default")
                        .doesNotThrowAnyException();
            }
        }
    }

    @Test
    void listEntriesAreCheckedOneByOne() {
        assertThat(shown(new AuthMethodPolicyFactory(), model(AuthMethodPolicyFactory.ALLOWED, "private_key_jwt",
                AuthMethodPolicyFactory.ALLOWED, "client_secret")))
                .startsWith("\u201cAllowed methods\u201d: the entry \u201cclient_secret\u201d is not a token_endpoint_auth_method");
        assertThatCode(() -> new AuthMethodPolicyFactory().validateConfiguration(null, null,
                model(AuthMethodPolicyFactory.ALLOWED, "private_key_jwt##spiffe_jwt"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> new SoftwareIdMaxClientsPolicyFactory().validateConfiguration(null, null,
                model(SoftwareIdMaxClientsPolicyFactory.MAX, "0"))).isInstanceOf(ComponentValidationException.class);
    }
}
