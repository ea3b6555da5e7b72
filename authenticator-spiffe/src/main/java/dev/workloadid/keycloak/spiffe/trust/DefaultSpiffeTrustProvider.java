package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import io.spiffe.spiffeid.TrustDomain;
import org.jboss.logging.Logger;
import org.keycloak.models.RealmModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads trust domains from the realm's components (cached by Keycloak's realm cache). */
final class DefaultSpiffeTrustProvider implements SpiffeTrustProvider {

    private static final Logger LOG = Logger.getLogger(DefaultSpiffeTrustProvider.class);

    private final BundleRegistry registry;
    private final java.util.Map<String, Parsed> parsed;

    /** A component's settings, parsed once per config version on this node (read on every token request). */
    record Parsed(java.util.Map<String, java.util.List<String>> config, TrustDomainSettings settings) {
    }

    DefaultSpiffeTrustProvider(BundleRegistry registry, java.util.Map<String, Parsed> parsed) {
        this.registry = registry;
        this.parsed = parsed;
    }

    @Override
    public List<TrustDomainSettings> trustDomains(RealmModel realm) {
        List<TrustDomainSettings> result = new ArrayList<>();
        TrustDomainPageFactory.components(realm).forEach(component -> {
            try {
                Parsed cached = parsed.get(component.getId());
                if (cached == null || !cached.config().equals(component.getConfig())) {
                    cached = new Parsed(new java.util.HashMap<>(component.getConfig()),
                            TrustDomainSettings.from(component.getId(), component.getConfig()));
                    parsed.put(component.getId(), cached);
                }
                result.add(cached.settings());
            } catch (IllegalArgumentException e) {
                // Stored before validation existed or edited around it: skip, and say so.
                LOG.warnf("Realm %s: ignoring invalid SPIFFE trust domain '%s': %s", realm.getName(),
                        component.getName(), e.getMessage());
            }
        });
        return result;
    }

    @Override
    public Optional<TrustDomainSettings> trustDomain(RealmModel realm, TrustDomain trustDomain) {
        return trustDomains(realm).stream().filter(s -> s.trustDomain().equals(trustDomain)).findFirst();
    }

    @Override
    public SpiffeBundle bundle(RealmModel realm, TrustDomainSettings settings) throws BundleUnavailableException {
        return registry.bundle(realm.getId(), settings);
    }

    @Override
    public boolean refreshEarly(RealmModel realm, TrustDomainSettings settings) {
        return registry.refreshEarly(realm.getId(), settings);
    }

    @Override
    public void close() {
    }
}
