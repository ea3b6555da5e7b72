package dev.workloadid.keycloak.common.registration;

import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The one rule for what a client registration request (any endpoint: Keycloak's {@code default} and
 * {@code openid-connect}, the pack's {@code rfc7591}) may not claim, because the pack reads it as a
 * fact: client IDs shaped like a URL (they would stand in for a Client ID Metadata Document) or like a
 * SPIFFE ID (they would stand in for a workload's registration-free client), and the attributes under
 * {@link PackClientAttributes#RESERVED_PREFIXES}. Each module's registration policy applies it.
 *
 * <p>Shapes are judged on a {@linkplain #skeleton skeleton}, not on the raw text: Keycloak finds a
 * client_id with SQL {@code =}, and case-, accent- or width-insensitive collations (MySQL/MariaDB
 * {@code utf8mb4_*_ci}, SQL Server {@code *_CI_AI}) return {@code httpś://x}, {@code ｈttps://x} or a
 * zero-width-space-prefixed {@code https://x} for {@code https://x}. The skeleton is at least as coarse
 * as any of them for the scheme letters, so whatever such a database could match is refused.
 */
public final class ReservedNames {

    private ReservedNames() {
    }

    /**
     * The text as the coarsest collation could see it: NFKC (width, compatibility forms, {@code ſ}),
     * full case folding, NFD with every mark removed (accents), control, format, default-ignorable,
     * white-space and unassigned code points removed, and look-alikes of the letters and the colon of
     * {@code http:}, {@code https:} and {@code spiffe:} mapped to them.
     */
    public static String skeleton(String text) {
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKC).toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        String decomposed = Normalizer.normalize(Normalizer.normalize(folded, Normalizer.Form.NFKC), Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(decomposed.length());
        decomposed.codePoints().filter(cp -> !invisible(cp)).map(ReservedNames::unconfuse).forEach(out::appendCodePoint);
        return out.toString();
    }

    /** Whether the client_id is, or a lenient database could take it for, an http(s) URL. */
    public static boolean urlShaped(String clientId) {
        if (clientId == null) {
            return false;
        }
        String s = skeleton(clientId);
        return s.startsWith("https:") || s.startsWith("http:");
    }

    /** Whether the client_id is, or a lenient database could take it for, a SPIFFE ID. */
    public static boolean spiffeShaped(String clientId) {
        return clientId != null && skeleton(clientId).startsWith("spiffe:");
    }

    /** Whether an attribute name (in any form a lenient database could match) is one only the pack writes. */
    public static boolean reservedAttribute(String name) {
        if (name == null) {
            return false;
        }
        String s = skeleton(name);
        return PackClientAttributes.RESERVED_PREFIXES.stream().anyMatch(s::startsWith);
    }

    /**
     * @param requested the client_id asked for (null: the endpoint generates one)
     * @param current   the client's client_id now (null on create): keeping it is never refused
     * @return why it is refused, empty if it may proceed
     */
    public static Optional<String> checkClientId(String requested, String current) {
        return checkClientId(requested, current, true);
    }

    /**
     * @param urlClientIds whether URL client IDs name documents in this realm: only then are URL-shaped
     *                     client IDs refused (elsewhere they are ordinary, e.g. SAML entity IDs)
     */
    public static Optional<String> checkClientId(String requested, String current, boolean urlClientIds) {
        if (requested == null || requested.equals(current)) {
            return Optional.empty();
        }
        if (urlClientIds && urlShaped(requested)) {
            return Optional.of("client_id '" + requested.trim() + "' is a URL, or reads as one to a case- or "
                    + "accent-insensitive database: URL client IDs name Client ID Metadata Documents, resolved from the "
                    + "document at that URL, and cannot be registered");
        }
        if (spiffeShaped(requested)) {
            return Optional.of("client_id '" + requested.trim() + "' has the shape of a SPIFFE ID: such client IDs "
                    + "belong to SPIFFE workloads (their registration-free clients) and cannot be registered");
        }
        return Optional.empty();
    }

    /**
     * @param requested    the attributes asked for (may be null)
     * @param current      the client's attributes now (null on create): repeating a value unchanged
     *                     is never refused (Keycloak's {@code default} endpoint sends them all back)
     * @param writtenByPack true when the pack's own endpoint filled in the attributes, not the caller
     * @return why the request is refused, empty if it may proceed
     */
    public static Optional<String> checkAttributes(Map<String, String> requested, Map<String, String> current,
                                                   boolean writtenByPack) {
        if (requested == null || writtenByPack) {
            return Optional.empty();
        }
        for (Map.Entry<String, String> e : requested.entrySet()) {
            String name = e.getKey();
            if (!reservedAttribute(name)) {
                continue;
            }
            if (current != null && current.containsKey(name) && Objects.equals(e.getValue(), current.get(name))) {
                continue;
            }
            return Optional.of(attributeReason(name));
        }
        return Optional.empty();
    }

    /** The refusal of one reserved attribute name. */
    public static String attributeReason(String name) {
        return "attribute '" + name.trim() + "' is reserved: " + String.join("*, ", PackClientAttributes.RESERVED_PREFIXES)
                + "* attributes are kept by Keycloak for its document, SPIFFE and registered clients, and no "
                + "registration request may set, change or remove them";
    }

    /** Both checks: the client_id first, then the attributes. */
    public static Optional<String> check(String clientId, String currentClientId, Map<String, String> attributes,
                                         Map<String, String> currentAttributes, boolean writtenByPack,
                                         boolean urlClientIds) {
        return checkClientId(clientId, currentClientId, urlClientIds)
                .or(() -> checkAttributes(attributes, currentAttributes, writtenByPack));
    }

    private static boolean invisible(int cp) {
        switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.NON_SPACING_MARK, Character.ENCLOSING_MARK,
                 Character.COMBINING_SPACING_MARK, Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR,
                 Character.PARAGRAPH_SEPARATOR, Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE -> {
                return true;
            }
            default -> {
                return Character.isWhitespace(cp) || defaultIgnorable(cp);
            }
        }
    }

    /** Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties) not already caught by category. */
    private static boolean defaultIgnorable(int cp) {
        return cp == 0x00AD || cp == 0x034F || cp == 0x061C || (cp >= 0x115F && cp <= 0x1160)
                || (cp >= 0x17B4 && cp <= 0x17B5) || (cp >= 0x180B && cp <= 0x180F) || (cp >= 0x200B && cp <= 0x200F)
                || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164
                || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF0 && cp <= 0xFFF8)
                || (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) || (cp >= 0xE0000 && cp <= 0xE0FFF);
    }

    /** Look-alikes (after folding) of the letters of "http", "https", "spiffe" and of ':'. */
    private static int unconfuse(int cp) {
        return switch (cp) {
            case 0x04BB, 0x029C, 0x0570, 0x13C2 -> 'h';                 // һ ʜ հ Ꮒ
            case 0x03C4, 0x0442, 0x1D1B, 0x13A2 -> 't';                 // τ т ᴛ Ꭲ
            case 0x0440, 0x03C1, 0x03F1, 0x1D18, 0x2374 -> 'p';         // р ρ ϱ ᴘ ⍴
            case 0x0455, 0xA731, 0x01BD -> 's';                         // ѕ ꜱ ƽ
            case 0x0456, 0x0131, 0x0269, 0x03B9 -> 'i';                 // і ı ɩ ι
            case 0xA730, 0x0493, 0x03DD -> 'f';                         // ꜰ ғ ϝ
            case 0x0435, 0x1D07, 0x04BD -> 'e';                         // е ᴇ ҽ
            case 0x2236, 0xA789, 0x02F8, 0x0589, 0x05C3, 0x0703, 0x0704, 0x16EC, 0xFE30, 0x1361, 0x02D0 -> ':';
            default -> cp;
        };
    }
}
