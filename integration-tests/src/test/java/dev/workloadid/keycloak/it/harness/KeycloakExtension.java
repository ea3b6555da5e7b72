package dev.workloadid.keycloak.it.harness;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives test classes the one Keycloak of this test run (started on first use, stopped when the run
 * ends) and an {@link AdminClient}. Use with {@code @ExtendWith(KeycloakExtension.class)} and take
 * {@link KeycloakServer} or {@link AdminClient} as a parameter. On a failed test the end of the
 * Keycloak log is printed.
 */
public final class KeycloakExtension implements BeforeAllCallback, ParameterResolver, TestWatcher {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KeycloakExtension.class);

    /** Holder stored in the root context: JUnit closes it once, after the last test class. */
    private record Running(KeycloakServer server, AdminClient admin) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        running(context);
    }

    private static Running running(ExtensionContext context) {
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(Running.class, key -> {
            KeycloakServer server = KeycloakServers.start(HarnessConfig.fromSystemProperties());
            System.out.println("[harness] Keycloak (" + server.backendName() + ") at " + server.baseUrl());
            return new Running(server, new AdminClient(server));
        }, Running.class);
    }

    public static KeycloakServer server(ExtensionContext context) {
        return running(context).server();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        Class<?> type = parameter.getParameter().getType();
        return type == KeycloakServer.class || type == AdminClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
        Running running = running(extension);
        return parameter.getParameter().getType() == KeycloakServer.class ? running.server() : running.admin();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Running running = context.getRoot().getStore(NS).get(Running.class, Running.class);
        if (running != null) {
            System.out.println("[harness] " + context.getDisplayName() + " failed; end of the Keycloak log:\n"
                    + running.server().logTail(60));
        }
    }
}
