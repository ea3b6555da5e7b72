package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import dev.workloadid.keycloak.common.registration.SpiffeBindings;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdFormatException;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdMatcher;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdPattern;
import dev.workloadid.keycloak.spiffe.id.SpiffeIds;
import io.spiffe.spiffeid.SpiffeId;
import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the client a SPIFFE ID authenticates as, through the client attribute {@value #SPIFFE_ID_ATTRIBUTE}
 * (an exact SPIFFE ID or a pattern ending in {@code /*}, SCA-50/51). Only clients whose
 * authenticator is one of the pack's SPIFFE authenticators take part.
 *
 * <p>Lookups are indexed attribute queries, one per candidate pattern: for
 * {@code spiffe://td/a/b} those are the ID itself, {@code spiffe://td/a/*} and {@code spiffe://td/*}.
 * So the cost grows with the path depth, not with the number of clients.
 */
public final class SpiffeClients {

    /**
     * The client attribute holding the SPIFFE ID (or /* pattern) a client accepts. It is Keycloak's
     * own "federated subject" attribute: the subject of the client's credential JWT, which is what a
     * SPIFFE ID is here. Keycloak lets clients be searched only by attributes on its searchable list,
     * and this one is always on it, so the pack needs no server option to look clients up. Stock
     * {@code federated-jwt} reads it only for clients whose authenticator is {@code federated-jwt}.
     */
    public static final String SPIFFE_ID_ATTRIBUTE = PackClientAttributes.SPIFFE_BINDING;
    private static final Logger LOG = Logger.getLogger(SpiffeClients.class);
    /** Rows per query page, and the most rows read for one value before it counts as misconfigured. */
    private static final int PAGE = 20;
    private static final int MAX_ROWS = 200;
    /**
     * Binding values already parsed (a pure function of the text): every authentication checks its
     * client's binding, and parsing it each time showed in profiles. Past the bound it starts over.
     */
    private static final int MAX_PARSED_PATTERNS = 10_000;
    private static final Map<String, SpiffeIdPattern> PARSED_PATTERNS = new ConcurrentHashMap<>();

    private SpiffeClients() {
    }

    /** The patterns that could match {@code id}, most specific first: the ID, then each /* prefix. */
    static List<String> candidatePatterns(SpiffeId id) {
        List<String> result = new ArrayList<>();
        result.add(SpiffeIds.text(id));
        String path = id.getPath();
        String base = "spiffe://" + id.getTrustDomain().getName();
        int cut = path.lastIndexOf('/');
        while (cut >= 0) {
            result.add(base + path.substring(0, cut) + "/*");
            cut = cut == 0 ? -1 : path.lastIndexOf('/', cut - 1);
        }
        return result;
    }

    /**
     * Exact registration first, then the most specific {@code /*} pattern; a tie is reported as
     * {@link SpiffeIdMatcher.Ambiguous}, never resolved by order.
     */
    public static SpiffeIdMatcher.Result<ClientModel> associate(KeycloakSession session, RealmModel realm,
                                                               SpiffeId id, Set<String> authenticatorTypes) {
        Map<String, SpiffeIdMatcher.Entry<ClientModel>> entries = new LinkedHashMap<>();
        for (String candidate : candidatePatterns(id)) {
            for (ClientModel c : boundTo(session, realm, candidate)) {
                SpiffeIdPattern pattern = qualifies(c, authenticatorTypes) ? pattern(c) : null;
                // Re-checked here: a case-insensitive database collation may return near misses.
                if (pattern != null && pattern.matches(id)) {
                    entries.putIfAbsent(c.getId(), new SpiffeIdMatcher.Entry<>(pattern, c));
                }
            }
            if (!entries.isEmpty()) {
                // Candidates come most specific first, so the first level with a registration holds
                // the winner (or the tie): less specific levels cannot change the outcome. Exact
                // registrations, the common case, thus cost one indexed query.
                break;
            }
        }
        return SpiffeIdMatcher.match(id, entries.values());
    }

    /** Whether a client may take part in client_id-less association at all (its binding aside). */
    static boolean qualifies(ClientModel client, Set<String> authenticatorTypes) {
        return authenticatorTypes.contains(client.getClientAuthenticatorType()) && !client.isPublicClient()
                && !isSelfAsserted(client) && trustedBinding(client);
    }

    /**
     * Whether the client's binding was made by an administrator or the pack (see
     * {@link SpiffeBindings#trusted}): a client created through a registration endpoint, which
     * Keycloak gives a registration access token, counts only with the attested-registration marker.
     * So a binding a registration endpoint let through (a realm without the registration policies, or
     * one from before them) never answers for a SPIFFE ID.
     */
    static boolean trustedBinding(ClientModel client) {
        return SpiffeBindings.trusted(client.getRegistrationToken() != null,
                client.getAttribute(PackClientAttributes.SPIFFE_REGISTRATION));
    }

    /** Whether a client using one of {@code authenticatorTypes} (e.g. federated-jwt) is bound to exactly this ID. */
    public static boolean claimedBy(KeycloakSession session, RealmModel realm, SpiffeId id, Set<String> authenticatorTypes) {
        return boundTo(session, realm, id.toString()).stream()
                .anyMatch(c -> authenticatorTypes.contains(c.getClientAuthenticatorType()) && trustedBinding(c));
    }

    /**
     * Every client whose binding attribute is {@code value}, read page by page: a first page full of
     * clients that do not qualify must not hide one that does (that would hand the ID to a less
     * specific registration). More than {@value #MAX_ROWS} is a misconfiguration and fails closed.
     */
    private static List<ClientModel> boundTo(KeycloakSession session, RealmModel realm, String value) {
        List<ClientModel> result = new ArrayList<>();
        // One row past the limit tells "exactly MAX_ROWS" from "more than MAX_ROWS".
        for (int first = 0; first <= MAX_ROWS; first += PAGE) {
            List<ClientModel> page = session.clients()
                    .searchClientsByAttributes(realm, Map.of(SPIFFE_ID_ATTRIBUTE, value), first, PAGE).toList();
            result.addAll(page);
            if (page.size() < PAGE && result.size() <= MAX_ROWS) {
                return result;
            }
            if (result.size() > MAX_ROWS) {
                break;
            }
        }
        LOG.warnf("Realm %s: more than %d clients have %s = %s; refusing to pick one", realm.getName(), MAX_ROWS,
                SPIFFE_ID_ATTRIBUTE, value);
        throw new TooManyBindingsException(value, MAX_ROWS);
    }

    /** Too many clients bound to one value to choose between them safely. */
    static final class TooManyBindingsException extends RuntimeException {
        TooManyBindingsException(String value, int max) {
            super("more than " + max + " clients are bound to " + value + "; fix the registrations");
        }
    }

    /**
     * Clients whose SPIFFE binding comes from a document the client's owner controls (a Client ID
     * Metadata Document's spiffe_id). They take part only when the request names them by client_id
     * (SCA-08); otherwise any document host could claim, shadow or widen another workload's SPIFFE ID.
     */
    static boolean isSelfAsserted(ClientModel client) {
        return "true".equals(client.getAttribute(PackClientAttributes.DOCUMENT_MANAGED));
    }

    /** Whether the client is registered for this SPIFFE ID (exact or pattern), SCA-P1/SCA-P3. */
    public static boolean authorizes(ClientModel client, SpiffeId id) {
        SpiffeIdPattern pattern = trustedBinding(client) ? pattern(client) : null;
        return pattern != null && pattern.matches(id);
    }

    static SpiffeIdPattern pattern(ClientModel client) {
        // A document client's own claim, which applies only when the request names it (SCA-08). The
        // fallback reads what cimd-resolver 0.1.0 stored, until the document's next refresh moves it.
        String value = isSelfAsserted(client)
                ? firstNonBlank(client.getAttribute(PackClientAttributes.DOCUMENT_SPIFFE_ID), client.getAttribute(SPIFFE_ID_ATTRIBUTE))
                : client.getAttribute(SPIFFE_ID_ATTRIBUTE);
        if (value == null || value.isBlank()) {
            return null;
        }
        SpiffeIdPattern known = PARSED_PATTERNS.get(value);
        if (known != null) {
            return known;
        }
        try {
            SpiffeIdPattern parsed = SpiffeIdPattern.parse(value.trim());
            if (PARSED_PATTERNS.size() >= MAX_PARSED_PATTERNS) {
                PARSED_PATTERNS.clear();
            }
            PARSED_PATTERNS.put(value, parsed);
            return parsed;
        } catch (SpiffeIdFormatException e) {
            LOG.warnf("Client %s has an invalid %s '%s': %s", client.getClientId(), SPIFFE_ID_ATTRIBUTE, value, e.getMessage());
            return null;
        }
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : b;
    }
}
