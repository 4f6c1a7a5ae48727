package dev.arbiter.engine.rules;

/** What a rule does in the decision path. */
public enum RuleKind {
    /** A bool expression; false blocks the action. */
    GATE,
    /** A double expression multiplied into the size, clamped to [0, 1]. */
    SIZING
}
