package dev.arbiter.engine.rules;

/**
 * One decision rule as written: a stable id, a CEL expression over {@link RuleVariables}, its kind and a
 * one-sentence description.
 */
public record RuleDefinition(String id, String expression, RuleKind kind, String description) {
}
