package dev.workloadid.keycloak.common.keycloak;

import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelException;
import org.keycloak.models.RealmModel;

import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Counts a realm's clients whose attribute has a value, up to a limit and no further (for caps such
 * as CIMD's {@code maxDocumentClients}).
 *
 * <p>Cheap when the server lets clients be searched by that attribute
 * ({@code spi-client--jpa--searchable-attributes=<name>}): one query on Keycloak's (name, value)
 * index of client attributes, reading at most {@code limit} ids. Keycloak's JPA store refuses
 * searches by attributes that are not listed ({@link ModelException}); then the count reads the
 * realm's clients, one pass per count. Which of the two works is learnt on the first count and
 * remembered by this instance (the option is server-wide), so keep one instance per provider factory.
 *
 * <p>Holds no count: every call asks the database, so all nodes of a cluster see the same number.
 */
public final class ClientAttributeCount {

    private static final Logger LOG = Logger.getLogger(ClientAttributeCount.class);
    private final String attribute;
    private final Predicate<ClientModel> counts;
    private volatile boolean searchable = true;

    public ClientAttributeCount(String attribute) {
        this(attribute, null);
    }

    /**
     * @param counts which of the clients with the attribute count (e.g. only those the pack made, so a
     *               client someone else gave the attribute cannot fill a cap); null: all of them
     */
    public ClientAttributeCount(String attribute, Predicate<ClientModel> counts) {
        this.attribute = Objects.requireNonNull(attribute, "attribute");
        this.counts = counts;
    }

    /** Clients of {@code realm} whose attribute equals {@code value}, counted up to {@code limit}. */
    public long count(KeycloakSession session, RealmModel realm, String value, int limit) {
        // With a filter the query cannot stop at limit rows: rows that do not count must not hide ones that do.
        Integer max = counts == null ? Integer.valueOf(limit) : null;
        Predicate<ClientModel> filter = counts == null ? c -> true : counts;
        return count(() -> session.clients().searchClientsByAttributes(realm, Map.of(attribute, value), 0, max).filter(filter),
                () -> session.clients().getClientsStream(realm).filter(c -> value.equals(attributeOf(c))).filter(filter),
                limit);
    }

    private String attributeOf(ClientModel client) {
        return client.getAttribute(attribute);
    }

    /**
     * @param indexed the clients found by attribute search, or a {@link ModelException} when the
     *                attribute is not searchable on this server
     * @param scan    the matching clients, found by reading all of the realm's
     */
    long count(Supplier<Stream<?>> indexed, Supplier<Stream<?>> scan, int limit) {
        if (searchable) {
            try (Stream<?> found = indexed.get()) {
                return found.limit(limit).count();
            } catch (ModelException e) {
                searchable = false;
                LOG.infof("Counting clients by attribute %s reads the realm's clients; for an indexed count add %s to "
                        + "the server option spi-client--jpa--searchable-attributes (%s)", attribute, attribute, e.getMessage());
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
