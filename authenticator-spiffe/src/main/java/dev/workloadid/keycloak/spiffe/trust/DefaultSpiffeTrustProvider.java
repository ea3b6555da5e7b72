package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import io.spiffe.spiffeid.TrustDomain;
import org.jboss.logging.Logger;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.RealmModel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads trust domains from the realm's components (cached by Keycloak's realm cache). */
final class DefaultSpiffeTrustProvider implements SpiffeTrustProvider {

    private static final Logger LOG = Logger.getLogger(DefaultSpiffeTrustProvider.class);

    private final BundleRegistry registry;
    private final java.util.Map<String, Parsed> parsed;
    /** Conflicts already logged at WARN on this node, so a misconfigured realm does not flood the log. */
    private final Set<String> warnedConflicts;

    /** A component's settings, parsed once per config version on this node (read on every token request). */
    record Parsed(java.util.Map<String, java.util.List<String>> config, TrustDomainSettings settings) {
    }

    DefaultSpiffeTrustProvider(BundleRegistry registry, java.util.Map<String, Parsed> parsed, Set<String> warnedConflicts) {
        this.registry = registry;
        this.parsed = parsed;
        this.warnedConflicts = warnedConflicts;
    }

    @Override
    public List<TrustDomainSettings> trustDomains(RealmModel realm) {
        List<TrustDomainSettings> result = new ArrayList<>();
        TrustDomainComponents.in(realm).sorted(Comparator.comparing(ComponentModel::getId)).forEach(component -> {
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
    public Optional<TrustDomainSettings> trustDomain(RealmModel realm, TrustDomain trustDomain)
            throws TrustDomainConflictException {
        List<TrustDomainSettings> matches = trustDomains(realm).stream()
                .filter(s -> s.trustDomain().equals(trustDomain)).toList();
        if (matches.size() > 1) {
            // BND-07: picking one would depend on read order, and so could differ between nodes.
            List<String> ids = matches.stream().map(TrustDomainSettings::id).sorted().toList();
            String message = "Realm %s: SPIFFE trust domain %s is configured by several entries (components %s); "
                    + "its SVIDs are refused until all but one are removed";
            if (warnedConflicts.add(realm.getId() + '|' + trustDomain.getName() + '|' + ids)) {
                LOG.warnf(message, realm.getName(), trustDomain.getName(), ids);
            } else {
                LOG.debugf(message, realm.getName(), trustDomain.getName(), ids);
            }
            throw new TrustDomainConflictException(trustDomain, ids);
        }
        return matches.stream().findFirst();
    }

    @Override
    public SpiffeBundle bundle(RealmModel realm, TrustDomainSettings settings) throws BundleUnavailableException {
        return registry.bundle(realm.getId(), realm.getName(), settings);
    }

    @Override
    public boolean refreshEarly(RealmModel realm, TrustDomainSettings settings) {
        return registry.refreshEarly(realm.getId(), settings);
    }

    @Override
    public void close() {
    }
}
