package dev.workloadid.keycloak.dcr.endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.SpiffeBindingRules;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import dev.workloadid.keycloak.dcr.statement.VerifiedStatement;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.clientregistration.ClientRegistrationContext;
import org.keycloak.services.clientregistration.oidc.DescriptionConverter;
import org.keycloak.util.JsonSerialization;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * What the pack's endpoint learned about one registration request, handed to the pack's policies
 * through a session attribute. For requests through the stock {@code openid-connect} endpoint the
 * policies see a view rebuilt from Keycloak's client representation instead.
 */
public final class RegistrationRequest {

    public static final String SESSION_ATTRIBUTE = RegistrationRequest.class.getName();
    /** Where a pack policy leaves its RFC 7591 error for the endpoint (policy exceptions lose their type). */
    public static final String ERROR_ATTRIBUTE = RegistrationRequest.class.getName() + ".error";

    /** Client attributes the pack keeps. */
    public static final String ATTR_SOFTWARE_ID = PackClientAttributes.SOFTWARE_ID;
    public static final String ATTR_SOFTWARE_VERSION = PackClientAttributes.SOFTWARE_VERSION;
    public static final String ATTR_SOFTWARE_STATEMENT = PackClientAttributes.SOFTWARE_STATEMENT;
    public static final String ATTR_STATEMENT_ISSUER = PackClientAttributes.STATEMENT_ISSUER;
    public static final String ATTR_APPLICATION_TYPE = PackClientAttributes.APPLICATION_TYPE;
    /** The SPIFFE authenticator's binding attribute (Keycloak's always-searchable federated subject). */
    public static final String ATTR_SPIFFE_ID = PackClientAttributes.SPIFFE_BINDING;
    public static final String ATTR_PKCE = "pkce.code.challenge.method";
    public static final String SPIFFE_AUTHENTICATOR = dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators.JWT_SVID;
    public static final String SPIFFE_AUTH_METHOD = dev.workloadid.keycloak.common.keycloak.SpiffeAuthenticators.JWT_SVID_METHOD;

    private final RegistrationMetadata metadata;
    private final VerifiedStatement statement;
    private final String attestedSpiffeId;
    private final String sourceAddress;
    private final String applicationType;

    public RegistrationRequest(RegistrationMetadata metadata, VerifiedStatement statement, String attestedSpiffeId,
                               String sourceAddress, String applicationType) {
        this.metadata = metadata;
        this.statement = statement;
        this.attestedSpiffeId = attestedSpiffeId;
        this.sourceAddress = sourceAddress;
        this.applicationType = applicationType;
    }

    /**
     * The request the current policy evaluation is about.
     *
     * @param existing the client being updated, or null for a registration
     */
    public static RegistrationRequest of(ClientRegistrationContext context, ClientModel existing) {
        KeycloakSession session = context.getSession();
        Object attached = session.getAttribute(SESSION_ATTRIBUTE);
        if (attached instanceof RegistrationRequest r) {
            return r;
        }
        // Stock endpoint: rebuild RFC 7591 metadata from the representation Keycloak converted.
        ClientRepresentation rep = context.getClient();
        Object external;
        try {
            external = DescriptionConverter.toExternalResponse(session, withFlowDefaults(rep, existing), URI.create("urn:wi:dcr"));
        } catch (RuntimeException e) {
            // Never a 5xx for a registration Keycloak's converter cannot read.
            throw DcrError.metadata("the client registration could not be read as client metadata");
        }
        ObjectNode node = JsonSerialization.mapper.valueToTree(external);
        Map<String, String> attributes = rep.getAttributes() == null ? Map.of() : rep.getAttributes();
        // Keycloak's converter does not carry software_id/software_version, which a default-endpoint request
        // can set as attributes: the per-software caps and rate limits must see them all the same.
        for (String member : new String[] {RegistrationMetadata.SOFTWARE_ID, RegistrationMetadata.SOFTWARE_VERSION}) {
            String value = attributes.get(member);
            if (value != null && !value.isBlank() && !node.hasNonNull(member)) {
                node.put(member, value);
            }
        }
        return new RegistrationRequest(RegistrationMetadata.of(node), null, null,
                sourceAddress(session), attributes.get(ATTR_APPLICATION_TYPE));
    }

