package dev.workloadid.keycloak.it.harness;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.Optional;
import java.util.function.Supplier;

/** What test classes that start their own Keycloak processes share: skips that say why, logs when a test fails. */
public final class ClassSetup {

    private ClassSetup() {
    }

    /** A skip in @BeforeAll shows in the reports as no tests at all, so the reason goes to the output too. */
    public static void assume(Class<?> test, boolean condition, String reason) {
        if (!condition) {
            System.out.println("[harness] " + test.getSimpleName() + " skipped: " + reason);
        }
        Assumptions.assumeTrue(condition, reason);
    }

    /** Skips {@code test} unless it may start a two-node cluster: dist backend and PostgreSQL on 127.0.0.1:5432. */
    public static void assumeCluster(Class<?> test, HarnessConfig config) {
        assume(test, config.dedicatedDistAllowed(), "the two-node cluster needs the dist backend");
        Optional<String> unavailable = PostgresDatabase.unavailableReason();
        assume(test, unavailable.isEmpty(), "PostgreSQL is not reachable at " + PostgresDatabase.SERVER
                + " (" + unavailable.orElse("") + "), which the two-node cluster needs");
    }

    /** Prints the end of the logs {@code tails} gives (null: nothing started yet) when a test fails. */
    public static TestWatcher logsOnFailure(Supplier<String> tails) {
        return new TestWatcher() {
            @Override
            public void testFailed(ExtensionContext context, Throwable cause) {
                String text = tails.get();
                if (text != null) {
                    System.out.println("[harness] " + context.getDisplayName() + " failed; end of the logs:\n" + text);
                }
            }
        };
    }
}
