package dev.workloadid.keycloak.spiffe.verify;

import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import dev.workloadid.keycloak.spiffe.bundle.SpiffeBundle;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdFormatException;
import dev.workloadid.keycloak.spiffe.id.SpiffeIds;
import dev.workloadid.keycloak.spiffe.jwt.JwtSvidPolicy;
import dev.workloadid.keycloak.spiffe.jwt.JwtSvidValidator;
import dev.workloadid.keycloak.spiffe.jwt.ValidatedJwtSvid;
import dev.workloadid.keycloak.spiffe.trust.BundleUnavailableException;
import dev.workloadid.keycloak.spiffe.trust.TrustDomainSettings;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * Verifies a JWT-SVID against a realm's trust domains, for the client authenticator and the
 * {@code spiffe-svid-verifier} SPI alike: the trust domain's own policy and keys, a rate-limited early
 * bundle refresh for an unknown kid, and the opt-in single-use jti.
 */
public final class JwtSvidVerifier {

    private static final Logger LOG = Logger.getLogger(JwtSvidVerifier.class);
    private static final String REPLAY_KEY_PREFIX = "spiffe-jwt-svid-jti:";

    private final KeycloakSession session;
    private final RealmModel realm;
    private final RealmTrust trust;

    public JwtSvidVerifier(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
        this.trust = new RealmTrust(session, realm);
    }

    /**
     * @param audience the only value {@code aud} may hold (SCA-05), normally the realm issuer
     */
    public TrustedSvid<ValidatedJwtSvid> verify(String assertion, String audience) throws SvidRejectedException {
        // The trust domain (and so its policy) comes from the unverified sub; nothing is trusted
        // until the signature checks out with that domain's own keys (SCA-06, SCA-09: never iss).
        SignedJWT jwt;
        try {
            jwt = JwtSvidValidator.parse(assertion, JwtSvidPolicy.DEFAULT_MAX_ASSERTION_LENGTH);
        } catch (SvidRejectedException e) {
            throw RealmTrust.invalid("JWT-SVID", e, null);
        }
        TrustDomainSettings settings = null;
        SpiffeId claimed = claimedId(jwt);
        if (claimed != null) {
            settings = trust.settingsFor(claimed);
        }
        JwtSvidPolicy.Builder policy = JwtSvidPolicy.builder(audience);
        if (settings != null) {
            policy.maxLifetime(settings.maxSvidLifetime()).clockSkew(settings.clockSkew())
                    .requireJti(settings.replayProtection());
        }
        ValidatedJwtSvid svid;
        try {
            svid = validate(new JwtSvidValidator(policy.build()), jwt, settings);
        } catch (SvidRejectedException e) {
            throw RealmTrust.invalid("JWT-SVID", e, claimed);
        }
        if (settings.replayProtection() && !firstUse(svid, settings.clockSkew())) {
            throw new SvidRejectedException(SvidRejectedException.Reason.REPLAYED, svid.spiffeId().toString(),
                    "JWT-SVID replayed: jti " + svid.jti() + " was already used", null);
        }
        return new TrustedSvid<>(svid, svid.spiffeId(), settings);
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
    private ValidatedJwtSvid validate(JwtSvidValidator validator, SignedJWT jwt, TrustDomainSettings settings)
            throws SvidRejectedException {
        BundleUnavailableException[] unavailable = new BundleUnavailableException[1];
        Function<TrustDomain, SpiffeBundle> bundles = td -> {
            if (settings == null || !settings.trustDomain().equals(td)) {
                return null;
            }
            try {
                return trust.bundle(settings);
            } catch (BundleUnavailableException e) {
                unavailable[0] = e;
                return null;
            }
        };
        try {
            return validator.validate(jwt, bundles);
        } catch (SvidRejectedException e) {
            if (unavailable[0] != null) {
                // The detail (endpoint host, address range, times) stays in the server log: clients
                // must not learn the internal network from an error_description.
                LOG.debugf("JWT-SVID refused for lack of a bundle: %s", unavailable[0].getMessage());
                throw new SvidRejectedException(e.why(), "the trust bundle of trust domain "
                        + settings.trustDomain().getName() + " is not available (see the server log)");
            }
            if (e.why() == SvidRejectedException.Reason.UNKNOWN_KID && trust.refreshEarly(settings)) {
                return validator.validate(jwt, bundles);
            }
            throw e;
        }
    }

    /** SCA-10 (opt-in): each jti once, cluster-wide, for as long as the SVID could be accepted. */
    private boolean firstUse(ValidatedJwtSvid svid, Duration skew) {
        long lifespan = Math.max(1, Duration.between(Instant.now(), svid.expiresAt()).plus(skew).toSeconds() + 1);
        String key = REPLAY_KEY_PREFIX + realm.getId() + ':' + svid.spiffeId() + ':' + svid.jti();
        return session.singleUseObjects().putIfAbsent(key, lifespan);
    }
}
