package dev.workloadid.keycloak.dcr.prepare;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.workloadid.keycloak.dcr.rules.McpRules;
import dev.workloadid.keycloak.dcr.rules.MetadataRules;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import org.keycloak.representations.oidc.OIDCClientRepresentation;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * Step 5 of preparing a request: the metadata rules of the pack's endpoint, in order. Unknown members
 * dropped (DCR-04), jwks/jwks_uri (DCR-07), no URL Keycloak would fetch itself, a bound workload
 * without user-facing flows, jwks_uri replaced by its keys, grant and response types agreeing
 * (DCR-08), and the application_type the client gets.
 */
public final class MetadataStep {

    private final Set<String> known;
    private final JwksInlining jwks;

    /** The members Keycloak's OIDC registration representation understands, as {@code mapper} reads it. */
    public static Set<String> keycloakMembers(ObjectMapper mapper) {
        BeanDescription description = mapper.getDeserializationConfig()
                .introspect(mapper.constructType(OIDCClientRepresentation.class));
        return description.findProperties().stream().map(BeanPropertyDefinition::getName).collect(Collectors.toUnmodifiableSet());
    }

    /** @param known the members Keycloak's registration representation understands; all others are dropped */
    public MetadataStep(Set<String> known, JwksInlining jwks) {
        this.known = known;
        this.jwks = jwks;
    }

    /**
     * @param bound whether the client is bound to a SPIFFE ID (see {@link BindingStep})
     * @return the client's application_type
     */
    public String apply(RegistrationMetadata m, boolean bound) {
        m.dropUnknown(known);
        MetadataRules.checkJwks(m);
        MetadataRules.refuseServerFetchedUris(m);
        if (bound) {
            MetadataRules.checkAttestedWorkload(m);
        }
        jwks.apply(m);
        MetadataRules.checkGrantResponseConsistency(m);
        return McpRules.applicationType(m.text(RegistrationMetadata.APPLICATION_TYPE),
                m.list(RegistrationMetadata.REDIRECT_URIS), false);
    }
}
