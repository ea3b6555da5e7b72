package dev.workloadid.keycloak.dcr.statement;

import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.provider.ProviderConfigProperty;

import java.text.MessageFormat;
import java.util.List;
import java.util.Map;

import static dev.workloadid.keycloak.dcr.ComponentModels.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class StatementIssuerPageFactoryTest {

    private final StatementIssuerPageFactory factory = new StatementIssuerPageFactory();


    @Test
    void keySourcesAreWordsInTheConsoleAndIdsInRealmFiles() {
        for (String source : List.of("JWKS URL", "jwks_uri")) {
            assertThat(StatementIssuer.from(Map.of("issuer", List.of("https://sw.example"), "keySource", List.of(source),
                    "jwksUri", List.of("https://sw.example/jwks.json"))).keySource()).isEqualTo(StatementIssuer.KeySource.JWKS_URI);
        }
        assertThat(StatementIssuer.from(Map.of("keySource", List.of("SPIFFE trust domain"), "trustDomain",
                List.of("example.org"))).keySource()).isEqualTo(StatementIssuer.KeySource.SPIFFE);
    }

    @Test
    void aConsoleEntryIsNamedAndListedByItsIssuer() {
        ComponentModel spiffe = model("keySource", "SPIFFE trust domain", "trustDomain", "example.org");
        factory.validateConfiguration(null, null, spiffe);
        assertThat(spiffe.getName()).isEqualTo("SPIFFE trust domain example.org");
        assertThat(spiffe.getConfig().getFirst(StatementIssuerPageFactory.NAME_COLUMN)).isEqualTo("SPIFFE trust domain example.org");
        ComponentModel jwks = model("issuer", "https://sw.example", "jwksUri", "https://sw.example/jwks.json");
        factory.validateConfiguration(null, null, jwks);
        assertThat(jwks.getName()).isEqualTo("https://sw.example");
    }

    @Test
    void errorsNameTheLabels() {
        ComponentValidationException e = catchThrowableOfType(ComponentValidationException.class,
                () -> factory.validateConfiguration(null, null, model("issuer", "https://sw.example", "jwksUri", "http://x")));
        assertThat(MessageFormat.format(e.getMessage(), e.getParameters())).startsWith("\u201cJWKS URL\u201d (jwksUri) must be");
    }

    @Test
    void everyListColumnIsAPropertyAndEveryFieldHasLabelAndHelp() {
        @SuppressWarnings("unchecked")
        List<String> columns = (List<String>) factory.getTypeMetadata().get("displayFields");
        assertThat(factory.getConfigProperties().stream().map(ProviderConfigProperty::getName).toList()).containsAll(columns);
        factory.getConfigProperties().forEach(p -> assertThat(p.getHelpText()).as(p.getName()).isNotBlank());
    }
}
