package dev.arbiter.optimizer.backtest;

import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.rules.CompiledRuleSet;
import dev.arbiter.optimizer.dataset.Dataset;
import dev.arbiter.optimizer.dataset.LabelDefinition;
import dev.arbiter.optimizer.dataset.TestSeries;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import java.util.List;

/** Walk-forward backtests the study and quality tests share. */
public final class TestBacktests {

    private TestBacktests() {
    }

    /**
     * Electricity demand, the sign of the 4-step forward return (ties dropped), one logistic regression, 4 folds
     * (1,500 training, 400 test rows, 400 apart), the default policy: members trained and test windows predicted.
     */
    public static WalkForwardBacktest.Settings electricityLogisticRegression() {
        return new WalkForwardBacktest.Settings(
                WalkForwardBacktest.members(List.of(ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION).build())),
                PolicyParameters.defaults(), CompiledRuleSet.EMPTY, false, 1_500, 400, 400, 4, 0, 0.0001, 3);
    }

    /** {@link #electricityLogisticRegression()}, prepared. */
    public static WalkForwardBacktest.Prepared electricityLogisticRegressionPrepared() {
        Dataset data = Dataset.build(TestSeries.electricity(), FeatureConfig.defaults(),
                new LabelDefinition.ForwardReturnSign(4, LabelDefinition.TieRule.DROP, 0));
        return WalkForwardBacktest.prepare(data, electricityLogisticRegression(), (f, c) -> { }, (p, f, a, b) -> { });
    }
}
