package dev.workloadid.keycloak.dcr.statement;

import java.util.Map;

/**
 * A software statement whose signature and issuer checked out.
 *
 * @param raw    the statement exactly as sent, echoed in responses (DCR-13)
 * @param issuer the trusted issuer's name
 * @param claims the claims, as parsed JSON
 */
public record VerifiedStatement(String raw, String issuer, Map<String, Object> claims) {
}
