package dev.workloadid.keycloak.dcr.request;

import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import dev.workloadid.keycloak.dcr.statement.VerifiedStatement;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RegistrationRequest#applyTo}: what the pack keeps on the client so that responses can echo it
 * (DCR-12 registered metadata, DCR-13 the statement unmodified), what an update clears (DCRM-06: omitted
 * metadata is deleted), and how an attested registration binds the workload (DCRM-06, SCA-07).
 */
class RegistrationRequestTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ID = "spiffe://td.test/ns/prod/sa/ledger";
    private static final String STATEMENT = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln";

    private static RegistrationRequest request(String body, VerifiedStatement statement, String attested, String type) {
        return new RegistrationRequest(RegistrationMetadata.parse(MAPPER, body), statement, attested, "192.0.2.7", type);
    }

    private static ClientRepresentation client(Map<String, String> attributes) {
        ClientRepresentation rep = new ClientRepresentation();
        rep.setClientAuthenticatorType("client-jwt");
        rep.setFullScopeAllowed(true);
        rep.setAttributes(attributes == null ? null : new HashMap<>(attributes));
        return rep;
    }

    @Test
    void dcr12_softwareIdVersionAndApplicationTypeAreKept() {
        RegistrationRequest r = request("{\"software_id\":\"sw-1\",\"software_version\":\"2.1\"}", null, null, "native");
        ClientRepresentation rep = client(null);
        r.applyTo(rep);
        assertThat(rep.getAttributes()).containsEntry(PackClientAttributes.SOFTWARE_ID, "sw-1")
                .containsEntry(PackClientAttributes.SOFTWARE_VERSION, "2.1")
                .containsEntry(PackClientAttributes.APPLICATION_TYPE, "native");
        assertThat(r.softwareId()).isEqualTo("sw-1");
        assertThat(r.sourceAddress()).isEqualTo("192.0.2.7");
        assertThat(r.applicationType()).isEqualTo("native");
    }

    @Test
    void dcr13_theStatementIsKeptExactlyAsSentWithItsIssuer() {
        VerifiedStatement statement = new VerifiedStatement(STATEMENT, "https://software.example.com", Map.of("software_id", "sw-1"));
        RegistrationRequest r = request("{}", statement, null, "web");
        ClientRepresentation rep = client(Map.of());
        r.applyTo(rep);
        assertThat(rep.getAttributes()).containsEntry(PackClientAttributes.SOFTWARE_STATEMENT, STATEMENT)
                .containsEntry(PackClientAttributes.STATEMENT_ISSUER, "https://software.example.com");
        assertThat(r.statement()).isSameAs(statement);
    }

    @Test
    void dcrm06_anUpdateWithoutThoseMembersClearsThemAndKeepsOtherAttributes() {
        ClientRepresentation rep = client(Map.of(PackClientAttributes.SOFTWARE_ID, "old", "pkce.code.challenge.method", "S256"));
        request("{}", null, null, null).applyTo(rep);
        assertThat(rep.getAttributes()).containsEntry(PackClientAttributes.SOFTWARE_ID, "")
                .containsEntry(PackClientAttributes.SOFTWARE_VERSION, "")
                .containsEntry(PackClientAttributes.SOFTWARE_STATEMENT, "")
                .containsEntry(PackClientAttributes.STATEMENT_ISSUER, "")
                .containsEntry(PackClientAttributes.APPLICATION_TYPE, "")
                .containsEntry("pkce.code.challenge.method", "S256");
    }

    @Test
    void dcrm06_sca07_anAttestedRegistrationBindsTheProvenSpiffeIdToAConfidentialWorkloadClient() {
        RegistrationRequest r = request("{}", null, ID, "web");
        ClientRepresentation rep = client(Map.of());
        rep.setPublicClient(true);
        r.applyTo(rep);
        assertThat(rep.getAttributes()).containsEntry(PackClientAttributes.SPIFFE_BINDING, ID)
                .containsEntry("spiffe.registration", "attested");
        assertThat(rep.getClientAuthenticatorType()).isEqualTo(RegistrationRequest.SPIFFE_AUTHENTICATOR);
        assertThat(rep.isPublicClient()).isFalse();
        assertThat(rep.isFullScopeAllowed()).as("scopes only as an administrator grants them").isFalse();
        assertThat(r.attestedSpiffeId()).isEqualTo(ID);
    }

    @Test
    void dcrm06_anUnattestedRequestBindsNothingAndLeavesTheAuthenticator() {
        ClientRepresentation rep = client(Map.of());
        request("{\"software_id\":\"sw-1\"}", null, null, "web").applyTo(rep);
        assertThat(rep.getAttributes()).doesNotContainKeys(PackClientAttributes.SPIFFE_BINDING, "spiffe.registration");
        assertThat(rep.getClientAuthenticatorType()).isEqualTo("client-jwt");
        assertThat(rep.isFullScopeAllowed()).isTrue();
    }
}
