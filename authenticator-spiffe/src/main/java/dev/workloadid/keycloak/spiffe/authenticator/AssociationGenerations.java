package dev.workloadid.keycloak.spiffe.authenticator;

import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The realm's association generation (see {@link AssociationCache}), kept in Keycloak's
 * SingleUseObjectProvider: the store every node shares (Infinispan, or Keycloak's remote cache), so a
 * client change on one node makes every node's remembered associations stale. A replacement is written
 * in the change's transaction and visible once it commits.
 */
final class AssociationGenerations {

    private static final Logger LOG = Logger.getLogger(AssociationGenerations.class);
    private static final String KEY_PREFIX = "wi-spiffe-association-generation:";
    private static final String NOTE = "generation";
    /** What a realm whose generation was never replaced (or expired) has. */
    static final String INITIAL = "initial";
    /**
     * Far longer than {@link AssociationCache#MAX_LIFETIME}: when a replaced generation expires and
     * reads as {@link #INITIAL} again, every entry made under the old initial one has long expired.
     */
    static final Duration LIFESPAN = Duration.ofDays(7);

    private AssociationGenerations() {
    }

    /** The realm's current generation; null when the store cannot be read (then nothing is remembered). */
    static String read(KeycloakSession session, String realmId) {
        try {
            Map<String, String> notes = session.singleUseObjects().get(KEY_PREFIX + realmId);
            return notes == null ? INITIAL : notes.getOrDefault(NOTE, INITIAL);
        } catch (RuntimeException e) {
            LOG.debugf(e, "Could not read the SPIFFE association generation of realm %s", realmId);
            return null;
        }
    }

    /**
     * Gives the realm a new generation in the session's transaction, once per session and realm (a
     * realm import or a registration changes many clients in one transaction, and one replacement
     * at its commit is what every node needs).
     */
    static void replaceOnce(KeycloakSession session, String realmId) {
        String done = KEY_PREFIX + realmId;
        if (session.getAttribute(done) != null) {
            return;
        }
        session.setAttribute(done, Boolean.TRUE);
        try {
            session.singleUseObjects().put(KEY_PREFIX + realmId, LIFESPAN.toSeconds(),
                    Map.of(NOTE, UUID.randomUUID().toString()));
        } catch (RuntimeException e) {
            // The other nodes then see the change when their entries expire (association-cache-seconds).
            LOG.warnf(e, "Could not replace the SPIFFE association generation of realm %s", realmId);
        }
    }
}
