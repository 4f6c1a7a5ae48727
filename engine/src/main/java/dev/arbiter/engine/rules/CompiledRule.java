package dev.arbiter.engine.rules;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Map;

/** One checked rule, ready to evaluate. Immutable and thread-safe. */
public final class CompiledRule {

    private final RuleDefinition definition;
    private final CelRuntime.Program program;

    CompiledRule(RuleDefinition definition, CelRuntime.Program program) {
        this.definition = definition;
        this.program = program;
    }

    public RuleDefinition definition() {
        return definition;
    }

    public String id() {
        return definition.id();
    }

    public RuleKind kind() {
        return definition.kind();
    }

    /**
     * Evaluates the rule: a gate answers 1 (pass) or 0 (block); a sizing rule answers its multiplier clamped
     * to [0, 1] (NaN counts as 0).
     *
     * @throws CelEvaluationException when evaluation fails (e.g. a feature that is missing for this observation)
     */
    public double evaluate(Map<String, Object> variables) throws CelEvaluationException {
        Object v = program.eval(variables);
        if (definition.kind() == RuleKind.GATE) {
            return Boolean.TRUE.equals(v) ? 1 : 0;
        }
        double m = ((Number) v).doubleValue();
        return m > 0 ? Math.min(m, 1) : 0;
    }

    /**
     * Evaluates the rule once, counting evaluation steps (one per expression node evaluated, comprehension
     * iterations included), and stops as soon as they exceed {@code budget}.
     *
     * @return the steps taken, or {@code budget + 1} when evaluation was stopped
     * @throws CelEvaluationException when evaluation fails for another reason
     */
    public long steps(Map<String, Object> variables, long budget) throws CelEvaluationException {
        long[] steps = {0};
        try {
            program.trace(variables, (expr, result) -> {
                if (++steps[0] > budget) {
                    throw new StepBudgetExceeded();
                }
            });
        } catch (StepBudgetExceeded e) {
            return budget + 1;
        } catch (CelEvaluationException e) {
            if (e.getCause() instanceof StepBudgetExceeded) {
                return budget + 1;
            }
            throw e;
        }
        return steps[0];
    }

    /** Thrown from the evaluation listener to stop an evaluation that ran past its step budget. */
    private static final class StepBudgetExceeded extends RuntimeException {
        StepBudgetExceeded() {
            super(null, null, false, false);
        }
    }
}
