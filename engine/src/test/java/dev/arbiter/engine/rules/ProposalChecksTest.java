package dev.arbiter.engine.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeatureSchema;
import dev.arbiter.engine.rules.ProposalChecks.Known;
import dev.arbiter.engine.rules.ProposalChecks.Result;
import dev.arbiter.engine.rules.ProposalChecks.Stage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every kind of hostile or broken expression a proposer (an LLM above all) can send is refused at its own step with a
 * reason that names it, and good rules pass every step, over the default feature schema.
 */
class ProposalChecksTest {

    private final ProposalChecks checks = new ProposalChecks(
            new RuleCompiler(FeatureSchema.of(FeatureConfig.defaults()).names()), ProposalChecks.Limits.defaults());

    private static final List<Known> LIVE = List.of(
            new Known("live rule min_agreement", "agreement >= 0.6"),
            new Known("live rule calm", "features.vol_20 < 0.02 && trend_strength > 0.3"));

    private Result gate(String expression) {
        return checks.check(new RuleDefinition("proposal", expression, RuleKind.GATE, "test"), LIVE);
    }

    private void refused(Stage stage, String expression, String reasonContains) {
        Result r = gate(expression);
        assertFalse(r.valid(), expression);
        assertEquals(stage, r.failed().orElseThrow().stage(), expression + ": " + r.failed().orElseThrow().detail());
        assertTrue(r.failed().orElseThrow().detail().contains(reasonContains),
                expression + ": \"" + r.failed().orElseThrow().detail() + "\" should say \"" + reasonContains + "\"");
        // the steps before the failed one passed, and none ran after it
        assertEquals(stage.ordinal() + 1, r.steps().size());
    }

    @Test
    void aGoodRulePassesEveryStepWithItsMeasures() {
        Result r = gate("confidence >= 0.55 && features.efficiency_ratio_14 > 0.4 && features.vol_20 < 0.03");
        assertTrue(r.valid(), () -> r.steps().toString());
        assertEquals(List.of(Stage.values()), r.steps().stream().map(ProposalChecks.Step::stage).toList());
        assertEquals("bool", r.resultType());
        assertEquals(List.of("confidence", "features"), r.variables());
        assertTrue(r.costBound() > 0 && r.costBound() < 30, "cost " + r.costBound());
        assertFalse(r.canonical().isEmpty());
    }

    @Test
    void aComprehensionOverTheFeaturesIsBoundedByTheirCount() {
        Result r = gate("features.all(k, features[k] < 100.0)");
        assertTrue(r.valid(), () -> r.steps().toString());
        // 21 features, each iteration costs the loop condition and step
        assertTrue(r.costBound() > 21 && r.costBound() < 500, "cost " + r.costBound());
    }

    @Test
    void syntaxErrorsAndEmptyExpressionsAreRefusedAtParse() {
        refused(Stage.PARSE, "agreement >= ", "does not parse");
        refused(Stage.PARSE, "agreement >= 0.6 &&& confidence > 0.5", "does not parse");
        refused(Stage.PARSE, "", "does not parse");
        refused(Stage.PARSE, "```cel\nagreement >= 0.6\n```", "does not parse");
    }

    @Test
    void variablesFromTheFutureAreRefusedAsLookAhead() {
        refused(Stage.LEAKAGE, "next_return > 0.0", "look-ahead");
        refused(Stage.LEAKAGE, "outcome == 1.0 && agreement > 0.5", "look-ahead");
        refused(Stage.LEAKAGE, "features.future_vol_20 < 0.01", "look-ahead");
        refused(Stage.LEAKAGE, "features[\"label\"] > 0.5", "look-ahead");
        refused(Stage.LEAKAGE, "realized_pnl > 0.0", "look-ahead");
    }

    @Test
    void unknownVariablesFunctionsAndNonBooleanGatesAreRefusedAtTypeCheck() {
        refused(Stage.TYPE_CHECK, "price > 100.0", "price");
        refused(Stage.TYPE_CHECK, "features.vol_999 < 0.01", "vol_999");
        refused(Stage.TYPE_CHECK, "system(\"rm -rf /\")", "does not compile");
        refused(Stage.TYPE_CHECK, "confidence * 2.0", "must yield bool");
        refused(Stage.TYPE_CHECK, "\"true\"", "must yield bool");
    }

