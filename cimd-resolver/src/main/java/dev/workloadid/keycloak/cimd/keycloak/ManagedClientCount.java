package dev.workloadid.keycloak.cimd.keycloak;

import org.jboss.logging.Logger;
import org.keycloak.models.ModelException;

import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Counts a realm's document clients for {@code maxDocumentClients}, up to the cap and no further.
 *
 * <p>Cheap when the server lets clients be searched by the {@code cimd.managed} attribute
 * ({@code spi-client--jpa--searchable-attributes=cimd.managed}): one query on Keycloak's
 * (name, value) index of client attributes, reading at most the cap's number of ids. Keycloak's JPA
 * store refuses searches by attributes that are not listed ({@link ModelException}); then the count
 * reads the realm's clients (what the refresh task does anyway on every tick), which costs one
 * pass over the realm's clients per refused or created new URL. Which of the two works is learnt on
 * the first count on a node and remembered: the option is server-wide.
 *
 * <p>Holds no count: every call asks the database, so all nodes of a cluster see the same number.
 */
final class ManagedClientCount {

    private static final Logger LOG = Logger.getLogger(ManagedClientCount.class);
    private volatile boolean searchable = true;

    /**
     * @param indexed the clients found by attribute search, or a {@link ModelException} when the
     *                attribute is not searchable on this server
     * @param scan    every client of the realm that is document-managed
     */
    long count(Supplier<Stream<?>> indexed, Supplier<Stream<?>> scan, int limit) {
        if (searchable) {
            try (Stream<?> found = indexed.get()) {
                return found.limit(limit).count();
            } catch (ModelException e) {
                searchable = false;
                LOG.infof("CIMD: counting document clients reads the realm's clients; for an indexed count add %s to "
                        + "the server option spi-client--jpa--searchable-attributes (%s)", DocumentClients.MANAGED, e.getMessage());
            }
        }
        try (Stream<?> all = scan.get()) {
            return all.limit(limit).count();
        }
    }

    boolean searchable() {
        return searchable;
    }
}
