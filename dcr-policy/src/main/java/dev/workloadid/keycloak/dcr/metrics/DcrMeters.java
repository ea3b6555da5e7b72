package dev.workloadid.keycloak.dcr.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.workloadid.keycloak.common.metrics.PackMeters;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import jakarta.ws.rs.core.Response;
import org.keycloak.representations.idm.OAuth2ErrorRepresentation;

import java.util.Map;
import java.util.Set;

/**
 * The registration endpoint's meter (see docs/metrics.md): {@code wi_dcr_registrations_total} with
 * labels {@code realm}, {@code operation} (create, read, update, delete), {@code outcome} (success,
 * refused) and {@code error} (the OAuth error code of a refusal, from a fixed set).
 */
public final class DcrMeters {

    private static final Map<String, String> OPERATIONS = Map.of("POST", "create", "GET", "read", "PUT", "update",
            "DELETE", "delete");
    private static final Set<String> ERRORS = Set.of(DcrError.INVALID_CLIENT_METADATA, DcrError.INVALID_REDIRECT_URI,
            DcrError.INVALID_SOFTWARE_STATEMENT, DcrError.UNAPPROVED_SOFTWARE_STATEMENT, "invalid_token",
            "insufficient_scope", "invalid_request", "invalid_client", "access_denied", "not_found");

    private DcrMeters() {
    }

    /** One request to the pack's registration endpoint and the response it got. */
    public static void request(String realm, String httpMethod, Response response) {
        boolean success = response.getStatus() < 400;
        PackMeters.count("dcr.registrations", "Requests to the pack's client registration endpoint (RFC 7591/7592)",
                "realm", realm, "operation", OPERATIONS.getOrDefault(httpMethod, PackMeters.OTHER),
                "outcome", success ? "success" : "refused",
                "error", success ? "none" : PackMeters.bounded(errorCode(response), ERRORS));
    }

    private static String errorCode(Response response) {
        Object entity = response.hasEntity() ? response.getEntity() : null;
        if (entity instanceof JsonNode json) {
            return json.path("error").asText(null);
        }
        if (entity instanceof OAuth2ErrorRepresentation oauth) {
            return oauth.getError();
        }
        return response.getStatus() == 404 ? "not_found" : null;
    }
}
