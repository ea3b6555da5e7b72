package dev.workloadid.keycloak.it.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A dedicated Keycloak for a scale benchmark, on a fresh PostgreSQL database of its own when the
 * machine's PostgreSQL answers (what production runs: Keycloak's attribute indexes exist there, not on
 * the embedded H2 database), else on the embedded database. Both are closed together.
 */
public final class BenchmarkServer implements AutoCloseable {

    private final KeycloakServer server;
    private final Optional<PostgresDatabase> database;

    private BenchmarkServer(KeycloakServer server, Optional<PostgresDatabase> database) {
        this.server = server;
        this.database = database;
    }

    /**
     * @param name      names the copy of the distribution and its log
     * @param extraArgs server options besides the test defaults (an option given here replaces its default)
     */
    public static BenchmarkServer start(HarnessConfig config, String name, List<String> extraArgs) {
        Optional<PostgresDatabase> database = PostgresDatabase.unavailableReason().isEmpty()
                ? Optional.of(PostgresDatabase.create("wi_bench_" + name.replace('-', '_'))) : Optional.empty();
        List<String> args = new ArrayList<>(extraArgs);
        database.ifPresent(db -> args.addAll(List.of("--db=postgres", "--db-url=" + db.jdbcUrl(),
                "--db-username=" + PostgresDatabase.USER)));
        try {
            return new BenchmarkServer(KeycloakServers.startDedicatedDist(config, name, args), database);
        } catch (RuntimeException e) {
            database.ifPresent(PostgresDatabase::close);
            throw e;
        }
    }

    public KeycloakServer server() {
        return server;
    }

    public Optional<PostgresDatabase> database() {
        return database;
    }

    /** "PostgreSQL (127.0.0.1:5432)" or "embedded H2 (dev-file)", for reports. */
    public String databaseName() {
        return database.isPresent() ? "PostgreSQL (" + PostgresDatabase.SERVER + ")" : "embedded H2 (dev-file)";
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            database.ifPresent(PostgresDatabase::close);
        }
    }
}
