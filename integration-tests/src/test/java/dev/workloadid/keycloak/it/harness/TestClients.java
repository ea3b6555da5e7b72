package dev.workloadid.keycloak.it.harness;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Client representations the tests create again and again. */
public final class TestClients {

    private TestClients() {
    }

    /** A confidential, service-account-only client using the given client authenticator. */
    public static ObjectNode serviceClient(String clientId, String authenticator) {
        return Http.JSON.createObjectNode().put("clientId", clientId).put("publicClient", false)
                .put("clientAuthenticatorType", authenticator).put("serviceAccountsEnabled", true)
                .put("standardFlowEnabled", false);
    }

    /** A stock client_secret client. */
    public static ObjectNode secretClient(String clientId, String secret) {
        return serviceClient(clientId, "client-secret").put("secret", secret);
    }
}
