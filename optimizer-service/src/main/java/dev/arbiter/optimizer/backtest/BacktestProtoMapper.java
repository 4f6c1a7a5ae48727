package dev.arbiter.optimizer.backtest;

import dev.arbiter.engine.simulation.SimulationMetrics;
import dev.arbiter.proto.v1.AblationRow;
import dev.arbiter.proto.v1.AblationVariant;
import dev.arbiter.proto.v1.FoldResult;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.TimeRange;

/** Engine and training results ⇄ the contract's report messages. */
public final class BacktestProtoMapper {

    private BacktestProtoMapper() {
    }

    public static PerformanceMetrics performance(SimulationMetrics m) {
        return PerformanceMetrics.newBuilder()
                .setDecisionCount(m.decisionCount)
                .setActionCount(m.actionCount)
                .setOutcomeCount(m.outcomeCount)
                .setHitRate(m.hitRate)
                .setPrecision(m.precision)
                .setFalsePositiveActions(m.falsePositiveActions)
                .setPnl(m.pnl)
                .setSharpe(m.sharpe)
                .setMaxDrawdown(m.maxDrawdown)
                .setTurnover(m.turnover)
                .build();
    }

    static FoldResult fold(WalkForwardBacktest.Fold f) {
        return FoldResult.newBuilder()
                .setFoldIndex(f.layout().index())
                .setTrainRange(TimeRange.newBuilder().setStartTsMicros(f.trainStartTs()).setEndTsMicros(f.trainEndTs()))
                .setTestRange(TimeRange.newBuilder().setStartTsMicros(f.testStartTs()).setEndTsMicros(f.testEndTs()))
                .setTrainObservations(f.layout().trainSize())
                .setTestObservations(f.layout().testSize())
                .setMetrics(performance(f.metrics()))
                .setModelMetrics(f.modelMetrics().toProto())
                .build();
    }

    static AblationRow ablation(WalkForwardBacktest.AblationRow row) {
        AblationRow.Builder b = AblationRow.newBuilder()
                .setVariant(AblationVariant.valueOf("ABLATION_VARIANT_" + row.variant()))
                .setName(row.name())
                .setThreshold(row.threshold())
                .setTotal(performance(row.total()));
        for (SimulationMetrics m : row.folds()) {
            b.addFoldMetrics(performance(m));
        }
        return b.build();
    }
}
