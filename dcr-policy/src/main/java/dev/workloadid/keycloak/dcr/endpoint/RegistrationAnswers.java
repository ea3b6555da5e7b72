package dev.workloadid.keycloak.dcr.endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.util.JsonSerialization;

import java.util.function.Supplier;

/**
 * How the endpoint answers what went wrong: RFC 7591 error codes with HTTP 400 (401 for a bad token,
 * 429 for a rate limit), the transaction rolled back, the refusal in the event log, never a 5xx.
 * Keycloak's own registration code refuses with its exceptions; a pack policy's refusal, whose type
 * Keycloak loses on the way, is found where the policy recorded it.
 */
final class RegistrationAnswers {

    private static final Logger LOG = Logger.getLogger(RegistrationAnswers.class);

    private final KeycloakSession session;
    private final EventBuilder event;

    RegistrationAnswers(KeycloakSession session, EventBuilder event) {
        this.session = session;
        this.event = event;
    }

    /** The action's response, or the refusal it ended in: never a 5xx. */
    Response answer(Supplier<Response> action) {
        try {
            return action.get();
        } catch (DcrError e) {
            recordRefusal(e);
            return refuse(e);
        } catch (ErrorResponseException e) {
            Object recorded = session.getAttribute(RegistrationRequest.ERROR_ATTRIBUTE);
            if (recorded instanceof DcrError error) {
                return refuse(error);
            }
            rollback();
            String description = e.getErrorDescription();
            if (description != null && description.contains("rejected request to client-registration service")) {
                // Keycloak's own registration policies answer 403 insufficient_scope; RFC 7591 says 400.
                return error(400, DcrError.INVALID_CLIENT_METADATA, description);
            }
            Response r = e.getResponse();
            return r.getStatus() >= 500 ? error(400, DcrError.INVALID_CLIENT_METADATA, description) : r;
        } catch (WebApplicationException e) {
            rollback();
            Response r = e.getResponse();
            return r.getStatus() >= 500 ? error(400, DcrError.INVALID_CLIENT_METADATA, "the request could not be processed") : r;
        } catch (RuntimeException e) {
            LOG.warn("DCR request refused after an unexpected error", e);
            rollback();
            return error(400, DcrError.INVALID_CLIENT_METADATA, "the registration request could not be processed");
        }
    }

    /** A refusal before Keycloak's own registration code ran (which records its own): into the event log, with the detail. */
    private void recordRefusal(DcrError e) {
        if (event != null) {
            if (event.getEvent().getType() == null) {
                event.event(EventType.CLIENT_REGISTER);
            }
            event.detail(Details.REASON, e.detail()).error(e.code());
        }
    }

    private Response refuse(DcrError e) {
        rollback();
        return "invalid_token".equals(e.code())
                ? Response.fromResponse(error(401, e.code(), e.description()))
                        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"").build()
                : error(e.status(), e.code(), e.description());
    }

    private static Response error(int status, String code, String description) {
        ObjectNode body = JsonSerialization.mapper.createObjectNode().put("error", code);
        if (description != null) {
            body.put("error_description", description);
        }
        return Response.status(status).entity(body).type(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store").build();
    }

    private void rollback() {
        if (session.getTransactionManager().isActive()) {
            session.getTransactionManager().setRollbackOnly();
        }
    }
}
