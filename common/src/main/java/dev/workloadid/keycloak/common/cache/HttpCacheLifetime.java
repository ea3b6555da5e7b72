package dev.workloadid.keycloak.common.cache;

import dev.workloadid.keycloak.common.net.ConditionalHeaders;
import dev.workloadid.keycloak.common.net.FetchResult;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How long a successful response may be reused (RFC 9111 section 4.2), clamped to the admin's
 * floor and ceiling. The floor stops an origin from making us fetch on every request; the ceiling
 * bounds how long a revoked key or changed document can linger.
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li>{@code no-store} or {@code no-cache} (qualified or not): 0. {@code no-cache} still allows
 *       revalidation, so {@link #conditionalHeaders} keeps the validators; {@code no-store} does not.
 *   <li>{@code max-age}: that many seconds ({@code s-maxage} is ignored: it is for shared caches,
 *       and this is the private cache of one client, Keycloak). An invalid value means 0.
 *   <li>{@code Expires} minus {@code Date} (or minus now when Date is missing or invalid); an
 *       invalid {@code Expires} (such as "0") means 0.
 *   <li>Otherwise the default lifetime.
 * </ol>
 *
 * The {@code Age} header is then subtracted (never below 0). The apparent age from {@code Date} is
 * not used, so an origin with a skewed clock does not shorten lifetimes. With repeated directives
 * the first one counts. Finally the result is clamped: the floor applies even to no-store and
 * max-age=0, so set the floor to 0 to honour those strictly.
 */
public final class HttpCacheLifetime {

    /** RFC 9111 section 1.2.2: larger delta-seconds are treated as this. */
    private static final long MAX_DELTA_SECONDS = 2147483648L;
    /** RFC 850 after the day name, which is skipped: with a two-digit year it cannot be checked. */
    private static final DateTimeFormatter RFC_850 =
            DateTimeFormatter.ofPattern("dd-MMM-yy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

    private final Duration defaultLifetime;
    private final Duration floor;
    private final Duration ceiling;

    /**
     * @param defaultLifetime used when the response says nothing about freshness
     * @param floor the shortest lifetime returned
     * @param ceiling the longest lifetime returned
     */
    public HttpCacheLifetime(Duration defaultLifetime, Duration floor, Duration ceiling) {
        this.defaultLifetime = nonNegative(defaultLifetime, "defaultLifetime");
        this.floor = nonNegative(floor, "floor");
        this.ceiling = nonNegative(ceiling, "ceiling");
        if (floor.compareTo(ceiling) > 0) {
            throw new IllegalArgumentException("floor " + floor + " exceeds ceiling " + ceiling);
        }
    }

    public Duration lifetime(FetchResult response, Instant now) {
        return lifetime(response.headers(), now);
    }

    /** @param headers response headers; names are matched case-insensitively */
    public Duration lifetime(Map<String, String> headers, Instant now) {
        Objects.requireNonNull(now, "now");
        Duration origin = originLifetime(caseInsensitive(headers), now);
        if (origin.compareTo(floor) < 0) {
            return floor;
        }
        return origin.compareTo(ceiling) > 0 ? ceiling : origin;
    }

    /** Validators to revalidate a cached response with; none if it was marked no-store. */
    public static ConditionalHeaders conditionalHeaders(FetchResult cached) {
        return conditionalHeaders(cached.headers());
    }

    public static ConditionalHeaders conditionalHeaders(Map<String, String> cachedHeaders) {
        Map<String, String> h = caseInsensitive(cachedHeaders);
        if (directives(h.get("Cache-Control")).containsKey("no-store")) {
            return ConditionalHeaders.NONE;
        }
        return new ConditionalHeaders(h.get("ETag"), h.get("Last-Modified"));
    }

    private Duration originLifetime(Map<String, String> h, Instant now) {
        Map<String, String> cc = directives(h.get("Cache-Control"));
        if (cc.containsKey("no-store") || cc.containsKey("no-cache")) {
            return Duration.ZERO;
        }
        Duration fresh;
        if (cc.containsKey("max-age")) {
            long seconds = deltaSeconds(cc.get("max-age"));
            if (seconds < 0) {
                return Duration.ZERO;
            }
            fresh = Duration.ofSeconds(seconds);
        } else if (h.containsKey("Expires")) {
            Instant expires = httpDate(h.get("Expires"), now);
            if (expires == null) {
                return Duration.ZERO;
            }
            Instant date = httpDate(h.get("Date"), now);
            fresh = Duration.between(date == null ? now : date, expires);
        } else {
            fresh = defaultLifetime;
        }
        long age = deltaSeconds(h.get("Age")); // invalid Age is ignored (RFC 9111 section 5.1)
        Duration remaining = age > 0 ? fresh.minusSeconds(age) : fresh;
        return remaining.isNegative() ? Duration.ZERO : remaining;
    }

    /** Directive name (lower case) to argument (unquoted, "" when absent); first occurrence wins. */
    static Map<String, String> directives(String value) {
        Map<String, String> out = new HashMap<>();
        if (value == null) {
            return out;
        }
        for (String part : splitOutsideQuotes(value)) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String arg = eq < 0 ? "" : unquote(p.substring(eq + 1).trim());
            out.putIfAbsent(name, arg);
        }
        return out;
    }

    private static List<String> splitOutsideQuotes(String value) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < value.length()) {
                current.append(c);
                c = value.charAt(++i);
            } else if (c == ',' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        parts.add(current.toString());
        return parts;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    /** Non-negative delta-seconds capped at 2^31, or -1 when missing or invalid. */
    private static long deltaSeconds(String value) {
        if (value == null) {
            return -1;
        }
        String v = value.trim();
        if (v.isEmpty() || !v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return -1;
        }
        return v.length() > 10 ? MAX_DELTA_SECONDS : Math.min(Long.parseLong(v), MAX_DELTA_SECONDS);
    }

    /** IMF-fixdate, or the obsolete RFC 850 and asctime forms (RFC 9110 section 5.6.7); null if invalid. */
    static Instant httpDate(String value, Instant now) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        try {
            return ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the obsolete forms
        }
        try {
            Instant parsed = ZonedDateTime.parse(v.substring(v.indexOf(',') + 1).trim(), RFC_850).toInstant();
            // Two-digit years: more than 50 years ahead means the previous century.
            ZonedDateTime limit = now.atZone(ZoneOffset.UTC).plusYears(50);
            return parsed.isAfter(limit.toInstant())
                    ? parsed.atZone(ZoneOffset.UTC).minusYears(100).toInstant() : parsed;
        } catch (DateTimeParseException ignored) {
            // try asctime
        }
        try {
            return ZonedDateTime.parse(v, ASCTIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Map<String, String> caseInsensitive(Map<String, String> headers) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(Objects.requireNonNull(headers, "headers"));
        return h;
    }

    private static Duration nonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
        return d;
    }
}
