package dev.workloadid.keycloak.spiffe.trust;

import dev.workloadid.keycloak.common.settings.Choice;

import dev.workloadid.keycloak.spiffe.bundle.RefreshPolicy;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdFormatException;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdPattern;
import dev.workloadid.keycloak.spiffe.id.SpiffeIds;
import dev.workloadid.keycloak.spiffe.jwt.JwtSvidPolicy;
import io.spiffe.spiffeid.TrustDomain;

import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One trust domain of a realm, as the administrator configured it: where its bundle comes from, how
 * it is refreshed, how its JWT-SVIDs are checked, and whether its workloads may authenticate without
 * a registered client. Plain Java: built from the component's string config, validated here so the
 * admin console refuses bad input before anything is stored.
 *
 * <p>Config keys are the names administrators see in realm JSON and admin REST; docs/configuration.md
 * lists them.
 */
public record TrustDomainSettings(
        String id,
        TrustDomain trustDomain,
        BundleSourceType bundleSource,
        URI bundleEndpoint,
        String staticBundle,
        RefreshPolicy refreshPolicy,
        Duration maxSvidLifetime,
        Duration clockSkew,
        boolean replayProtection,
        boolean registrationFree,
        List<SpiffeIdPattern> registrationFreeAllowList,
        String registrationFreeTemplateClient,
        int registrationFreeMaxClients,
        boolean attestedRegistration,
        List<SpiffeIdPattern> attestedRegistrationAllowList) {

    public static final String TRUST_DOMAIN = "trustDomain";
    public static final String BUNDLE_SOURCE = "bundleSource";
    public static final String BUNDLE_ENDPOINT_URL = "bundleEndpointUrl";
    public static final String STATIC_BUNDLE = "staticBundle";
    public static final String REFRESH_FLOOR = "refreshHintFloorSeconds";
    public static final String REFRESH_CEILING = "refreshHintCeilingSeconds";
    public static final String MAX_STALENESS = "maxStalenessSeconds";
    public static final String MAX_SVID_LIFETIME = "maxSvidLifetimeSeconds";
    public static final String CLOCK_SKEW = "clockSkewSeconds";
    public static final String REPLAY_PROTECTION = "replayProtection";
    public static final String REGISTRATION_FREE = "registrationFree";
    public static final String REGISTRATION_FREE_ALLOW_LIST = "registrationFreeAllowList";
    public static final String REGISTRATION_FREE_TEMPLATE_CLIENT = "registrationFreeTemplateClient";
    public static final String REGISTRATION_FREE_MAX_CLIENTS = "registrationFreeMaxClients";
    public static final int DEFAULT_REGISTRATION_FREE_MAX_CLIENTS = 1000;
    static final int REGISTRATION_FREE_MAX_CLIENTS_LIMIT = 1_000_000;
    public static final String ATTESTED_REGISTRATION = "attestedRegistration";
    public static final String ATTESTED_REGISTRATION_ALLOW_LIST = "attestedRegistrationAllowList";

    /** Where a trust domain's bundle comes from. A Workload API source can be added as a new value. */
    public enum BundleSourceType implements Choice {
        /** SPIFFE bundle endpoint, https_web profile (SCA-61, FED-06), polled per refresh hint. */
        HTTPS_WEB("https_web", "SPIFFE bundle endpoint"),
        /** A bundle pasted by the administrator: SPIFFE bundle / JWK Set JSON, or PEM CA certificates. */
        STATIC("static", "Static bundle");

        private final Words words;

        BundleSourceType(String value, String label) {
            this.words = new Words(value, label);
        }

        @Override
        public Words words() {
            return words;
        }

        static BundleSourceType parse(String value) {
            return Choice.parse(BundleSourceType.class, BUNDLE_SOURCE, value);
        }
    }

    /**
     * Reads settings from a component's config ({@code key -> values}); {@code id} is the component id.
     *
     * @throws IllegalArgumentException with a message fit for the admin console when a value is invalid
     */
    public static TrustDomainSettings from(String id, Function<String, List<String>> config) {
        TrustDomain trustDomain = trustDomainOf(config);
        BundleSourceType source = BundleSourceType.parse(single(config, BUNDLE_SOURCE, "https_web"));
        URI endpoint = null;
        String staticBundle = single(config, STATIC_BUNDLE, null);
        if (source == BundleSourceType.HTTPS_WEB) {
            String url = single(config, BUNDLE_ENDPOINT_URL, null);
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("bundleEndpointUrl is required when bundleSource is " + BundleSourceType.HTTPS_WEB.label());
            }
            endpoint = httpsUrl(url.trim());
        } else if (staticBundle == null || staticBundle.isBlank()) {
            throw new IllegalArgumentException("staticBundle is required when bundleSource is " + BundleSourceType.STATIC.label());
        }
        // The same limits RefreshPolicy and JwtSvidPolicy enforce, checked here so that a value the
        // runtime would refuse is a 400 on save, not a failure of every request of the trust domain.
        Duration floor = seconds(config, REFRESH_FLOOR, RefreshPolicy.DEFAULT_FLOOR_SECONDS, 1,
                RefreshPolicy.MAX_FLOOR_SECONDS);
        Duration ceiling = seconds(config, REFRESH_CEILING, RefreshPolicy.DEFAULT_CEILING_SECONDS, 1,
                RefreshPolicy.MAX_CEILING_SECONDS);
        if (ceiling.compareTo(floor) < 0) {
            throw new IllegalArgumentException(REFRESH_CEILING + " must not be below " + REFRESH_FLOOR);
        }
        Duration staleness = seconds(config, MAX_STALENESS, RefreshPolicy.DEFAULT_MAX_STALENESS_SECONDS, 1,
                RefreshPolicy.MAX_STALENESS_SECONDS);
        if (staleness.compareTo(ceiling) <= 0) {
            throw new IllegalArgumentException(MAX_STALENESS + " must be longer than " + REFRESH_CEILING
                    + " (" + ceiling.toSeconds() + " s), or one missed refresh would already fail closed");
        }
        Duration lifetime = seconds(config, MAX_SVID_LIFETIME, JwtSvidPolicy.DEFAULT_MAX_LIFETIME.toSeconds(), 1,
                JwtSvidPolicy.MAX_LIFETIME_LIMIT.toSeconds());
        Duration skew = seconds(config, CLOCK_SKEW, JwtSvidPolicy.DEFAULT_CLOCK_SKEW.toSeconds(), 0,
                JwtSvidPolicy.CLOCK_SKEW_LIMIT.toSeconds());

        List<SpiffeIdPattern> allowList = patterns(config, REGISTRATION_FREE_ALLOW_LIST, trustDomain);
        boolean registrationFree = bool(config, REGISTRATION_FREE);
        if (registrationFree && allowList.isEmpty()) {
            throw new IllegalArgumentException("registrationFree needs at least one registrationFreeAllowList pattern,"
                    + " e.g. spiffe://" + trustDomain.getName() + "/ns/prod/*");
        }
        String template = single(config, REGISTRATION_FREE_TEMPLATE_CLIENT, null);
        int maxClients = (int) number(config, REGISTRATION_FREE_MAX_CLIENTS, DEFAULT_REGISTRATION_FREE_MAX_CLIENTS, 0,
                REGISTRATION_FREE_MAX_CLIENTS_LIMIT, "");
        boolean attested = bool(config, ATTESTED_REGISTRATION);
        List<SpiffeIdPattern> attestedAllowList = patterns(config, ATTESTED_REGISTRATION_ALLOW_LIST, trustDomain);
        if (attested && attestedAllowList.isEmpty()) {
            throw new IllegalArgumentException("attestedRegistration needs at least one attestedRegistrationAllowList pattern,"
                    + " e.g. spiffe://" + trustDomain.getName() + "/ns/prod/*");
        }
        return new TrustDomainSettings(id, trustDomain, source, endpoint, staticBundle,
                RefreshPolicy.of(floor, ceiling, staleness), lifetime, skew,
                bool(config, REPLAY_PROTECTION), registrationFree, List.copyOf(allowList),
                template == null || template.isBlank() ? null : template.trim(), maxClients,
                attested, List.copyOf(attestedAllowList));
    }

    /**
     * Just the trust domain a config names, parsed as {@link #from} parses it: so that two entries
     * are compared by trust domain (BND-07), not by how the administrator spelled it.
     *
     * @throws IllegalArgumentException if it names none
     */
    public static TrustDomain trustDomainOf(Function<String, List<String>> config) {
        String name = single(config, TRUST_DOMAIN, null);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("trustDomain is required, e.g. example.org");
        }
        try {
            return SpiffeIds.parseTrustDomain(name.trim());
        } catch (SpiffeIdFormatException e) {
            throw new IllegalArgumentException("trustDomain '" + name + "' is not a SPIFFE trust domain name: "
                    + e.getMessage(), e);
        }
    }

    /** Convenience for Keycloak's {@code MultivaluedHashMap<String, String>} component config. */
    public static TrustDomainSettings from(String id, Map<String, List<String>> config) {
        return from(id, key -> config.getOrDefault(key, List.of()));
    }

    /** Whether workloads of this SPIFFE ID may register a client themselves (DCR with their JWT-SVID). */
    public boolean allowsAttestedRegistration(io.spiffe.spiffeid.SpiffeId spiffeId) {
        return attestedRegistration && attestedRegistrationAllowList.stream().anyMatch(p -> p.matches(spiffeId));
    }

    private static List<SpiffeIdPattern> patterns(Function<String, List<String>> config, String key, TrustDomain trustDomain) {
        List<SpiffeIdPattern> result = new ArrayList<>();
        for (String value : values(config, key)) {
            try {
                SpiffeIdPattern pattern = SpiffeIdPattern.parse(value.trim());
                if (!pattern.trustDomain().equals(trustDomain)) {
                    throw new IllegalArgumentException(key + " entry '" + value + "' is not in trust domain "
                            + trustDomain.getName());
                }
                result.add(pattern);
            } catch (SpiffeIdFormatException e) {
                throw new IllegalArgumentException(key + " entry '" + value + "': " + e.getMessage(), e);
            }
        }
        return result;
    }

    /** Whether {@code registrationFreeAllowList} admits this SPIFFE ID. */
    public boolean allowsRegistrationFree(io.spiffe.spiffeid.SpiffeId spiffeId) {
        return registrationFree && registrationFreeAllowList.stream().anyMatch(p -> p.matches(spiffeId));
    }

    /**
     * Text that changes whenever a setting that affects the bundle changes, so a node notices an
     * edit made through another node and drops its cached bundle.
     */
    public String bundleFingerprint() {
        return trustDomain.getName() + '|' + bundleSource.value() + '|' + bundleEndpoint + '|'
                + (staticBundle == null ? 0 : staticBundle.hashCode()) + '|' + refreshPolicy.floor() + '|'
                + refreshPolicy.ceiling() + '|' + refreshPolicy.maxStaleness();
    }

    private static URI httpsUrl(String value) {
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bundleEndpointUrl is not a URL: " + value, e);
        }
        // FED-06: https_web endpoints are https URLs without userinfo.
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("bundleEndpointUrl must be an https URL (https_web profile): " + value);
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("bundleEndpointUrl must not contain userinfo");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("bundleEndpointUrl must not contain a fragment");
        }
        return uri;
    }

    private static List<String> values(Function<String, List<String>> config, String key) {
        List<String> values = config.apply(key);
        return values == null ? List.of() : values.stream().filter(v -> v != null && !v.isBlank()).toList();
    }

    private static String single(Function<String, List<String>> config, String key, String fallback) {
        List<String> values = values(config, key);
        return values.isEmpty() ? fallback : values.get(0);
    }

    private static boolean bool(Function<String, List<String>> config, String key) {
        return Boolean.parseBoolean(single(config, key, "false").trim());
    }

    private static Duration seconds(Function<String, List<String>> config, String key, long fallback, long min, long max) {
        return Duration.ofSeconds(number(config, key, fallback, min, max, " seconds"));
    }

    private static long number(Function<String, List<String>> config, String key, long fallback, long min, long max,
                               String unit) {
        String value = single(config, key, null);
        if (value == null) {
            return fallback;
        }
        String digits = value.trim();
        if (!digits.matches("[+-]?[0-9]+")) {
            throw new IllegalArgumentException(key + " must be a whole number" + (unit.isEmpty() ? "" : " of" + unit)
                    + ", not '" + value + "'");
        }
        // BigInteger: a number too large for a long is out of range, not a different kind of error.
        BigInteger number = new BigInteger(digits);
        if (number.compareTo(BigInteger.valueOf(min)) < 0 || number.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + unit + ", not " + digits);
        }
        return number.longValueExact();
    }
}
