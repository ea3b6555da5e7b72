package dev.workloadid.keycloak.dcr.endpoint;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.http.HttpRequest;
import org.keycloak.models.KeycloakContext;

import java.util.function.Supplier;

/**
 * Runs Keycloak's registration code with the request's Authorization header hidden. For a
 * SPIFFE-attested registration the bearer is a JWT-SVID the pack has already verified; Keycloak's
 * registration auth decodes any bearer it sees as one of its own tokens (package-private code the
 * pack cannot override) and would refuse it. Hidden only for the duration of the call.
 */
final class WithoutAuthorization {

    private WithoutAuthorization() {
    }

    static <T> T call(KeycloakContext context, Supplier<T> work) {
        HttpRequest original = context.getHttpRequest();
        context.setHttpRequest(Delegation.around(HttpRequest.class, original, (method, args) ->
                method.getName().equals("getHttpHeaders") && method.getParameterCount() == 0
                        ? headers(original.getHttpHeaders()) : Delegation.PASS));
        try {
            return work.get();
        } finally {
            context.setHttpRequest(original);
        }
    }

    private static HttpHeaders headers(HttpHeaders headers) {
        return Delegation.around(HttpHeaders.class, headers, (method, args) -> switch (method.getName()) {
            case "getRequestHeader", "getHeaderString" ->
                    HttpHeaders.AUTHORIZATION.equalsIgnoreCase((String) args[0]) ? null : Delegation.PASS;
            case "getRequestHeaders" -> {
                MultivaluedMap<String, String> copy = new MultivaluedHashMap<>();
                headers.getRequestHeaders().forEach((k, v) -> {
                    if (!HttpHeaders.AUTHORIZATION.equalsIgnoreCase(k)) {
                        copy.put(k, v);
                    }
                });
                yield copy;
            }
            default -> Delegation.PASS;
        });
    }
}