    @Test
    void regexStringBuildingAndUnboundedComprehensionsAreRefusedAtCost() {
        refused(Stage.COST, "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaa!\".matches(\"(a+)+$\")", "matches");
        refused(Stage.COST, "(\"a\" + \"b\" + \"c\") == \"abc\"", "build");
        refused(Stage.COST, "size([1, 2] + [3, 4]) == 4", "build");
        refused(Stage.COST, "\"vol\".startsWith(\"v\") && agreement > 0.5", "startsWith");
        refused(Stage.COST, "string(confidence) == \"0.5\"", "string");
        // a date the proposer remembers cannot be named: there is no time variable, and timestamp() is not allowed
        refused(Stage.COST, "timestamp(\"2020-03-16T00:00:00Z\") < timestamp(\"2021-01-01T00:00:00Z\")", "timestamp");
        refused(Stage.COST, "[1, 2, 3].map(x, [x, x]).all(l, l.all(y, y > 0))", "computed range");
    }

    @Test
    void nestedComprehensionsOverTheFeaturesExceedTheCostLimit() {
        // 21 × 21 × 21 iterations of the innermost body
        refused(Stage.COST, "features.all(a, features.all(b, features.all(c, features[a] + features[b] + features[c] < 1e3)))",
                "worst-case cost");
    }

    @Test
    void hugeLiteralsDeepNestingAndTooManyConstantsAreRefusedAsTooComplex() {
        refused(Stage.COMPLEXITY, "confidence < 1e300", "larger than");
        StringBuilder deep = new StringBuilder("confidence");
        for (int i = 0; i < 14; i++) {
            deep.insert(0, "(").append(" + 0.0)");
        }
        refused(Stage.COMPLEXITY, deep + " > 0.5", "");
        refused(Stage.COMPLEXITY, "confidence > 0.1 && confidence > 0.2 && confidence > 0.3 && confidence > 0.4 && "
                + "agreement > 0.1 && agreement > 0.2 && agreement > 0.3 && agreement > 0.4 && volatility < 0.9", "constants");
    }

    @Test
    void aLongFeatureNameIsRefusedAtTypeCheckBeforeItsLengthMatters() {
        // unknown features fail earlier than the literal's length: the step that explains it best
        Result r = gate("features[\"" + "x".repeat(100) + "\"] < 0.5");
        assertEquals(Stage.TYPE_CHECK, r.failed().orElseThrow().stage());
    }

    @Test
    void nearDuplicatesOfLiveRulesAreRefusedAndDistinctRulesPass() {
        refused(Stage.DUPLICATE, "agreement >= 0.61", "live rule min_agreement");
        refused(Stage.DUPLICATE, "0.6 <= agreement", "live rule min_agreement");
        refused(Stage.DUPLICATE, "0.3 < trend_strength && features[\"vol_20\"] < 0.0201", "live rule calm");
        assertTrue(gate("agreement >= 0.8").valid(), "a clearly different threshold is another rule");
        assertTrue(gate("agreement >= 0.6 && confidence > 0.55").valid(), "a further condition is another rule");
    }

    @Test
    void eachAcceptedProposalBecomesKnownAndItsRepeatsAreRefused() {
        List<Known> known = new ArrayList<>(LIVE);
        RuleDefinition first = new RuleDefinition("p1", "features.mom_10 > 0.002 && direction == 1.0", RuleKind.GATE, "");
        Result r = checks.check(first, known);
        assertTrue(r.valid());
        known.add(new Known("proposal p1", first.expression()));
        Result again = checks.check(new RuleDefinition("p2", "1.0 == direction && 0.00201 < features.mom_10", RuleKind.GATE, ""), known);
        assertEquals(Stage.DUPLICATE, again.failed().orElseThrow().stage());
        assertTrue(again.failed().orElseThrow().detail().contains("proposal p1"));
    }

    @Test
    void sizingRulesAreCheckedLikeGates() {
        Result r = checks.check(new RuleDefinition("half_when_volatile", "volatility > 0.02 ? 0.5 : 1.0", RuleKind.SIZING, ""), LIVE);
        assertTrue(r.valid(), () -> r.steps().toString());
        assertEquals("double", r.resultType());
        Result wrong = checks.check(new RuleDefinition("s", "volatility > 0.02", RuleKind.SIZING, ""), LIVE);
        assertEquals(Stage.TYPE_CHECK, wrong.failed().orElseThrow().stage());
    }
}
