package dev.workloadid.keycloak.dcr.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import dev.workloadid.keycloak.dcr.statement.SoftwareStatementVerifier;
import dev.workloadid.keycloak.dcr.statement.StatementIssuer;
import dev.workloadid.keycloak.dcr.statement.VerifiedStatement;

import java.util.List;
import java.util.function.Supplier;

/** Step 2 of preparing a request: the software statement, verified, and its claims over the plain members (DCR-09). */
public final class StatementStep {

    private final ObjectMapper mapper;
    private final SoftwareStatementVerifier verifier;

    public StatementStep(ObjectMapper mapper, SoftwareStatementVerifier verifier) {
        this.mapper = mapper;
        this.verifier = verifier;
    }

    /**
     * @param issuers the realm's statement issuers, asked for only when the request carries a statement
     * @return the verified statement, or null when the request carries none
     * @throws dev.workloadid.keycloak.dcr.rules.DcrError when the statement does not verify
     */
    public VerifiedStatement apply(RegistrationMetadata m, Supplier<List<StatementIssuer>> issuers) {
        if (m.softwareStatement() == null) {
            return null;
        }
        VerifiedStatement statement = verifier.verify(m.softwareStatement(), issuers.get());
        m.applyStatementClaims(mapper, statement.claims());
        return statement;
    }
}
