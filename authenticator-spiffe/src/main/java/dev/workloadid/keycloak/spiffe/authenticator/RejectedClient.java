package dev.workloadid.keycloak.spiffe.authenticator;

import org.keycloak.models.ClientModel;

import java.lang.reflect.Proxy;

/**
 * A stand-in client that exists only so Keycloak's client-authentication flow reports OUR rejection.
 *
 * <p>Why: {@code ClientAuthenticationFlow} looks at an authenticator's result only when the flow
 * holds a client whose authenticator type is that authenticator. A JWT-SVID rejected before any
 * client is known (bad signature, unknown trust domain, no association) would otherwise end in the
 * flow's generic "Invalid client or Invalid client credentials", or in another authenticator's
 * unrelated "Missing client_id parameter". The stand-in is never persisted, never returned to the
 * endpoint (a failed flow returns our error response), and answers only identity questions.
 */
final class RejectedClient {

    private RejectedClient() {
    }

    static ClientModel of(String authenticatorType, String clientIdForEvents) {
        return (ClientModel) Proxy.newProxyInstance(ClientModel.class.getClassLoader(), new Class<?>[] {ClientModel.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getClientAuthenticatorType" -> authenticatorType;
                    case "getClientId", "getName" -> clientIdForEvents;
                    case "getId" -> "spiffe-rejected";
                    case "isPublicClient", "isEnabled", "isBearerOnly", "isServiceAccountsEnabled" -> false;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "RejectedClient[" + clientIdForEvents + "]";
                    default -> defaultValue(method.getReturnType());
                });
    }

    private static Object defaultValue(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return Integer.valueOf(0);
        }
        if (type == long.class) {
            return Long.valueOf(0);
        }
        if (type == java.util.stream.Stream.class) {
            return java.util.stream.Stream.empty();
        }
        if (type == java.util.Map.class) {
            return java.util.Map.of();
        }
        if (type == java.util.Set.class) {
            return java.util.Set.of();
        }
        return null;
    }
}
