package dev.workloadid.keycloak.cimd.url;

/** A client_id URL or host refused before any fetch; the message is safe to show to the client. */
public final class UrlRuleException extends Exception {

    private static final long serialVersionUID = 1L;
    private final String rule;

    public UrlRuleException(String rule, String message) {
        super(message);
        this.rule = rule;
    }

    /** The checklist id of the broken rule, e.g. CIMD-05. */
    public String rule() {
        return rule;
    }
}
