package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.spiffe.testing.FakeRealm;
import io.spiffe.spiffeid.TrustDomain;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefaultSpiffeTrustProviderTest {

    private static final TrustDomain EXAMPLE = TrustDomain.parse("example.org");

    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    /** One per node: each has its own parsed-settings cache. */
    private DefaultSpiffeTrustProvider node() {
        return new DefaultSpiffeTrustProvider(new BundleRegistry(s -> null, Clock.systemUTC()),
                new ConcurrentHashMap<>(), warned);
    }

    private static void entry(FakeRealm realm, String componentId, String trustDomain) {
        realm.addComponent(componentId, TrustDomainPageFactory.PROVIDER_TYPE, TrustDomainPageFactory.ID,
                TrustDomainSettings.TRUST_DOMAIN, trustDomain,
                TrustDomainSettings.BUNDLE_ENDPOINT_URL, "https://bundle." + componentId + ".test/");
    }

    @Test
    void findsTheOneEntryOfATrustDomain() throws Exception {
        FakeRealm realm = new FakeRealm("r1");
        entry(realm, "c-example", "example.org");
        entry(realm, "c-other", "other.org");

        assertThat(node().trustDomain(realm.model(), EXAMPLE)).get()
                .extracting(TrustDomainSettings::id).isEqualTo("c-example");
        assertThat(node().trustDomain(realm.model(), TrustDomain.parse("unknown.org"))).isEmpty();
    }

    @Test
    void bnd07_twoEntriesOfOneTrustDomainFailClosedWhateverTheirSpelling() {
        FakeRealm realm = new FakeRealm("r1");
        entry(realm, "c-b", "spiffe://Example.ORG");
        entry(realm, "c-a", "example.org");

        assertThatThrownBy(() -> node().trustDomain(realm.model(), EXAMPLE))
                .isInstanceOfSatisfying(TrustDomainConflictException.class, e -> {
                    assertThat(e.componentIds()).containsExactly("c-a", "c-b");
                    assertThat(e).hasMessageContaining("example.org").hasMessageContaining("more than once");
                });
    }

    @Test
    void bnd07_theOutcomeDoesNotDependOnTheOrderTheRealmListsEntries() {
        FakeRealm forward = new FakeRealm("r1");
        entry(forward, "c-a", "example.org");
        entry(forward, "c-b", "example.org");
        FakeRealm backward = new FakeRealm("r1");
        entry(backward, "c-b", "example.org");
        entry(backward, "c-a", "example.org");

        for (FakeRealm realm : new FakeRealm[] {forward, backward}) {
            assertThatThrownBy(() -> node().trustDomain(realm.model(), EXAMPLE))
                    .isInstanceOfSatisfying(TrustDomainConflictException.class,
                            e -> assertThat(e.componentIds()).containsExactly("c-a", "c-b"));
        }
        assertThat(node().trustDomains(backward.model())).extracting(TrustDomainSettings::id).containsExactly("c-a", "c-b");
    }

    @Test
    void bnd07_otherTrustDomainsOfTheRealmKeepWorking() throws Exception {
        FakeRealm realm = new FakeRealm("r1");
        entry(realm, "c-a", "example.org");
        entry(realm, "c-b", "example.org");
        entry(realm, "c-other", "other.org");

        assertThat(node().trustDomain(realm.model(), TrustDomain.parse("other.org"))).isPresent();
    }

    @Test
    void bnd07_removingTheDuplicateRestoresTheTrustDomain() throws Exception {
        FakeRealm realm = new FakeRealm("r1");
        entry(realm, "c-a", "example.org");
        entry(realm, "c-b", "example.org");
        DefaultSpiffeTrustProvider node = node();
        assertThatThrownBy(() -> node.trustDomain(realm.model(), EXAMPLE)).isInstanceOf(TrustDomainConflictException.class);

        realm.components.removeIf(c -> c.getId().equals("c-b"));
        assertThat(node.trustDomain(realm.model(), EXAMPLE)).get().extracting(TrustDomainSettings::id).isEqualTo("c-a");
    }
}
