package dev.workloadid.keycloak.spiffe.id;

import io.spiffe.spiffeid.SpiffeId;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Finds the owner (for example a client) of a SPIFFE ID among registered patterns.
 *
 * <p>Rule: an exact match beats any prefix pattern, and among prefix patterns the one with the most
 * path segments wins. If several <em>different</em> owners share the winning specificity, the result
 * is {@link Ambiguous}: two clients claiming the same identity is a configuration error to report,
 * never "first one wins" (stock Keycloak silently picks one on a warm cache). The same owner
 * appearing more than once at the winning level is not ambiguous. Owners are compared with
 * {@link Object#equals(Object)}, so use a stable key such as the client's internal id.
 */
public final class SpiffeIdMatcher {

    private SpiffeIdMatcher() {
    }

    /** One registration: a pattern and who owns it. */
    public record Entry<T>(SpiffeIdPattern pattern, T owner) {
        public Entry {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(owner, "owner");
        }
    }

    /** Outcome of {@link #match}. */
    public sealed interface Result<T> permits Match, Ambiguous, NoMatch {
    }

    /** Exactly one owner wins; {@code pattern} is the winning pattern (for logging and auditing). */
    public record Match<T>(T owner, SpiffeIdPattern pattern) implements Result<T> {
    }

    /**
     * Several different owners tie at the winning specificity. {@code owners} is distinct, in the
     * iteration order of the input; {@code specificity} is the tied level.
     */
    public record Ambiguous<T>(List<T> owners, int specificity) implements Result<T> {
        public Ambiguous {
            owners = List.copyOf(owners);
        }
    }

    /** No pattern matches. */
    public record NoMatch<T>() implements Result<T> {
    }

    /** Applies the rule described on the class. Never throws for a null or empty input. */
    public static <T> Result<T> match(SpiffeId id, Iterable<? extends Entry<? extends T>> entries) {
        if (id == null || entries == null) {
            return new NoMatch<>();
        }
        int best = Integer.MIN_VALUE;
        List<Entry<? extends T>> winners = new ArrayList<>();
        for (Entry<? extends T> entry : entries) {
            if (entry == null || !entry.pattern().matches(id)) {
                continue;
            }
            int specificity = entry.pattern().specificity();
            if (specificity > best) {
                best = specificity;
                winners.clear();
                winners.add(entry);
            } else if (specificity == best) {
                winners.add(entry);
            }
        }
        if (winners.isEmpty()) {
            return new NoMatch<>();
        }
        List<T> owners = new ArrayList<>();
        for (Entry<? extends T> winner : winners) {
            if (!owners.contains(winner.owner())) {
                owners.add(winner.owner());
            }
        }
        if (owners.size() > 1) {
            return new Ambiguous<>(owners, best);
        }
        return new Match<>(winners.get(0).owner(), winners.get(0).pattern());
    }
}
