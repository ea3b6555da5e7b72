package dev.workloadid.keycloak.common.settings;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One option of a select setting: the words the admin console offers (and stores) and the short
 * value realm files have always used. Either spelling selects the option.
 */
public interface Choice {

    /** An option's two spellings: the short value (e.g. {@code https_web}) and the words on screen. */
    record Words(String value, String label) {
    }

    Words words();

    /** The short value, e.g. {@code https_web}. */
    default String value() {
        return words().value();
    }

    /** The words on screen, e.g. {@code SPIFFE bundle endpoint}; realm files may use either spelling. */
    default String label() {
        return words().label();
    }

    /**
     * The option {@code text} names, by value or by label (ignoring case).
     *
     * @throws IllegalArgumentException naming {@code key} and every accepted spelling
     */
    static <E extends Enum<E> & Choice> E parse(Class<E> type, String key, String text) {
        String t = text == null ? "" : text.trim();
        for (E option : type.getEnumConstants()) {
            if (option.value().equalsIgnoreCase(t) || option.label().equalsIgnoreCase(t)) {
                return option;
            }
        }
        throw new IllegalArgumentException(key + " must be " + Arrays.stream(type.getEnumConstants())
                .map(o -> o.label() + " (" + o.value() + ")").collect(Collectors.joining(" or ")) + ", not '" + text + "'");
    }
}
