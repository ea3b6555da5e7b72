package dev.workloadid.keycloak.it.harness;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A fresh, empty PostgreSQL database on the local server (127.0.0.1:5432, user {@code postgres},
 * trust authentication, as on the CI machine), created for one test class and dropped when it is
 * closed. Keycloak nodes get its {@link #jdbcUrl()}; a test may hold locks in it ({@link #connect()})
 * to make the nodes meet at a chosen point, and see who waits ({@link #waitingOn}).
 */
public final class PostgresDatabase implements AutoCloseable {

    public static final String SERVER = "127.0.0.1:5432";
    public static final String USER = "postgres";
    private static final String MAINTENANCE_URL = "jdbc:postgresql://" + SERVER + "/postgres";

    private final String name;

    private PostgresDatabase(String name) {
        this.name = name;
    }

    /** Why the server cannot be used, or empty when a connection succeeds. */
    public static Optional<String> unavailableReason() {
        try (Connection ignored = maintenance()) {
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Creates a database with a random name starting with {@code prefix} (lower case letters, digits, _). */
    public static PostgresDatabase create(String prefix) {
        String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE DATABASE " + name);
        return new PostgresDatabase(name);
    }

    public String name() {
        return name;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + SERVER + "/" + name;
    }

    /** A new connection to this database. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), properties());
    }

    /**
     * The {@code application_name} of every session now waiting for a lock on {@code table} (Keycloak
     * nodes of a {@link KeycloakCluster} connect under their node name).
     */
    public Set<String> waitingOn(String table) {
        Set<String> names = new TreeSet<>();
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                "SELECT DISTINCT a.application_name FROM pg_locks l JOIN pg_class t ON t.oid = l.relation"
                        + " JOIN pg_stat_activity a ON a.pid = l.pid WHERE t.relname = ? AND NOT l.granted")) {
            s.setString(1, table);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the lock waits on " + table + ": " + e.getMessage(), e);
        }
        return names;
    }

    /** Drops the database, closing whatever connections are still open on it. */
    @Override
    public void close() {
        execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void execute(String sql) {
        try (Connection c = maintenance(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed on " + SERVER + ": " + e.getMessage(), e);
        }
    }

    private static Connection maintenance() throws SQLException {
        return DriverManager.getConnection(MAINTENANCE_URL, properties());
    }

    private static Properties properties() {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "60");
        return props;
    }
}
