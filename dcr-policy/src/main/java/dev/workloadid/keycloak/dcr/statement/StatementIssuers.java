package dev.workloadid.keycloak.dcr.statement;

import dev.workloadid.keycloak.common.keycloak.RealmSettingsPageFactory;
import org.keycloak.models.RealmModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a realm keeps the software statement issuers it trusts: the entries of the admin page
 * {@link StatementIssuerPageFactory}, realm components, read here into {@link StatementIssuer}s.
 */
public final class StatementIssuers {

    private StatementIssuers() {
    }

    /** The realm's trusted issuers; entries that fail to parse are skipped (validation refuses them on save). */
    public static List<StatementIssuer> of(RealmModel realm) {
        List<StatementIssuer> out = new ArrayList<>();
        RealmSettingsPageFactory.entries(realm, StatementIssuerPageFactory.ID).forEach(c -> {
            try {
                out.add(StatementIssuer.from(c.getConfig()));
            } catch (IllegalArgumentException ignored) {
                // refused by validateConfiguration; an imported broken entry trusts nothing
            }
        });
        return out;
    }
}
