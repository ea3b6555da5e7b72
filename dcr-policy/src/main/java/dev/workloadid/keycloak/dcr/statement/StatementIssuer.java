package dev.workloadid.keycloak.dcr.statement;

import dev.workloadid.keycloak.common.settings.Choice;

import com.nimbusds.jose.jwk.JWKSet;
import dev.workloadid.keycloak.dcr.rules.MetadataRules;

import java.net.URI;
import java.text.ParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One trusted issuer of software statements, as configured on the realm page "Software statement
 * issuers": its {@code iss} value and where its keys come from.
 *
 * @param name        the issuer name policies refer to (the {@code iss} value, or the trust domain)
 * @param issuer      the {@code iss} value statements carry (for key source spiffe: optional)
 * @param keySource   jwks_uri, static or spiffe
 * @param jwksUri     for jwks_uri: an https URL fetched through the pack's SSRF-safe fetcher
 * @param staticJwks  for static: the JWK set
 * @param trustDomain for spiffe: the trust domain whose JWT-SVIDs serve as statements
 */
public record StatementIssuer(String name, String issuer, KeySource keySource, URI jwksUri, JWKSet staticJwks,
                              String trustDomain) {

    /** Where an issuer's keys come from; realm JSON may name a source by its id or by its console words. */
    public enum KeySource implements Choice {
        JWKS_URI("jwks_uri", "JWKS URL"), STATIC("static", "Static JWK set"), SPIFFE("spiffe", "SPIFFE trust domain");

        private final Words words;

        KeySource(String value, String label) {
            this.words = new Words(value, label);
        }

        @Override
        public Words words() {
            return words;
        }
    }

    public static final String ISSUER = "issuer";
    public static final String KEY_SOURCE = "keySource";
    public static final String JWKS_URI = "jwksUri";
    public static final String STATIC_JWKS = "staticJwks";
    public static final String TRUST_DOMAIN = "trustDomain";

    /** Reads a component's config (first value of each key); IllegalArgumentException when invalid. */
    public static StatementIssuer from(Map<String, List<String>> config) {
        String issuer = first(config, ISSUER);
        String source = first(config, KEY_SOURCE);
        KeySource keySource = Choice.parse(KeySource.class, KEY_SOURCE, source == null ? "jwks_uri" : source);
        switch (keySource) {
            case JWKS_URI -> {
                requireIssuer(issuer);
                String uri = first(config, JWKS_URI);
                if (uri == null) {
                    throw new IllegalArgumentException("jwksUri is required for key source " + KeySource.JWKS_URI.label());
                }
                URI jwksUri;
                try {
                    jwksUri = MetadataRules.checkHttpsUrl(uri, "jwksUri");
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("jwksUri must be an absolute https URL");
                }
                return new StatementIssuer(issuer, issuer, keySource, jwksUri, null, null);
            }
            case STATIC -> {
                requireIssuer(issuer);
                String jwks = first(config, STATIC_JWKS);
                if (jwks == null) {
                    throw new IllegalArgumentException("staticJwks is required for key source " + KeySource.STATIC.label());
                }
                JWKSet set;
                try {
                    set = JWKSet.parse(jwks);
                } catch (ParseException e) {
                    throw new IllegalArgumentException("staticJwks is not a JWK set: " + e.getMessage());
                }
                if (set.getKeys().isEmpty() || set.getKeys().stream().anyMatch(k -> k.isPrivate())) {
                    throw new IllegalArgumentException("staticJwks must hold at least one public key and no private keys");
                }
                return new StatementIssuer(issuer, issuer, keySource, null, set, null);
            }
            default -> {
                String td = first(config, TRUST_DOMAIN);
                if (td == null || td.startsWith("spiffe://") || td.contains("/")) {
                    throw new IllegalArgumentException("trustDomain (e.g. example.org, no spiffe://) is required for key source " + KeySource.SPIFFE.label());
                }
                td = td.toLowerCase(Locale.ROOT);
                return new StatementIssuer(issuer == null ? td : issuer, issuer, keySource, null, null, td);
            }
        }
    }

    private static void requireIssuer(String issuer) {
        if (issuer == null) {
            throw new IllegalArgumentException("issuer (the iss value of the statements) is required for this key source");
        }
    }

    private static String first(Map<String, List<String>> config, String key) {
        List<String> values = config.get(key);
        if (values == null || values.isEmpty() || values.get(0) == null || values.get(0).isBlank()) {
            return null;
        }
        return values.get(0).trim();
    }
}
