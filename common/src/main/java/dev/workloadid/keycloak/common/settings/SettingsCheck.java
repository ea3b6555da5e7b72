package dev.workloadid.keycloak.common.settings;

import dev.workloadid.keycloak.common.net.HostNames;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.provider.ProviderConfigProperty;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Save-time validation of a pack setting form (a realm page entry or a registration policy), shared
 * by every module so that all of them refuse bad input the same way: an error names the field by the
 * label the administrator sees on screen, quotes the value that was refused, and nothing is saved.
 *
 * <p>Use from {@code ComponentFactory.validateConfiguration}:
 * {@code SettingsCheck.validate(getConfigProperties(), model.getConfig(), check -> ...)}. The generic
 * rules (on/off fields are true or false, number fields are whole numbers) run first; then the
 * module's own rules, which may throw {@link IllegalArgumentException}: a config key in its message
 * is replaced by the field's label.
 */
public final class SettingsCheck {

    /**
     * The type of a read-only list column: the console draws no form field for a type it has no editor
     * for, but a page can still name the property as a list column; the factory fills it on save.
     */
    public static final String COLUMN_TYPE = "wi-column";

    /** Keys that are plain English words are not rephrased (they may be meant as words in a message). */
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern KEY_LIKE = Pattern.compile(".*[A-Z0-9_-].*");

    private final Map<String, ProviderConfigProperty> properties = new LinkedHashMap<>();
    private final Map<String, List<String>> config;

    public SettingsCheck(List<ProviderConfigProperty> properties, Map<String, List<String>> config) {
        properties.forEach(p -> this.properties.put(p.getName(), p));
        this.config = config == null ? Map.of() : config;
    }

    /** A read-only list column (see {@link #COLUMN_TYPE}), filled by the page factory on save. */
    public static ProviderConfigProperty column(String name, String label) {
        ProviderConfigProperty p = new ProviderConfigProperty();
        p.setName(name);
        p.setLabel(label);
        p.setType(COLUMN_TYPE);
        p.setHelpText("Filled in on save.");
        return p;
    }

    /**
     * Runs the generic rules and then {@code rules}.
     *
     * @throws ComponentValidationException whose message names the label of the refused field
     */
    public static void validate(List<ProviderConfigProperty> properties, Map<String, List<String>> config,
                                Consumer<SettingsCheck> rules) throws ComponentValidationException {
        SettingsCheck check = new SettingsCheck(properties, config);
        try {
            check.generic();
            rules.accept(check);
        } catch (IllegalArgumentException e) {
            throw refusal(check.rephrase(e.getMessage()));
        }
    }

    /**
     * A refusal with exactly this text on screen: Keycloak's admin REST formats a component
     * validation message with {@link java.text.MessageFormat}, which would drop quotes and choke on braces.
     */
    public static ComponentValidationException refusal(String message) {
        String escaped = message.replace("'", "''").replace("{", "'{'").replace("}", "'}'");
        return new ComponentValidationException(escaped);
    }

    /** Booleans are true or false; integer fields hold whole numbers (of any size: ranges are the module's rules). */
    void generic() {
        for (ProviderConfigProperty p : properties.values()) {
            if (ProviderConfigProperty.BOOLEAN_TYPE.equals(p.getType())) {
                bool(p.getName());
            } else if (ProviderConfigProperty.INTEGER_TYPE.equals(p.getType())) {
                String v = value(p.getName());
                if (v != null && !WHOLE_NUMBER.matcher(v).matches()) {
                    throw notWholeNumber(p.getName(), v);
                }
            }
        }
    }

    /** The field's label in quotes, as the person sees it; the key itself for a field the form does not show. */
    public String label(String key) {
        ProviderConfigProperty p = properties.get(key);
        return "\u201c" + (p == null || p.getLabel() == null ? key : p.getLabel()) + "\u201d";
    }

    /** The first non-blank value, trimmed, else the field's default, else null. */
    public String value(String key) {
        for (String v : raw(key)) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        ProviderConfigProperty p = properties.get(key);
        Object fallback = p == null ? null : p.getDefaultValue();
        return fallback == null || fallback.toString().isBlank() ? null : fallback.toString().trim();
    }

    /** An on/off field: true or false (any case); blank means its default. */
    public boolean bool(String key) {
        String v = value(key);
        if (v == null) {
            return false;
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (!lower.equals("true") && !lower.equals("false")) {
            throw new IllegalArgumentException(label(key) + " must be on or off (true or false), not \u201c" + v + "\u201d");
        }
        return lower.equals("true");
    }

    /**
     * A whole number from {@code min} to {@code max}; blank means the field's default.
     *
     * @return the number, or {@code min} if the field is blank and has no default
     */
    public long wholeNumber(String key, long min, long max) {
        String v = value(key);
        if (v == null) {
            return min;
        }
        if (!WHOLE_NUMBER.matcher(v).matches()) {
            throw notWholeNumber(key, v);
        }
        BigInteger n = new BigInteger(v);
        if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new IllegalArgumentException(label(key) + " must be from " + min + " to " + max + ", not " + v);
        }
        return n.longValueExact();
    }

    /**
     * The entries of a list field: the console stores them as separate values, or as one value
     * joined with {@code ##}; blank entries are dropped.
     */
    public List<String> entries(String key) {
        List<String> out = new ArrayList<>();
        for (String v : raw(key)) {
            if (v == null) {
                continue;
            }
            Arrays.stream(v.split("##")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        }
        return out;
    }

    /**
     * Each entry of a list field through {@code rule}, which returns the entry's normal form or throws
     * {@link IllegalArgumentException} with the reason (completing the sentence "entry X ...").
     */
    public List<String> entries(String key, UnaryOperator<String> rule) {
        List<String> out = new ArrayList<>();
        for (String entry : entries(key)) {
            try {
                out.add(rule.apply(entry));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(label(key) + ": the entry \u201c" + entry + "\u201d " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** A host list ({@link HostNames#entry}): exact host names or {@code *.example.com}, IDN-normalised. */
    public List<String> hosts(String key) {
        return entries(key, HostNames::entry);
    }

    /**
     * A module's message with config keys (as in realm JSON) replaced by the labels on screen, the key
     * kept in brackets for realm-file authors: {@code maxSvidLifetimeSeconds must be ...} reads
     * {@code “Maximum JWT-SVID lifetime (s)” (maxSvidLifetimeSeconds) must be ...}.
     */
    public String rephrase(String message) {
        if (message == null) {
            return "invalid setting";
        }
        String out = message;
        List<String> keys = properties.keySet().stream().filter(k -> KEY_LIKE.matcher(k).matches())
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        for (String key : keys) {
            String label = properties.get(key).getLabel();
            if (label == null) {
                continue;
            }
            out = Pattern.compile("(?<![\\w\u201c(-])" + Pattern.quote(key) + "(?![\\w\u201d-])").matcher(out)
                    .replaceAll(Matcher.quoteReplacement("\u201c" + label + "\u201d (" + key + ")"));
        }
        return out;
    }

    private IllegalArgumentException notWholeNumber(String key, String value) {
        return new IllegalArgumentException(label(key) + " must be a whole number, not \u201c" + value + "\u201d");
    }

    private List<String> raw(String key) {
        List<String> values = config.get(key);
        return values == null ? List.of() : values;
    }
}
