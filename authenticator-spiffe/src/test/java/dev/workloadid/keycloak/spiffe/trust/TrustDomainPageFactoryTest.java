package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.spiffe.testing.FakeRealm;
import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustDomainPageFactoryTest {

    private final TrustDomainPageFactory factory = new TrustDomainPageFactory();

    private static ComponentModel entry(FakeRealm realm, String componentId, String trustDomain, String... more) {
        ComponentModel c = realm.addComponent(componentId, TrustDomainPageFactory.PROVIDER_TYPE, TrustDomainPageFactory.ID,
                TrustDomainSettings.TRUST_DOMAIN, trustDomain,
                TrustDomainSettings.BUNDLE_ENDPOINT_URL, "https://bundle.example.org/");
        for (int i = 0; i < more.length; i += 2) {
            c.put(more[i], more[i + 1]);
        }
        return c;
    }

    /** A new entry as admin REST hands it to validateConfiguration: not yet in the realm, no id. */
    private static ComponentModel unsaved(FakeRealm realm, String trustDomain, String... more) {
        ComponentModel c = entry(realm, null, trustDomain, more);
        realm.components.remove(c);
        return c;
    }

    @Test
    void bnd07_aDuplicateIsRefusedHoweverItIsSpelled() {
        FakeRealm realm = new FakeRealm("r1");
        entry(realm, "c-existing", "example.org");

        for (String spelling : new String[] {"example.org", "spiffe://example.org", "Example.ORG", " spiffe://EXAMPLE.org "}) {
            assertThatThrownBy(() -> factory.validateConfiguration(null, realm.model(), unsaved(realm, spelling)))
                    .as(spelling).isInstanceOf(ComponentValidationException.class)
                    .hasMessageContaining("trust domain example.org is already configured");
        }
    }

    @Test
    void bnd07_anExistingEntrySpelledWithTheSchemeStillCounts() {
        FakeRealm realm = new FakeRealm("r1");
        entry(realm, "c-existing", "spiffe://example.org");

        assertThatThrownBy(() -> factory.validateConfiguration(null, realm.model(), unsaved(realm, "example.org")))
                .isInstanceOf(ComponentValidationException.class);
    }

    @Test
    void bnd07_savingAnEntryAgainIsNotADuplicateOfItself() {
        FakeRealm realm = new FakeRealm("r1");
        ComponentModel existing = entry(realm, "c-existing", "example.org");
        entry(realm, "c-broken", "not a trust domain!");

        assertThatCode(() -> factory.validateConfiguration(null, realm.model(), existing)).doesNotThrowAnyException();
    }

    @Test
    void settingsTheRuntimeWouldRefuseAreRefusedOnSave() {
        FakeRealm realm = new FakeRealm("r1");
        assertThatThrownBy(() -> factory.validateConfiguration(null, realm.model(),
                unsaved(realm, "example.org", TrustDomainSettings.CLOCK_SKEW, "301")))
                .isInstanceOf(ComponentValidationException.class).hasMessageContaining("clockSkewSeconds");
        assertThatThrownBy(() -> factory.validateConfiguration(null, realm.model(),
                unsaved(realm, "example.org", TrustDomainSettings.MAX_STALENESS, "9999999999999")))
                .isInstanceOf(ComponentValidationException.class).hasMessageContaining("maxStalenessSeconds");
    }

    @Test
    void errorsNameTheLabelOnScreenAndTheConsoleEntryGetsAName() {
        FakeRealm realm = new FakeRealm("r1");
        ComponentValidationException e = org.assertj.core.api.Assertions.catchThrowableOfType(ComponentValidationException.class,
                () -> factory.validateConfiguration(null, realm.model(),
                        unsaved(realm, "example.org", TrustDomainSettings.MAX_SVID_LIFETIME, "6O")));
        org.assertj.core.api.Assertions.assertThat(java.text.MessageFormat.format(e.getMessage(), e.getParameters()))
                .isEqualTo("\u201cMaximum JWT-SVID lifetime (s)\u201d must be a whole number, not \u201c6O\u201d");
        e = org.assertj.core.api.Assertions.catchThrowableOfType(ComponentValidationException.class,
                () -> factory.validateConfiguration(null, realm.model(),
                        unsaved(realm, "example.org", TrustDomainSettings.MAX_SVID_LIFETIME, "999999")));
        org.assertj.core.api.Assertions.assertThat(java.text.MessageFormat.format(e.getMessage(), e.getParameters()))
                .startsWith("\u201cMaximum JWT-SVID lifetime (s)\u201d (maxSvidLifetimeSeconds) must be between 1 and 86400");

        ComponentModel fromConsole = unsaved(realm, "Example.org", TrustDomainSettings.BUNDLE_SOURCE, "SPIFFE bundle endpoint");
        factory.validateConfiguration(null, realm.model(), fromConsole);
        org.assertj.core.api.Assertions.assertThat(fromConsole.getName()).isEqualTo("example.org");
        org.assertj.core.api.Assertions.assertThat(TrustDomainSettings.from(null, fromConsole.getConfig()).bundleSource())
                .isEqualTo(TrustDomainSettings.BundleSourceType.HTTPS_WEB);
    }
}
