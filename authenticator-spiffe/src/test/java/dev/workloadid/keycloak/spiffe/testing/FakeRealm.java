package dev.workloadid.keycloak.spiffe.testing;

import org.keycloak.component.ComponentModel;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.AuthenticationFlowModel;
import org.keycloak.models.RealmModel;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A {@link RealmModel} holding just components, authentication flows and executions in memory,
 * for unit tests of code that reads or edits those. Any other method fails loudly, so a test
 * notices when the code under test starts relying on more of the realm.
 */
public final class FakeRealm {

    public final String id;
    public final List<ComponentModel> components = new ArrayList<>();
    public final List<AuthenticationFlowModel> flows = new ArrayList<>();
    public final List<AuthenticationExecutionModel> executions = new ArrayList<>();
    public AuthenticationFlowModel clientFlow;

    public FakeRealm(String id) {
        this.id = id;
    }

    public RealmModel model() {
        return (RealmModel) Proxy.newProxyInstance(RealmModel.class.getClassLoader(), new Class<?>[] {RealmModel.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> id;
                    case "getName" -> "fake-" + id;
                    case "getClientAuthenticationFlow" -> clientFlow;
                    case "setClientAuthenticationFlow" -> {
                        clientFlow = (AuthenticationFlowModel) args[0];
                        yield null;
                    }
                    case "getAuthenticationExecutionsStream" ->
                            executions.stream().filter(e -> e.getParentFlow().equals(args[0])).toList().stream();
                    case "addAuthenticatorExecution" -> {
                        AuthenticationExecutionModel e = (AuthenticationExecutionModel) args[0];
                        e.setId(UUID.randomUUID().toString());
                        executions.add(e);
                        yield e;
                    }
                    case "getFlowByAlias" -> flows.stream().filter(f -> f.getAlias().equals(args[0])).findFirst().orElse(null);
                    case "getAuthenticationFlowById" -> flows.stream().filter(f -> f.getId().equals(args[0])).findFirst().orElse(null);
                    case "addAuthenticationFlow" -> addFlow((AuthenticationFlowModel) args[0]);
                    case "getComponentsStream" -> components.stream()
                            .filter(c -> args.length < 1 || Objects.equals(c.getParentId(), args[0]))
                            .filter(c -> args.length < 2 || Objects.equals(c.getProviderType(), args[1]))
                            .toList().stream();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "FakeRealm[" + id + "]";
                    default -> throw new UnsupportedOperationException("FakeRealm." + method.getName());
                });
    }

    public AuthenticationFlowModel addFlow(AuthenticationFlowModel flow) {
        if (flow.getId() == null) {
            flow.setId(UUID.randomUUID().toString());
        }
        flows.add(flow);
        return flow;
    }

    /** Binds a built-in "clients" flow holding {@code authenticators} (ALTERNATIVE, priorities 10, 20, ...). */
    public AuthenticationFlowModel builtInClientsFlow(String... authenticators) {
        AuthenticationFlowModel clients = new AuthenticationFlowModel();
        clients.setAlias("clients");
        clients.setBuiltIn(true);
        clients.setTopLevel(true);
        clients.setProviderId("client-flow");
        clientFlow = addFlow(clients);
        for (int i = 0; i < authenticators.length; i++) {
            AuthenticationExecutionModel e = new AuthenticationExecutionModel();
            e.setParentFlow(clients.getId());
            e.setAuthenticator(authenticators[i]);
            e.setRequirement(AuthenticationExecutionModel.Requirement.ALTERNATIVE);
            e.setPriority(10 * (i + 1));
            executions.add(e);
        }
        return clients;
    }

    /** A component of this realm with the given provider type and id, and single-valued config. */
    public ComponentModel addComponent(String componentId, String providerType, String providerId, String... keysAndValues) {
        ComponentModel c = new ComponentModel();
        c.setId(componentId);
        c.setName(componentId);
        c.setParentId(id);
        c.setProviderType(providerType);
        c.setProviderId(providerId);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            c.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        components.add(c);
        return c;
    }
}
