package dev.workloadid.keycloak.spiffe.trust;

import org.keycloak.component.ComponentModel;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ui.extend.UiPageProvider;

import java.util.stream.Stream;

/**
 * Where a realm keeps its SPIFFE trust domains: one realm component each, of the admin console page
 * {@link TrustDomainPageFactory} provides, so admin REST, realm files and every node see one list.
 */
final class TrustDomainComponents {

    /** The components' providerId: the admin page's id. */
    static final String PROVIDER_ID = "spiffe-trust-domain";
    /** The components' providerType. */
    static final String PROVIDER_TYPE = UiPageProvider.class.getName();

    private TrustDomainComponents() {
    }

    /** The realm's trust-domain components. */
    static Stream<ComponentModel> in(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), PROVIDER_TYPE).filter(c -> PROVIDER_ID.equals(c.getProviderId()));
    }
}
