package dev.workloadid.keycloak.dcr;

import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.component.ComponentModel;

/** Components as admin REST hands them to a factory's validateConfiguration. */
public final class ComponentModels {

    private ComponentModels() {
    }

    /** A component whose config holds the given key, value pairs (a key may repeat). */
    public static ComponentModel model(String... keyValues) {
        ComponentModel model = new ComponentModel();
        model.setConfig(new MultivaluedHashMap<>());
        for (int i = 0; i < keyValues.length; i += 2) {
            model.getConfig().add(keyValues[i], keyValues[i + 1]);
        }
        return model;
    }
}
