package dev.workloadid.keycloak.dcr.endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;
import org.keycloak.util.JsonSerialization;

import java.net.URI;

/** The endpoint's client information response: Keycloak's, plus what the pack keeps (DCR-12, DCR-13). */
final class ClientInformation {

    private ClientInformation() {
    }

    /**
     * @param stock       Keycloak's own client information response
     * @param endpointUrl this endpoint's URL in the realm
     */
    static Response respond(Response stock, int status, RealmModel realm, String endpointUrl) {
        ObjectNode out = JsonSerialization.mapper.valueToTree(stock.getEntity());
        ClientModel client = realm.getClientByClientId(out.path("client_id").asText());
        if (client != null) {
            // DCRM-01: the configuration URL of this endpoint, not of the stock one.
            String configurationUri = endpointUrl + "/" + client.getClientId();
            if (out.has("registration_client_uri")) {
                out.put("registration_client_uri", configurationUri);
            }
            copy(client, PackClientAttributes.SOFTWARE_ID, out, RegistrationMetadata.SOFTWARE_ID);
            copy(client, PackClientAttributes.SOFTWARE_VERSION, out, RegistrationMetadata.SOFTWARE_VERSION);
            copy(client, PackClientAttributes.SOFTWARE_STATEMENT, out, RegistrationMetadata.SOFTWARE_STATEMENT);
            copy(client, PackClientAttributes.APPLICATION_TYPE, out, RegistrationMetadata.APPLICATION_TYPE);
            copy(client, PackClientAttributes.SPIFFE_BINDING, out, RegistrationMetadata.SPIFFE_ID);
        }
        if (out.hasNonNull("client_secret") && !out.has("client_secret_expires_at")) {
            out.put("client_secret_expires_at", 0);
        }
        // RFC 7591 §2: jwks and jwks_uri never both, in a response either.
        if (out.hasNonNull(RegistrationMetadata.JWKS_URI)) {
            out.remove(RegistrationMetadata.JWKS);
        }
        Response.ResponseBuilder builder = Response.status(status).entity(out).type(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store");
        if (status == 201 && out.hasNonNull("registration_client_uri")) {
            builder.location(URI.create(out.get("registration_client_uri").asText()));
        }
        return builder.build();
    }

    private static void copy(ClientModel client, String attribute, ObjectNode out, String member) {
        String value = client.getAttribute(attribute);
        if (value != null && !value.isBlank()) {
            out.put(member, value);
        } else {
            out.remove(member);
        }
    }
}
