package dev.workloadid.keycloak.dcr.request;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import dev.workloadid.keycloak.dcr.rules.SpiffeBindingRules;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DCR-04 (the AS may replace requested values), DCRM-06: a SPIFFE-attested client is a workload client whatever its metadata converts to.
 * Keycloak 26.7's converter turns the standard flow on for {@code grant_types: []} and for
 * {@code response_types: ["none"]}; the pack turns it, and every other user-facing flow, off.
 */
class AttestedClientShapeTest {

    private static final String ID = "spiffe://td.test/ns/prod/sa/ledger";

    /** The representation Keycloak's converter makes of such metadata: standard flow on. */
    private static ClientRepresentation converted() {
        ClientRepresentation rep = new ClientRepresentation();
        rep.setStandardFlowEnabled(true);
        rep.setImplicitFlowEnabled(true);
        rep.setDirectAccessGrantsEnabled(true);
        rep.setServiceAccountsEnabled(true);
        rep.setAttributes(new HashMap<>(Map.of("oauth2.device.authorization.grant.enabled", "true",
                "oidc.ciba.grant.enabled", "true")));
        return rep;
    }

    @Test
    void dcr04_dcrm06_attestedRegistrationComesOutWithoutUserFacingFlows() {
        ObjectNode metadata = new ObjectMapper().createObjectNode();
        metadata.putArray("grant_types");
        RegistrationRequest request = new RegistrationRequest(RegistrationMetadata.of(metadata), null, ID, "127.0.0.1", null);
        ClientRepresentation rep = converted();
        request.applyTo(rep);
        assertThat(rep.isStandardFlowEnabled()).isFalse();
        assertThat(rep.isImplicitFlowEnabled()).isFalse();
        assertThat(rep.isDirectAccessGrantsEnabled()).isFalse();
        assertThat(rep.getAttributes()).containsEntry("oauth2.device.authorization.grant.enabled", "false")
                .containsEntry("oidc.ciba.grant.enabled", "false");
        assertThat(rep.isServiceAccountsEnabled()).as("client_credentials stays").isTrue();
        // What the binding policy checks on every later update: nothing user-facing.
        assertThat(new SpiffeBindingRules.Shape(rep.getRedirectUris(), rep.isStandardFlowEnabled(), rep.isImplicitFlowEnabled(),
                rep.isDirectAccessGrantsEnabled(), rep.isFullScopeAllowed(), rep.isPublicClient(), rep.getAttributes())
                .userFacing()).isEmpty();
    }

    @Test
    void unattestedRegistrationKeepsWhatItAskedFor() {
        RegistrationRequest request = new RegistrationRequest(
                RegistrationMetadata.of(new ObjectMapper().createObjectNode()), null, null, "127.0.0.1", null);
        ClientRepresentation rep = converted();
        request.applyTo(rep);
        assertThat(rep.isStandardFlowEnabled()).isTrue();
    }
}
