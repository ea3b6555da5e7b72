package dev.workloadid.keycloak.dcr.statement;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.workloadid.keycloak.dcr.rules.DcrError;

import java.text.ParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies a software statement (RFC 7591 §2.3, DCR-09) against the realm's trusted issuers:
 * a signed JWT with {@code iss}, asymmetric algorithm, valid signature by one of the issuer's keys,
 * and {@code exp} / {@code nbf} respected when present. A JWT-SVID of a trusted trust domain is
 * checked by the SPIFFE verifier instead. Unknown issuer: {@code unapproved_software_statement};
 * anything else wrong: {@code invalid_software_statement}.
 */
public final class SoftwareStatementVerifier {

    /** Keys of an issuer; {@code refresh} asks for a re-fetch because no key matched. */
    @FunctionalInterface
    public interface KeyResolver {
        JWKSet keys(StatementIssuer issuer, boolean refresh) throws DcrError;
    }

    /** Checks a JWT-SVID for a trust domain and returns its claims. */
    @FunctionalInterface
    public interface SvidCheck {
        Map<String, Object> verify(String jwtSvid, StatementIssuer issuer) throws DcrError;
    }

    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
            JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

    private final KeyResolver keys;
    private final SvidCheck svids;

    public SoftwareStatementVerifier(KeyResolver keys, SvidCheck svids) {
        this.keys = keys;
        this.svids = svids;
    }

    public VerifiedStatement verify(String statement, List<StatementIssuer> trusted) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(statement);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw invalid("the software statement is not a signed JWT (JWS compact serialization)");
        }
        String sub = claims.getSubject();
        Optional<StatementIssuer> spiffe = Optional.empty();
        if (sub != null && sub.toLowerCase(Locale.ROOT).startsWith("spiffe://")) {
            String td = trustDomainOf(sub);
            spiffe = trusted.stream().filter(i -> i.keySource() == StatementIssuer.KeySource.SPIFFE)
                    .filter(i -> i.trustDomain().equals(td)).findFirst();
        }
        if (spiffe.isPresent()) {
            return new VerifiedStatement(statement, spiffe.get().name(), svids.verify(statement, spiffe.get()));
        }
        String iss = claims.getIssuer();
        if (iss == null || iss.isBlank()) {
            throw invalid("the software statement has no iss claim");
        }
        StatementIssuer issuer = trusted.stream()
                .filter(i -> i.keySource() != StatementIssuer.KeySource.SPIFFE && iss.equals(i.issuer()))
                .findFirst()
                .orElseThrow(() -> new DcrError(DcrError.UNAPPROVED_SOFTWARE_STATEMENT,
                        "the software statement issuer " + iss + " is not trusted by this realm"));
        if (!ALGORITHMS.contains(jwt.getHeader().getAlgorithm())) {
            throw invalid("the software statement must be signed with an asymmetric algorithm, not "
                    + jwt.getHeader().getAlgorithm());
        }
        try {
            return new VerifiedStatement(statement, issuer.name(), process(jwt, iss, keys.keys(issuer, false)));
        } catch (BadJOSEException e) {
            String kid = jwt.getHeader().getKeyID();
            boolean unknownKid = kid != null && keys.keys(issuer, false).getKeyByKeyId(kid) == null;
            if (unknownKid && issuer.keySource() == StatementIssuer.KeySource.JWKS_URI) {
                // Key rotation: one re-fetch when the kid is not (yet) in the cached set.
                try {
                    return new VerifiedStatement(statement, issuer.name(), process(jwt, iss, keys.keys(issuer, true)));
                } catch (BadJOSEException | JOSEException again) {
                    throw invalid("the software statement could not be verified: " + again.getMessage());
                }
            }
            throw invalid("the software statement could not be verified: " + e.getMessage());
        } catch (JOSEException e) {
            throw invalid("the software statement could not be verified: " + e.getMessage());
        }
    }

    private static Map<String, Object> process(SignedJWT jwt, String iss, JWKSet set)
            throws BadJOSEException, JOSEException {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        // Any typ: issuers use JWT, none, or their own media types.
        processor.setJWSTypeVerifier((type, context) -> { });
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, new ImmutableJWKSet<>(set)));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                new JWTClaimsSet.Builder().issuer(iss).build(), Set.of("iss")));
        // A freshly parsed copy: the processor must not see state of an earlier attempt.
        try {
            return processor.process(SignedJWT.parse(jwt.serialize()), null).toJSONObject();
        } catch (ParseException e) {
            throw new JOSEException(e.getMessage(), e);
        }
    }

    static String trustDomainOf(String spiffeId) {
        String rest = spiffeId.substring("spiffe://".length());
        int slash = rest.indexOf('/');
        return (slash < 0 ? rest : rest.substring(0, slash)).toLowerCase(Locale.ROOT);
    }

    private static DcrError invalid(String description) {
        return new DcrError(DcrError.INVALID_SOFTWARE_STATEMENT, description);
    }
}