    /**
     * A copy with the flow switches, client authenticator and attributes Keycloak's converter
     * dereferences set where a representation (Keycloak's {@code default} endpoint) leaves them out:
     * to the values a new client gets (the authenticator: the updated client's).
     */
    private static ClientRepresentation withFlowDefaults(ClientRepresentation rep, ClientModel existing) {
        ClientRepresentation copy = JsonSerialization.mapper.convertValue(rep, ClientRepresentation.class);
        if (copy.getClientAuthenticatorType() == null) {
            // Omitted: an update keeps the client's, a new client gets Keycloak's default.
            copy.setClientAuthenticatorType(existing != null && existing.getClientAuthenticatorType() != null
                    ? existing.getClientAuthenticatorType() : "client-secret");
        }
        if (copy.getAttributes() == null) {
            copy.setAttributes(new HashMap<>());
        }
        if (copy.isStandardFlowEnabled() == null) {
            copy.setStandardFlowEnabled(true);
        }
        if (copy.isImplicitFlowEnabled() == null) {
            copy.setImplicitFlowEnabled(false);
        }
        if (copy.isDirectAccessGrantsEnabled() == null) {
            copy.setDirectAccessGrantsEnabled(false);
        }
        if (copy.isServiceAccountsEnabled() == null) {
            copy.setServiceAccountsEnabled(false);
        }
        if (copy.isPublicClient() == null) {
            copy.setPublicClient(false);
        }
        if (copy.isBearerOnly() == null) {
            copy.setBearerOnly(false);
        }
        return copy;
    }

    /**
     * The caller's address as Keycloak reports it (with proxy headers on, the forwarded one). Keycloak
     * gives no address when a forwarded value is not a plain IP literal (e.g. a bracketed IPv6
     * address); then its host string stands in, so a per-source limit never silently turns off.
     */
    public static String sourceAddress(KeycloakSession session) {
        org.keycloak.common.ClientConnection connection = session.getContext().getConnection();
        String address = connection.getRemoteAddr();
        return address != null && !address.isBlank() ? address : connection.getRemoteHost();
    }

    /** Records a pack policy's refusal so the pack's endpoint can answer with its RFC 7591 code. */
    public static void recordError(KeycloakSession session, DcrError error) {
        session.setAttribute(ERROR_ATTRIBUTE, error);
    }

    /** Puts what the pack keeps into the client about to be created or updated. */
    void applyTo(ClientRepresentation rep) {
        Map<String, String> attributes = rep.getAttributes() == null ? new HashMap<>() : new HashMap<>(rep.getAttributes());
        put(attributes, ATTR_SOFTWARE_ID, softwareId());
        put(attributes, ATTR_SOFTWARE_VERSION, metadata.text(RegistrationMetadata.SOFTWARE_VERSION));
        put(attributes, ATTR_SOFTWARE_STATEMENT, statement == null ? null : statement.raw());
        put(attributes, ATTR_STATEMENT_ISSUER, statement == null ? null : statement.issuer());
        put(attributes, ATTR_APPLICATION_TYPE, applicationType);
        if (attestedSpiffeId != null) {
            attributes.put(ATTR_SPIFFE_ID, attestedSpiffeId);
            // Marks the client as a workload's own: wi-spiffe-binding keeps it workload-only on every endpoint.
            attributes.put(SpiffeBindingRules.REGISTRATION_ATTRIBUTE, SpiffeBindingRules.ATTESTED);
            rep.setClientAuthenticatorType(SPIFFE_AUTHENTICATOR);
            rep.setPublicClient(false);
            // A machine registered itself: only the scope mappings an administrator grants later.
            rep.setFullScopeAllowed(false);
        }
        rep.setAttributes(attributes);
        if (attestedSpiffeId != null) {
            SpiffeBindingRules.keepWorkloadOnly(rep);
        }
    }

    private static void put(Map<String, String> attributes, String key, String value) {
        // An empty value clears the attribute on update (omitted metadata is deleted, RFC 7592 §2.2).
        attributes.put(key, value == null ? "" : value);
    }

    public RegistrationMetadata metadata() {
        return metadata;
    }

    public VerifiedStatement statement() {
        return statement;
    }

    public String attestedSpiffeId() {
        return attestedSpiffeId;
    }

    public String sourceAddress() {
        return sourceAddress;
    }

    public String applicationType() {
        return applicationType;
    }

    public String softwareId() {
        return metadata.text(RegistrationMetadata.SOFTWARE_ID);
    }
}
