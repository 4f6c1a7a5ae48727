package dev.arbiter.engine.rules;

import java.util.List;

/** The rules of one rule set version, compiled, in evaluation order. Immutable and thread-safe. */
public final class CompiledRuleSet {

    /** No rules: every decision is made by the built-in gates and sizing alone. */
    public static final CompiledRuleSet EMPTY = new CompiledRuleSet(List.of(), List.of());

    private final List<CompiledRule> rules;
    private final List<String> featureNames;

    CompiledRuleSet(List<CompiledRule> rules, List<String> featureNames) {
        this.rules = List.copyOf(rules);
        this.featureNames = List.copyOf(featureNames);
    }

    public List<CompiledRule> rules() {
        return rules;
    }

    public int size() {
        return rules.size();
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** The feature names, in schema order, that rules were checked against and are evaluated with. */
    public List<String> featureNames() {
        return featureNames;
    }
}
