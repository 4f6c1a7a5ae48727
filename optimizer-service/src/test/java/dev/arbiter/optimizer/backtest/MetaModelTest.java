package dev.arbiter.optimizer.backtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.CompiledRuleSet;
import dev.arbiter.engine.simulation.WalkForwardFolds;
import dev.arbiter.optimizer.dataset.Dataset;
import dev.arbiter.optimizer.dataset.LabelDefinition;
import dev.arbiter.optimizer.dataset.TestSeries;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The learned gate's per-fold meta model: fitted on the fold's past only, and a policy stage the ablation reports. */
class MetaModelTest {

    static Dataset data;
    static WalkForwardBacktest.Settings settings;
    static WalkForwardBacktest.Prepared prepared;

    @BeforeAll
    static void prepare() {
        data = Dataset.build(TestSeries.electricity(), FeatureConfig.defaults(),
                new LabelDefinition.ForwardReturnSign(4, LabelDefinition.TieRule.DROP, 0));
        settings = new WalkForwardBacktest.Settings(WalkForwardBacktest.members(List.of(
                ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION).build(),
                ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_LINEAR_SVM).build())),
                PolicyParameters.defaults(), CompiledRuleSet.EMPTY, false, 1_500, 400, 400, 4, 0, 0.0001, 3);
        prepared = WalkForwardBacktest.prepare(data, settings, (f, c) -> { }, (p, f, a, b) -> { });
    }

    @Test
    void everyFoldHasMetaProbabilitiesForItsTestRows() {
        for (double q : prepared.meta()) {
            assertTrue(q > 0 && q < 1, "a probability on every test row: " + q);
        }
        double spread = Arrays.stream(prepared.meta()).max().orElseThrow() - Arrays.stream(prepared.meta()).min().orElseThrow();
        assertTrue(spread > 0.05, "the meta model tells rows apart: spread " + spread);
    }

    /**
     * The no-look-ahead rule: a fold's meta probabilities are the same whatever happens from its test window on (the
     * outcomes there are turned around, its features kept), while a later fold, whose training window holds those
     * outcomes, learns from them.
     */
    @Test
    void aFoldsMetaModelNeverReadsOutcomesFromItsTestWindowOn() {
        List<WalkForwardFolds.Fold> folds = prepared.layout();
        assertTrue(folds.size() >= 4, folds.size() + " folds");
        WalkForwardFolds.Fold fold = folds.get(1);
        Dataset changed = outcomesTurnedFrom(data, fold.testStart());
        WalkForwardBacktest.Prepared other = WalkForwardBacktest.prepare(changed, settings, (f, c) -> { }, (p, f, a, b) -> { });
        for (int k = 0; k <= 1; k++) {
            int from = prepared.foldStart()[k];
            int to = prepared.foldStart()[k + 1];
            assertArrayEquals(Arrays.copyOfRange(prepared.meta(), from, to), Arrays.copyOfRange(other.meta(), from, to),
                    "fold " + k + "'s meta probabilities");
        }
        int from = prepared.foldStart()[folds.size() - 1];
        assertFalse(Arrays.equals(Arrays.copyOfRange(prepared.meta(), from, prepared.testRows()),
                Arrays.copyOfRange(other.meta(), from, prepared.testRows())),
                "the last fold trains on the turned outcomes, so the check above could fail");
    }

    @Test
    void theAblationReportsTheFullPolicyWithTheLearnedGateOn() {
        WalkForwardBacktest.Result result = WalkForwardBacktest.run(data, settings, (f, c) -> { });
        assertEquals(4, result.ablation().size());
        WalkForwardBacktest.AblationRow row = result.ablation().get(3);
        assertEquals("ENSEMBLE_GATED_RISK_LEARNED_GATE", row.variant());
        assertEquals(0.5, row.threshold());
        PolicyParameters on = PolicyParameters.defaults().with(PolicyParameter.META_MIN_PROBABILITY, 0.5);
        assertEquals(prepared.simulate(on, CompiledRuleSet.EMPTY, 0, prepared.testRows()).metrics().toString(),
                row.total().toString());
        int[] direction = prepared.simulate(on, CompiledRuleSet.EMPTY, 0, prepared.testRows()).direction();
        int acted = 0;
        for (int i = 0; i < direction.length; i++) {
            if (direction[i] != 0) {
                acted++;
                assertTrue(prepared.meta()[i] >= 0.5, "an action where the meta model gives " + prepared.meta()[i]);
            }
        }
        assertTrue(acted > 0, "the gated policy still acts");
        assertEquals(result.folds().size(), row.folds().size());
    }

    /** {@code d} with every label and forward return from row {@code from} on turned around; features unchanged. */
    static Dataset outcomesTurnedFrom(Dataset d, int from) {
        int[] labels = d.labels().clone();
        double[] forward = d.forwardReturns().clone();
        for (int i = from; i < d.rows(); i++) {
            labels[i] = 1 - labels[i];
            forward[i] = -forward[i];
        }
        return new Dataset(d.schema(), d.seriesIds(), d.horizon(), d.rows(), d.cols(), d.x(),
                labels, forward, d.tsMicros(), d.observationIndexes(), d.seriesOrdinals(), d.counts());
    }
}
