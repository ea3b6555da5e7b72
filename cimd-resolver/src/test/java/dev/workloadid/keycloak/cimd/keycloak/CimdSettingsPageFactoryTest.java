package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.settings.CimdSettings;
import org.junit.jupiter.api.Test;
import org.keycloak.provider.ProviderConfigProperty;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CimdSettingsPageFactoryTest {

    private final CimdSettingsPageFactory factory = new CimdSettingsPageFactory();

    @Test
    void theListColumnNamesTheHostsInWords() {
        assertThat(CimdSettingsPageFactory.hostsInWords(true, false, List.of("mcp.example.com", "*.tools.example"),
                List.of())).isEqualTo("On: mcp.example.com, *.tools.example");
        assertThat(CimdSettingsPageFactory.hostsInWords(false, true, List.of(), List.of("bad.example")))
                .isEqualTo("Off: any public host except bad.example");
        assertThat(CimdSettingsPageFactory.hostsInWords(true, false, List.of(), List.of()))
                .isEqualTo("On: no host allowed yet");
    }

    /** The console looks each list column up among the properties (and fails without it). */
    @Test
    void everyListColumnIsAPropertyAndEveryFieldHasLabelAndHelp() {
        @SuppressWarnings("unchecked")
        List<String> columns = (List<String>) factory.getTypeMetadata().get("displayFields");
        List<String> names = factory.getConfigProperties().stream().map(ProviderConfigProperty::getName).toList();
        assertThat(names).containsAll(columns);
        for (ProviderConfigProperty p : factory.getConfigProperties()) {
            assertThat(p.getLabel()).as(p.getName()).isNotBlank();
            assertThat(p.getHelpText()).as(p.getName()).isNotBlank();
        }
        assertThat(names).contains(CimdSettings.CONNECT_TIMEOUT);
    }
}
