package dev.workloadid.keycloak.cimd.keycloak;

import dev.workloadid.keycloak.cimd.settings.CimdSettings;
import dev.workloadid.keycloak.common.keycloak.RealmSettingsPageFactory;
import org.jboss.logging.Logger;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.RealmModel;

import java.util.Optional;

/**
 * Where a realm keeps its URL client_id settings: the entry of the admin page
 * {@link CimdSettingsPageFactory}, a realm component, read here into {@link CimdSettings}.
 */
final class CimdRealmSettings {

    private static final Logger LOG = Logger.getLogger(CimdRealmSettings.class);

    private CimdRealmSettings() {
    }

    /** The realm's settings component (the first one, if an admin made several). */
    static Optional<ComponentModel> component(RealmModel realm) {
        return RealmSettingsPageFactory.entries(realm, CimdSettingsPageFactory.ID).findFirst();
    }

    /** The realm's settings if URL client_ids are switched on there, else empty. */
    static Optional<CimdSettings> enabled(RealmModel realm) {
        return component(realm).map(c -> {
            try {
                return CimdSettings.from(c.getConfig());
            } catch (IllegalArgumentException e) {
                LOG.warnf("Realm %s: invalid CIMD settings (%s); URL client_ids are off", realm.getName(), e.getMessage());
                return null;
            }
        }).filter(CimdSettings::enabled);
    }
}
