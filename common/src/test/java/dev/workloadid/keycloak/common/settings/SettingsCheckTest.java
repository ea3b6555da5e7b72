package dev.workloadid.keycloak.common.settings;

import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

import java.text.MessageFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsCheckTest {

    private static final List<ProviderConfigProperty> FORM = ProviderConfigurationBuilder.create()
            .property().name("window-seconds").label("Window (seconds)").type(ProviderConfigProperty.INTEGER_TYPE)
            .defaultValue("60").add()
            .property().name("replayProtection").label("Replay protection").type(ProviderConfigProperty.BOOLEAN_TYPE)
            .defaultValue("false").add()
            .property().name("allowedHosts").label("Allowed hosts").type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE).add()
            .property().name("bundleSource").label("Bundle source").type(ProviderConfigProperty.LIST_TYPE)
            .options("SPIFFE bundle endpoint", "Static bundle").add()
            .property().name("enabled").label("Enabled").type(ProviderConfigProperty.BOOLEAN_TYPE).add()
            .build();

    /** What the console shows: Keycloak formats the message with MessageFormat before sending it. */
    private static String shown(ComponentValidationException e) {
        return MessageFormat.format(e.getMessage(), e.getParameters());
    }

    private static ComponentValidationException refused(Map<String, List<String>> config,
                                                        java.util.function.Consumer<SettingsCheck> rules) {
        try {
            SettingsCheck.validate(FORM, config, rules);
        } catch (ComponentValidationException e) {
            return e;
        }
        throw new AssertionError("not refused: " + config);
    }

    @Test
    void aNumberFieldWithALetterOIsRefusedByItsLabel() {
        ComponentValidationException e = refused(Map.of("window-seconds", List.of("6O")), c -> { });
        assertThat(shown(e)).isEqualTo("\u201cWindow (seconds)\u201d must be a whole number, not \u201c6O\u201d");
    }

    @Test
    void aHugeNumberIsLeftToTheModulesRangeCheck() {
        assertThatCode(() -> SettingsCheck.validate(FORM, Map.of("window-seconds", List.of("99999999999999999999")), c -> { }))
                .doesNotThrowAnyException();
        assertThat(shown(refused(Map.of("window-seconds", List.of("99999999999999999999")),
                c -> c.wholeNumber("window-seconds", 1, 86400))))
                .isEqualTo("\u201cWindow (seconds)\u201d must be from 1 to 86400, not 99999999999999999999");
    }

    @Test
    void rangesAreTheModulesAndNameTheLabel() {
        ComponentValidationException e = refused(Map.of("window-seconds", List.of("0")),
                c -> c.wholeNumber("window-seconds", 1, 86400));
        assertThat(shown(e)).isEqualTo("\u201cWindow (seconds)\u201d must be from 1 to 86400, not 0");
        assertThatCode(() -> SettingsCheck.validate(FORM, Map.of(), c -> assertThat(c.wholeNumber("window-seconds", 1, 86400))
                .isEqualTo(60))).doesNotThrowAnyException();
    }

    @Test
    void onOffFieldsAreTrueOrFalse() {
        assertThat(shown(refused(Map.of("replayProtection", List.of("yes")), c -> { })))
                .isEqualTo("\u201cReplay protection\u201d must be on or off (true or false), not \u201cyes\u201d");
        assertThatCode(() -> SettingsCheck.validate(FORM, Map.of("replayProtection", List.of("TRUE")), c -> { }))
                .doesNotThrowAnyException();
    }

    @Test
    void hostListEntriesAreCheckedOneByOneAndNamed() {
        ComponentValidationException e = refused(Map.of("allowedHosts", List.of("a.example##https://mcp.example.com/client.json")),
                c -> c.hosts("allowedHosts"));
        assertThat(shown(e)).startsWith("\u201cAllowed hosts\u201d: the entry \u201chttps://mcp.example.com/client.json\u201d is a URL");
        SettingsCheck check = new SettingsCheck(FORM, Map.of("allowedHosts", List.of("Bücher.example", "*.B.example")));
        assertThat(check.hosts("allowedHosts")).containsExactly("xn--bcher-kva.example", "*.b.example");
    }

    @Test
    void modulesMessagesNamingConfigKeysAreRephrasedWithLabels() {
        ComponentValidationException e = refused(Map.of(), c -> {
            throw new IllegalArgumentException("bundleSource must not be 'x' when allowedHosts is {empty}; enabled stays");
        });
        assertThat(shown(e)).isEqualTo("\u201cBundle source\u201d (bundleSource) must not be 'x' when \u201cAllowed hosts\u201d (allowedHosts) is {empty}; enabled stays");
    }

    private enum Source implements Choice {
        WEB("https_web", "SPIFFE bundle endpoint"), STATIC("static", "Static bundle");

        private final Words words;

        Source(String value, String label) {
            this.words = new Words(value, label);
        }

        @Override
        public Words words() {
            return words;
        }
    }

    @Test
    void choicesAcceptTheWordsOnScreenAndTheShortValues() {
        assertThat(Choice.parse(Source.class, "bundleSource", "static bundle")).isEqualTo(Source.STATIC);
        assertThat(Choice.parse(Source.class, "bundleSource", " https_web ")).isEqualTo(Source.WEB);
        assertThatThrownBy(() -> Choice.parse(Source.class, "bundleSource", "ftp")).hasMessage("bundleSource must be "
                + "SPIFFE bundle endpoint (https_web) or Static bundle (static), not 'ftp'");
    }
}
