package dev.workloadid.keycloak.spiffe.verify;

import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdFormatException;
import dev.workloadid.keycloak.spiffe.id.SpiffeIds;
import dev.workloadid.keycloak.spiffe.jwt.JwtSvidPolicy;
import dev.workloadid.keycloak.spiffe.jwt.JwtSvidValidator;
import dev.workloadid.keycloak.spiffe.jwt.SvidValidationException;
import dev.workloadid.keycloak.spiffe.jwt.ValidatedSvid;
import dev.workloadid.keycloak.spiffe.trust.BundleUnavailableException;
import dev.workloadid.keycloak.spiffe.trust.SpiffeTrustProvider;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * One JWT-SVID check, shared by the client authenticator and the {@code spiffe-svid-verifier} SPI:
 * the trust domain's own policy and keys, a rate-limited early bundle refresh for an unknown kid,
 * and the opt-in single-use jti.
 */
public final class JwtSvidVerification {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(JwtSvidVerification.class);

    private static final String REPLAY_KEY_PREFIX = "spiffe-jwt-svid-jti:";

    /** A JWT-SVID that checked out, with the settings of its trust domain. */
    public record Verified(ValidatedSvid svid, TrustDomainSettings settings) {
    }

    private JwtSvidVerification() {
    }

    /**
     * @param audience the only value {@code aud} may hold (SCA-05), normally the realm issuer
     */
    public static Verified verify(KeycloakSession session, RealmModel realm, String assertion, String audience)
            throws SvidRejection {
        SpiffeTrustProvider trust = session.getProvider(SpiffeTrustProvider.class);
        // The trust domain (and so its policy) comes from the unverified sub; nothing is trusted
        // until the signature checks out with that domain's own keys (SCA-06, SCA-09: never iss).
        SignedJWT jwt;
        try {
            jwt = JwtSvidValidator.parse(assertion, JwtSvidPolicy.DEFAULT_MAX_ASSERTION_LENGTH);
        } catch (SvidValidationException e) {
            throw new SvidRejection(e.reasonCode(), null, "invalid JWT-SVID: " + e.getMessage());
        }
        TrustDomainSettings settings = null;
        SpiffeId claimed = claimedId(jwt);
        if (claimed != null) {
            settings = SvidRejection.trustDomainOf(trust, realm, claimed);
        }
        JwtSvidPolicy.Builder policy = JwtSvidPolicy.builder(audience);
        if (settings != null) {
            policy.maxLifetime(settings.maxSvidLifetime()).clockSkew(settings.clockSkew())
                    .requireJti(settings.replayProtection());
        }
        ValidatedSvid svid;
        try {
            svid = validate(new JwtSvidValidator(policy.build()), jwt, trust, realm, settings);
        } catch (SvidValidationException e) {
            throw new SvidRejection(e.reasonCode(), claimed == null ? null : claimed.toString(), "invalid JWT-SVID: " + e.getMessage());
        }
        if (settings.replayProtection() && !firstUse(session, realm, svid, settings.clockSkew())) {
            throw new SvidRejection("replayed", svid.spiffeId().toString(),
                    "JWT-SVID replayed: jti " + svid.jti() + " was already used");
        }
        return new Verified(svid, settings);
    }

    /** The unverified sub as a SPIFFE ID, or null to let the validator name the precise problem. */
    private static SpiffeId claimedId(SignedJWT jwt) {
        try {
            String sub = jwt.getJWTClaimsSet().getSubject();
            return sub == null ? null : SpiffeIds.parse(sub);
        } catch (ParseException | SpiffeIdFormatException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Validates against the trust domain's current bundle; if the SVID names a key that bundle does
     * not have, the bundle is refetched once (rate-limited) and the SVID checked again, so a key
     * rotation is picked up before the next scheduled refresh.
     */
    private static ValidatedSvid validate(JwtSvidValidator validator, SignedJWT jwt, SpiffeTrustProvider trust,
                                          RealmModel realm, TrustDomainSettings settings) throws SvidValidationException {
        BundleUnavailableException[] unavailable = new BundleUnavailableException[1];
        Function<TrustDomain, SpiffeBundle> bundles = td -> {
            if (settings == null || !settings.trustDomain().equals(td)) {
                return null;
            }
            try {
                return trust.bundle(realm, settings);
            } catch (BundleUnavailableException e) {
                unavailable[0] = e;
                return null;
            }
        };
        try {
            return validator.validate(jwt, bundles);
        } catch (SvidValidationException e) {
            if (unavailable[0] != null) {
                // The detail (endpoint host, address range, times) stays in the server log: clients
                // must not learn the internal network from an error_description.
                LOG.debugf("JWT-SVID refused for lack of a bundle: %s", unavailable[0].getMessage());
                throw new SvidValidationException(e.reason(), "the trust bundle of trust domain "
                        + settings.trustDomain().getName() + " is not available (see the server log)");
            }
            if (e.reason() == SvidValidationException.Reason.UNKNOWN_KID && trust.refreshEarly(realm, settings)) {
                return validator.validate(jwt, bundles);
            }
            throw e;
        }
    }

    /** SCA-10 (opt-in): each jti once, cluster-wide, for as long as the SVID could be accepted. */
    private static boolean firstUse(KeycloakSession session, RealmModel realm, ValidatedSvid svid, Duration skew) {
        long lifespan = Math.max(1, Duration.between(Instant.now(), svid.expiresAt()).plus(skew).toSeconds() + 1);
        String key = REPLAY_KEY_PREFIX + realm.getId() + ':' + svid.spiffeId() + ':' + svid.jti();
        return session.singleUseObjects().putIfAbsent(key, lifespan);
    }
}
