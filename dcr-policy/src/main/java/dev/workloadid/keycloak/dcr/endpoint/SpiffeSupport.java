package dev.workloadid.keycloak.dcr.endpoint;

import dev.workloadid.keycloak.dcr.rules.DcrError;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.Map;

/**
 * The bridge to authenticator-spiffe's {@code spiffe-svid-verifier} SPI. That JAR is optional: its
 * API types are referenced only from the nested class {@link Bound}, which is loaded only after
 * {@link #available()} found them, so this module works alone.
 */
public final class SpiffeSupport {

    private static final Logger LOG = Logger.getLogger(SpiffeSupport.class);
    static final String API_CLASS = "dev.workloadid.keycloak.spiffe.api.SpiffeSvidVerifier";
    private static final boolean PRESENT = detect();

    /** A JWT-SVID that checked out: its SPIFFE ID and claims. */
    public record Svid(String spiffeId, String trustDomain, Map<String, Object> claims) {
    }

    private SpiffeSupport() {
    }

    private static boolean detect() {
        try {
            Class.forName(API_CLASS, false, SpiffeSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.info("authenticator-spiffe is not deployed: SPIFFE-attested registration and SPIFFE statement issuers are off");
            return false;
        }
    }

    public static boolean available() {
        return PRESENT;
    }

    /**
     * Verifies a JWT-SVID whose only audience must be {@code audience}.
     *
     * @param failureCode the RFC 7591 error code to use when it does not check out
     */
    public static Svid verify(KeycloakSession session, RealmModel realm, String jwt, String audience, String failureCode) {
        return verify(session, realm, jwt, audience, failureCode, false);
    }

    /** As {@link #verify}, and the SVID's trust domain must allow its workloads to register themselves. */
    public static Svid verifyForRegistration(KeycloakSession session, RealmModel realm, String jwt, String audience,
                                             String failureCode) {
        return verify(session, realm, jwt, audience, failureCode, true);
    }

    private static Svid verify(KeycloakSession session, RealmModel realm, String jwt, String audience, String failureCode,
                               boolean requireAttestedRegistration) {
        if (!PRESENT) {
            throw new DcrError(failureCode, "SPIFFE verification is not available on this server (authenticator-spiffe not deployed)");
        }
        return Bound.verify(session, realm, jwt, audience, failureCode, requireAttestedRegistration);
    }

    /** Only this class names authenticator-spiffe types. */
    private static final class Bound {
        static Svid verify(KeycloakSession session, RealmModel realm, String jwt, String audience, String failureCode,
                           boolean requireAttestedRegistration) {
            dev.workloadid.keycloak.spiffe.api.SpiffeSvidVerifier verifier =
                    session.getProvider(dev.workloadid.keycloak.spiffe.api.SpiffeSvidVerifier.class);
            if (verifier == null) {
                throw new DcrError(failureCode, "SPIFFE verification is not available on this server");
            }
            try {
                dev.workloadid.keycloak.spiffe.api.VerifiedJwtSvid svid = verifier.verifyJwtSvid(realm, jwt, audience);
                if (requireAttestedRegistration && !verifier.allowsAttestedRegistration(realm, svid.spiffeId())) {
                    throw new DcrError(failureCode, "trust domain " + svid.trustDomain() + " does not let "
                            + svid.spiffeId() + " register itself (attestedRegistration is off or the ID is not on its allow-list)");
                }
                return new Svid(svid.spiffeId(), svid.trustDomain(), svid.claims());
            } catch (dev.workloadid.keycloak.spiffe.api.SvidRejectedException e) {
                throw new DcrError(failureCode, "JWT-SVID rejected (" + e.reason() + "): " + e.getMessage());
            }
        }
    }
}
