package dev.arbiter.engine.rules;

/** A rule that cannot be loaded: it does not parse, does not type-check, reads unknown features or costs too much. */
public final class RuleRejected extends IllegalArgumentException {

    private final String ruleId;

    public RuleRejected(String ruleId, String message) {
        super("rule \"" + ruleId + "\": " + message);
        this.ruleId = ruleId;
    }

    /** The rule's id, as given. */
    public String ruleId() {
        return ruleId;
    }
}
