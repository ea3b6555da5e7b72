package dev.workloadid.keycloak.spiffe.x509;

import dev.workloadid.keycloak.spiffe.api.SvidRejectedException;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdFormatException;
import dev.workloadid.keycloak.spiffe.id.SpiffeIds;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.spiffeid.TrustDomain;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Validates an X.509-SVID client certificate chain (leaf first, as presented in the TLS handshake or
 * forwarded by a proxy). Rules, in the order they are checked:
 * <ol>
 *   <li>SCA-23, XSV-01: the leaf has exactly one URI SAN, and it is a valid SPIFFE ID; other SAN
 *       types (DNS, IP) are allowed.</li>
 *   <li>XSV-02: that SPIFFE ID has a non-root path.</li>
 *   <li>SCA-24, XSV-03: the leaf is not a CA ({@code cA} false or no basic constraints) and does not
 *       assert {@code keyCertSign} or {@code cRLSign}.</li>
 *   <li>SCA-25, XSV-04: key usage is present and asserts {@code digitalSignature}.</li>
 *   <li>XSV-05: if extended key usage is present it includes {@code id-kp-clientAuth} (or
 *       anyExtendedKeyUsage). Decision: {@code id-kp-serverAuth} is an issuing rule and is not
 *       required of a client certificate.</li>
 *   <li>XSV-07: no signing certificate of the chain carries a SPIFFE ID with a path, and any SPIFFE ID
 *       a signing certificate carries names the leaf's trust domain: a CA of another trust domain
 *       (cross-signed, or planted by that domain's operator) must not sign for this one. A
 *       {@code spiffe:} URI SAN that is not a valid SPIFFE ID on a signing certificate is refused
 *       too, rather than ignored.</li>
 *   <li>SCA-22, SCA-63, SCA-65, XSV-06: RFC 5280 path validation (JDK PKIX, revocation off: SVIDs
 *       are short-lived) with the X.509 authorities of the SPIFFE ID's own trust domain as the only
 *       trust anchors; validity periods are part of it. The system trust store is never consulted.</li>
 * </ol>
 * Thread-safe and stateless apart from its clock and, when given one, its {@link PkixResultCache}: a
 * path that passed the last step against the same snapshot of authorities, all its certificates still
 * valid, skips PKIX; every other rule runs on every call.
 */
public final class X509SvidValidator {

    /** More certificates than this in a presented chain are refused before any parsing work. */
    public static final int MAX_CHAIN_LENGTH = 10;

    private static final String OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String OID_ANY_EKU = "2.5.29.37.0";
    private static final int SAN_URI = 6;
    private static final int KU_DIGITAL_SIGNATURE = 0;
    private static final int KU_KEY_CERT_SIGN = 5;
    private static final int KU_CRL_SIGN = 6;

    private final Clock clock;
    private final PkixResultCache pathCache;

    public X509SvidValidator(Clock clock) {
        this(clock, null);
    }

    /** @param pathCache remembers successful path validations; null validates every path */
    public X509SvidValidator(Clock clock, PkixResultCache pathCache) {
        this.clock = clock;
        this.pathCache = pathCache;
    }

    public X509SvidValidator() {
        this(Clock.systemUTC());
    }

    /**
     * Whether the certificate claims to be an X.509-SVID at all: some URI SAN uses the
     * {@code spiffe} scheme. Ordinary mTLS client certificates answer false and are left alone.
     */
    public static boolean claimsSpiffeId(X509Certificate leaf) {
        return uriSans(leaf).stream().anyMatch(u -> u.regionMatches(true, 0, "spiffe:", 0, 7));
    }

    /** SCA-23, XSV-01, XSV-02: the leaf's SPIFFE ID, without checking anything else. */
    public static SpiffeId spiffeId(X509Certificate leaf) throws SvidRejectedException {
        List<String> uris = uriSans(leaf);
        if (uris.isEmpty()) {
            throw new SvidRejectedException(SvidRejectedException.Reason.NO_SPIFFE_ID,
                    "the client certificate has no URI SAN with a SPIFFE ID");
        }
        if (uris.size() > 1) {
            throw new SvidRejectedException(SvidRejectedException.Reason.MULTIPLE_URI_SANS,
                    "the client certificate has " + uris.size() + " URI SANs; an X.509-SVID has exactly one");
        }
        SpiffeId id;
        try {
            id = SpiffeIds.parse(uris.get(0));
        } catch (SpiffeIdFormatException e) {
            throw new SvidRejectedException(SvidRejectedException.Reason.INVALID_SPIFFE_ID,
                    "the client certificate's URI SAN is not a SPIFFE ID: " + e.getMessage(), e);
        }
        if (SpiffeIds.isTrustDomainId(id)) {
            throw new SvidRejectedException(SvidRejectedException.Reason.ROOT_PATH,
                    "the client certificate's SPIFFE ID " + id + " has no path; it names a trust domain, not a workload");
        }
        return id;
    }

    /**
     * @param chain the presented chain, leaf first
     * @param authorities the X.509 authorities of a trust domain: null when the realm does not trust
     *     it, empty when its bundle has none
     */
    public ValidatedX509Svid validate(List<X509Certificate> chain,
                                      Function<TrustDomain, ? extends Collection<X509Certificate>> authorities)
            throws SvidRejectedException {
        return validate(chain, null, authorities);
    }

    /**
     * As {@link #validate(List, Function)}, for a caller that already read the leaf's SPIFFE ID with
     * {@link #spiffeId} (to pick the trust domain's settings) and need not have it parsed again.
     *
     * @param leafId {@code spiffeId(chain.get(0))}, or null to read it here
     */
    public ValidatedX509Svid validate(List<X509Certificate> chain, SpiffeId leafId,
                                      Function<TrustDomain, ? extends Collection<X509Certificate>> authorities)
            throws SvidRejectedException {
        if (chain == null || chain.isEmpty()) {
            throw new SvidRejectedException(SvidRejectedException.Reason.BAD_CHAIN, "no client certificate");
        }
        if (chain.size() > MAX_CHAIN_LENGTH) {
            throw new SvidRejectedException(SvidRejectedException.Reason.BAD_CHAIN,
                    "the client certificate chain has more than " + MAX_CHAIN_LENGTH + " certificates");
        }
        X509Certificate leaf = chain.get(0);
        SpiffeId id = leafId != null ? leafId : spiffeId(leaf);
        checkLeafUsage(leaf);
        TrustDomain trustDomain = id.getTrustDomain();
        for (int i = 1; i < chain.size(); i++) {
            checkSigningCertificate(chain.get(i), i, trustDomain);
        }
        Collection<X509Certificate> anchors = authorities.apply(trustDomain);
        if (anchors == null) {
            throw new SvidRejectedException(SvidRejectedException.Reason.UNKNOWN_TRUST_DOMAIN,
                    "trust domain " + trustDomain.getName() + " is not trusted by this realm");
        }
        if (anchors.isEmpty()) {
            throw new SvidRejectedException(SvidRejectedException.Reason.NO_X509_AUTHORITIES,
                    "the bundle of trust domain " + trustDomain.getName() + " has no X.509 authorities");
        }
        List<X509Certificate> path = validatePath(chain, anchors, trustDomain);
        return new ValidatedX509Svid(id, leaf, path);
    }

    /** XSV-07: the SPIFFE IDs a signing certificate may carry: its leaf's trust domain, no path. */
    private static void checkSigningCertificate(X509Certificate cert, int index, TrustDomain leafDomain)
            throws SvidRejectedException {
        for (String uri : uriSans(cert)) {
            if (!uri.regionMatches(true, 0, "spiffe:", 0, 7)) {
                continue;
            }
            SpiffeId signer;
            try {
                signer = SpiffeIds.parse(uri);
            } catch (SpiffeIdFormatException e) {
                throw new SvidRejectedException(SvidRejectedException.Reason.SIGNING_CERT_OTHER_TRUST_DOMAIN,
                        "signing certificate " + index + " of the chain carries a malformed SPIFFE ID", e);
            }
            if (!SpiffeIds.isTrustDomainId(signer)) {
                throw new SvidRejectedException(SvidRejectedException.Reason.SIGNING_CERT_WITH_PATH,
                        "signing certificate " + index + " of the chain carries the SPIFFE ID " + uri
                                + " with a path, which X509-SVID §3.2 forbids");
            }
            if (!signer.getTrustDomain().equals(leafDomain)) {
                throw new SvidRejectedException(SvidRejectedException.Reason.SIGNING_CERT_OTHER_TRUST_DOMAIN,
                        "signing certificate " + index + " of the chain carries the SPIFFE ID " + signer
                                + " of another trust domain than the client certificate's ("
                                + leafDomain.getName() + ")");
            }
        }
    }

    /** SCA-24, SCA-25, XSV-03, XSV-04, XSV-05. */
    private static void checkLeafUsage(X509Certificate leaf) throws SvidRejectedException {
        if (leaf.getBasicConstraints() >= 0) {
            throw new SvidRejectedException(SvidRejectedException.Reason.LEAF_IS_CA,
                    "the client certificate is a CA certificate (basic constraints cA=true); an X.509-SVID is a leaf");
        }
        boolean[] usage = leaf.getKeyUsage();
        if (usage != null && (flag(usage, KU_KEY_CERT_SIGN) || flag(usage, KU_CRL_SIGN))) {
            throw new SvidRejectedException(SvidRejectedException.Reason.LEAF_IS_CA,
                    "the client certificate may sign certificates or CRLs (keyCertSign/cRLSign); an X.509-SVID may not");
        }
        if (usage == null || !flag(usage, KU_DIGITAL_SIGNATURE)) {
            throw new SvidRejectedException(SvidRejectedException.Reason.KEY_USAGE,
                    "the client certificate's key usage lacks digitalSignature");
        }
        List<String> eku;
        try {
            eku = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new SvidRejectedException(SvidRejectedException.Reason.EXTENDED_KEY_USAGE,
                    "the client certificate's extended key usage cannot be parsed", e);
        }
        if (eku != null && !eku.contains(OID_CLIENT_AUTH) && !eku.contains(OID_ANY_EKU)) {
            throw new SvidRejectedException(SvidRejectedException.Reason.EXTENDED_KEY_USAGE,
                    "the client certificate's extended key usage does not include clientAuth");
        }
    }

    private List<X509Certificate> validatePath(List<X509Certificate> chain, Collection<X509Certificate> anchors,
                                               TrustDomain trustDomain) throws SvidRejectedException {
        // A client may append its root: anchors never go into the path to validate.
        List<X509Certificate> path = new ArrayList<>(chain);
        while (path.size() > 1 && anchors.contains(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        Instant now = clock.instant();
        PkixResultCache.Key key = pathCache == null ? null : pathCache.key(path, anchors);
        if (pathCache != null && pathCache.validated(key, now)) {
            return path;
        }
        Set<TrustAnchor> trust = new HashSet<>();
        for (X509Certificate anchor : anchors) {
            trust.add(new TrustAnchor(anchor, null));
        }
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(trust);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(now));
            PKIXCertPathValidatorResult result =
                    (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX").validate(certPath, params);
            if (pathCache != null) {
                pathCache.remember(key, path, result.getTrustAnchor().getTrustedCert(), now);
            }
            return path;
        } catch (CertPathValidatorException e) {
            throw pathFailure(e, path, trustDomain);
        } catch (GeneralSecurityException e) {
            throw new SvidRejectedException(SvidRejectedException.Reason.PATH_INVALID,
                    "the client certificate chain cannot be validated: " + e.getMessage(), e);
        }
    }

    private static SvidRejectedException pathFailure(CertPathValidatorException e, List<X509Certificate> path,
                                                 TrustDomain trustDomain) {
        int index = e.getIndex();
        String which = index <= 0 ? "the client certificate" : "certificate " + index + " of the chain";
        CertPathValidatorException.Reason reason = e.getReason();
        if (reason == CertPathValidatorException.BasicReason.EXPIRED) {
            return new SvidRejectedException(SvidRejectedException.Reason.EXPIRED, which + " has expired", e);
        }
        if (reason == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
            return new SvidRejectedException(SvidRejectedException.Reason.NOT_YET_VALID, which + " is not valid yet", e);
        }
        if (reason == PKIXReason.NOT_CA_CERT) {
            return new SvidRejectedException(SvidRejectedException.Reason.PATH_INVALID,
                    which + " signs the next one but is not a CA", e);
        }
        if (reason == PKIXReason.NO_TRUST_ANCHOR) {
            return new SvidRejectedException(SvidRejectedException.Reason.PATH_INVALID,
                    "the client certificate chain does not lead to an X.509 authority of trust domain "
                            + trustDomain.getName(), e);
        }
        String detail = reason == null ? "" : " (" + reason.toString().toLowerCase(Locale.ROOT) + ")";
        return new SvidRejectedException(SvidRejectedException.Reason.PATH_INVALID,
                "path validation to the X.509 authorities of trust domain " + trustDomain.getName()
                        + " failed at " + which + detail, e);
    }

    private static boolean flag(boolean[] usage, int bit) {
        return usage.length > bit && usage[bit];
    }

    private static List<String> uriSans(X509Certificate cert) {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans == null) {
                return List.of();
            }
            List<String> uris = new ArrayList<>();
            for (List<?> san : sans) {
                if (san.size() >= 2 && san.get(0) instanceof Integer type && type == SAN_URI
                        && san.get(1) instanceof String value) {
                    uris.add(value);
                }
            }
            return uris;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }
}
