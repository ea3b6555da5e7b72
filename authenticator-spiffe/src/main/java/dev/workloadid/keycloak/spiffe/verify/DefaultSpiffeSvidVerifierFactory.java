package dev.workloadid.keycloak.spiffe.verify;

import dev.workloadid.keycloak.common.keycloak.StatelessFactory;
import dev.workloadid.keycloak.spiffe.api.SpiffeSvidVerifier;
import dev.workloadid.keycloak.spiffe.api.SpiffeSvidVerifierFactory;
import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import dev.workloadid.keycloak.spiffe.api.VerifiedJwtSvid;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdFormatException;
import dev.workloadid.keycloak.spiffe.id.SpiffeIds;
import dev.workloadid.keycloak.spiffe.jwt.ValidatedJwtSvid;
import dev.workloadid.keycloak.spiffe.trust.SpiffeTrustProvider;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainConflictException;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.Map;

/** The {@code spiffe-svid-verifier} SPI's implementation, over {@link JwtSvidVerifier}. */
public final class DefaultSpiffeSvidVerifierFactory implements SpiffeSvidVerifierFactory, StatelessFactory<SpiffeSvidVerifier> {

    /** {@link SvidRejectedException#reason()} when the check itself failed; never a verdict on the SVID. */
    public static final String SERVER_ERROR = SvidRejectedException.Reason.SERVER_ERROR.code();
    private static final Logger LOG = Logger.getLogger(DefaultSpiffeSvidVerifierFactory.class);

    @Override
    public SpiffeSvidVerifier create(KeycloakSession session) {
        return new SpiffeSvidVerifier() {
            @Override
            public VerifiedJwtSvid verifyJwtSvid(RealmModel realm, String jwtSvid, String audience)
                    throws SvidRejectedException {
                try {
                    ValidatedJwtSvid svid = new JwtSvidVerifier(session, realm).verify(jwtSvid, audience).svid();
                    Map<String, Object> claims = svid.claims() == null ? Map.of() : svid.claims().toJSONObject();
                    return new VerifiedJwtSvid(svid.spiffeId().toString(), svid.trustDomain().getName(),
                            svid.expiresAt(), svid.jti(), claims);
                } catch (RuntimeException e) {
                    // Callers in other modules handle rejections only: anything else would become
                    // their 5xx. The detail goes to the log, not into an error_description.
                    LOG.errorf(e, "Unexpected error verifying a JWT-SVID in realm %s", realm.getName());
                    throw new SvidRejectedException(SvidRejectedException.Reason.SERVER_ERROR,
                            "the JWT-SVID could not be checked (server error, see the server log)");
                }
            }

            @Override
            public boolean allowsAttestedRegistration(RealmModel realm, String spiffeId) {
                return failClosed(realm, () -> {
                    io.spiffe.spiffeid.SpiffeId id = SpiffeIds.parse(spiffeId);
                    return session.getProvider(SpiffeTrustProvider.class).trustDomain(realm, id.getTrustDomain())
                            .map(settings -> settings.allowsAttestedRegistration(id)).orElse(false);
                });
            }

            @Override
            public boolean trustsDomain(RealmModel realm, String trustDomain) {
                return failClosed(realm, () -> session.getProvider(SpiffeTrustProvider.class)
                        .trustDomain(realm, SpiffeIds.parseTrustDomain(trustDomain)).isPresent());
            }

            @Override
            public void close() {
            }
        };
    }

    /** A question about the realm's trust domains whose answer may be a refusal. */
    private interface TrustQuestion {
        boolean ask() throws SpiffeIdFormatException, TrustDomainConflictException;
    }

    /** No for a malformed ID or a misconfigured trust domain, and for anything unexpected (logged). */
    private static boolean failClosed(RealmModel realm, TrustQuestion question) {
        try {
            return question.ask();
        } catch (SpiffeIdFormatException | TrustDomainConflictException e) {
            return false;
        } catch (RuntimeException e) {
            LOG.errorf(e, "Unexpected error reading the SPIFFE trust domains of realm %s", realm.getName());
            return false;
        }
    }

    @Override
    public String getId() {
        return "default";
    }
}
