package dev.workloadid.keycloak.spiffe.authenticator;

import dev.workloadid.keycloak.spiffe.id.SpiffeIdFormatException;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdMatcher;
import dev.workloadid.keycloak.spiffe.id.SpiffeIdPattern;
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
    public static final String SPIFFE_ID_ATTRIBUTE = "jwt.credential.sub";
    private static final Logger LOG = Logger.getLogger(SpiffeClients.class);
    private static final int MAX_PER_PATTERN = 10;

    private SpiffeClients() {
    }

    /** The patterns that could match {@code id}, most specific first: the ID, then each /* prefix. */
    static List<String> candidatePatterns(SpiffeId id) {
        List<String> result = new ArrayList<>();
        result.add(id.toString());
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
            session.clients().searchClientsByAttributes(realm, Map.of(SPIFFE_ID_ATTRIBUTE, candidate), 0, MAX_PER_PATTERN)
                    .filter(c -> qualifies(c, authenticatorTypes))
                    .forEach(c -> {
                        SpiffeIdPattern pattern = pattern(c);
                        if (pattern != null) {
                            entries.putIfAbsent(c.getId(), new SpiffeIdMatcher.Entry<>(pattern, c));
                        }
                    });
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
                && !isSelfAsserted(client);
    }

    /** Whether a client using one of {@code authenticatorTypes} (e.g. federated-jwt) is bound to exactly this ID. */
    public static boolean claimedBy(KeycloakSession session, RealmModel realm, SpiffeId id, Set<String> authenticatorTypes) {
        return session.clients().searchClientsByAttributes(realm, Map.of(SPIFFE_ID_ATTRIBUTE, id.toString()), 0, MAX_PER_PATTERN)
                .anyMatch(c -> authenticatorTypes.contains(c.getClientAuthenticatorType()));
    }

    /**
     * Clients whose SPIFFE binding comes from a document the client's owner controls (a Client ID
     * Metadata Document's spiffe_id). They take part only when the request names them by client_id
     * (SCA-08); otherwise any document host could claim, shadow or widen another workload's SPIFFE ID.
     */
    static boolean isSelfAsserted(ClientModel client) {
        return "true".equals(client.getAttribute(CIMD_MANAGED_ATTRIBUTE));
    }

    /** Set by the cimd-resolver module on clients it creates from documents. */
    static final String CIMD_MANAGED_ATTRIBUTE = "cimd.managed";

    /** Whether the client is registered for this SPIFFE ID (exact or pattern), SCA-P1/SCA-P3. */
    public static boolean authorizes(ClientModel client, SpiffeId id) {
        SpiffeIdPattern pattern = pattern(client);
        return pattern != null && pattern.matches(id);
    }

    static SpiffeIdPattern pattern(ClientModel client) {
        String value = client.getAttribute(SPIFFE_ID_ATTRIBUTE);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return SpiffeIdPattern.parse(value.trim());
        } catch (SpiffeIdFormatException e) {
            LOG.warnf("Client %s has an invalid %s '%s': %s", client.getClientId(), SPIFFE_ID_ATTRIBUTE, value, e.getMessage());
            return null;
        }
    }
}
