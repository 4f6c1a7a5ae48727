package dev.arbiter.optimizer.grpc;

import static dev.arbiter.optimizer.grpc.HistoryCalls.importElectricity;
import static dev.arbiter.optimizer.grpc.HistoryCalls.invalid;
import static dev.arbiter.optimizer.grpc.HistoryCalls.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.optimizer.history.TempHistoryRoot;
import dev.arbiter.proto.v1.AblationVariant;
import dev.arbiter.proto.v1.BacktestReport;
import dev.arbiter.proto.v1.BacktestSpec;
import dev.arbiter.proto.v1.BacktestUpdate;
import dev.arbiter.proto.v1.BootstrapDistribution;
import dev.arbiter.proto.v1.ForwardReturnSignLabel;
import dev.arbiter.proto.v1.GetBacktestReportRequest;
import dev.arbiter.proto.v1.GetStressReportRequest;
import dev.arbiter.proto.v1.LabelSpec;
import dev.arbiter.proto.v1.ListReportsRequest;
import dev.arbiter.proto.v1.ListReportsResponse;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.MutinyOptimizerServiceGrpc.MutinyOptimizerServiceStub;
import dev.arbiter.proto.v1.OptimizerServiceGrpc.OptimizerServiceBlockingStub;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.ReportKind;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleSet;
import dev.arbiter.proto.v1.RunBacktestRequest;
import dev.arbiter.proto.v1.RunStressTestRequest;
import dev.arbiter.proto.v1.StressReport;
import dev.arbiter.proto.v1.StressTestConfig;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.proto.v1.WalkForwardConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RunBacktest over the real half-hourly electricity demand with the four model kinds, then RunStressTest on its
 * per-decision pnl, the stored reports, and every refusal of both RPCs.
 */
@QuarkusTest
@QuarkusTestResource(TempHistoryRoot.class)
class BacktestGrpcTest {

    @GrpcClient("optimizer")
    OptimizerServiceBlockingStub optimizer;

    @GrpcClient("optimizer")
    MutinyOptimizerServiceStub mutiny;

    static String seriesId;

    @BeforeEach
    void importOnce() {
        if (seriesId == null) {
            seriesId = importElectricity(mutiny, "demand");
        }
    }

    static ModelTrainingConfig member(ModelKind kind, long trees) {
        ModelTrainingConfig.Builder b = ModelTrainingConfig.newBuilder().setKind(kind);
        if (trees > 0) {
            b.putHyperparameters("n_estimators", ParameterValue.newBuilder().setIntValue(trees).build());
        }
        return b.build();
    }

    static BacktestSpec.Builder fourKinds(String id) {
        return BacktestSpec.newBuilder()
                .setName("electricity walk-forward")
                .addSeriesIds(id)
                .setWalkForward(WalkForwardConfig.newBuilder().setTrainObservations(1_500).setTestObservations(500)
                        .setMaxFolds(3))
                .setLabel(LabelSpec.newBuilder().setForwardReturnSign(ForwardReturnSignLabel.newBuilder()
                        .setHorizonObservations(4)))
                .addMembers(member(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES, 40))
                .addMembers(member(ModelKind.MODEL_KIND_RANDOM_FOREST, 30))
                .addMembers(member(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION, 0))
                .addMembers(member(ModelKind.MODEL_KIND_LINEAR_SVM, 0))
                .addAblationVariants(AblationVariant.ABLATION_VARIANT_SINGLE_MODEL_THRESHOLD)
                .addAblationVariants(AblationVariant.ABLATION_VARIANT_ENSEMBLE)
                .addAblationVariants(AblationVariant.ABLATION_VARIANT_ENSEMBLE_GATED_RISK)
                .setCostPerTurnover(0.0001)
                .setSeed(7);
    }

    List<BacktestUpdate> backtest(BacktestSpec spec) {
        List<BacktestUpdate> updates = new ArrayList<>();
        optimizer.runBacktest(RunBacktestRequest.newBuilder().setSpec(spec).build()).forEachRemaining(updates::add);
        return updates;
    }

    @Test
    void backtestStreamsFoldsThenTheReportWithItsAblationTableAndStressBands() {
        List<BacktestUpdate> updates = backtest(fourKinds(seriesId).build());
        assertEquals(4, updates.size(), "three folds of progress, then the report");
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, updates.get(i).getProgress().getFoldsDone());
            assertEquals(500, updates.get(i).getProgress().getCompletedFold().getTestObservations());
            String message = updates.get(i).getProgress().getMessage();
            assertTrue(message.matches(".*, best member (gbt|rf|logreg|svm)"), "short member names: " + message);
        }
        BacktestReport report = updates.get(3).getReport();
        assertEquals(3, report.getFoldsCount());
        assertEquals(1_500, report.getTotal().getDecisionCount());
        assertEquals(3, report.getAblationCount());
        assertEquals(AblationVariant.ABLATION_VARIANT_ENSEMBLE_GATED_RISK, report.getAblation(2).getVariant());
        assertEquals(report.getTotal(), report.getAblation(2).getTotal());
        assertTrue(report.getTotalModelMetrics().getRocAuc() > 0.6, "the members predict demand: " + report.getTotalModelMetrics());
        assertEquals(report, optimizer.getBacktestReport(GetBacktestReportRequest.newBuilder()
                .setReportId(report.getReportId()).build()));

        StressReport stress = optimizer.runStressTest(RunStressTestRequest.newBuilder()
                .setBacktestReportId(report.getReportId())
                .setConfig(StressTestConfig.newBuilder().setResamples(300).setSeed(3)).build());
        assertEquals(3, stress.getDistributionsCount());
        for (BootstrapDistribution d : stress.getDistributionsList()) {
            assertEquals(5, d.getPercentilesCount(), "default bands 5, 25, 50, 75, 95");
            for (int i = 1; i < 5; i++) {
                assertTrue(d.getPercentiles(i).getValue() >= d.getPercentiles(i - 1).getValue(), d.toString());
            }
        }
        BootstrapDistribution pnl = stress.getDistributions(0);
        assertEquals("pnl", pnl.getMetric());
        assertEquals(report.getTotal().getPnl(), pnl.getObserved());
        // a stationary bootstrap that wraps around is unbiased for the total: its resamples centre on the observed pnl
        assertTrue(Math.abs(pnl.getMean() - pnl.getObserved()) <= 4 * pnl.getStdDev() / Math.sqrt(300),
                "resamples centre on the observed pnl: " + pnl);
        assertTrue(pnl.getStdDev() > 0, "resampling spreads the pnl: " + pnl);
        assertEquals(stress, optimizer.getStressReport(GetStressReportRequest.newBuilder()
                .setReportId(stress.getReportId()).build()));

        ListReportsResponse stressOnly = optimizer.listReports(ListReportsRequest.newBuilder()
                .setKind(ReportKind.REPORT_KIND_STRESS).build());
        assertTrue(stressOnly.getReportsList().stream().anyMatch(r -> r.getReportId().equals(stress.getReportId())
                && r.getBacktestReportId().equals(report.getReportId())));
        ListReportsResponse firstPage = optimizer.listReports(ListReportsRequest.newBuilder().setPageSize(1).build());
        assertEquals(1, firstPage.getReportsCount());
        ListReportsResponse secondPage = optimizer.listReports(ListReportsRequest.newBuilder().setPageSize(1)
                .setPageToken(firstPage.getNextPageToken()).build());
        assertTrue(secondPage.getReportsCount() == 1
                && !secondPage.getReports(0).getReportId().equals(firstPage.getReports(0).getReportId()));
    }

    @Test
    void aGateRuleThatNeverPassesLeavesOnlyFlatDecisions() {
        BacktestSpec spec = fourKinds(seriesId).setWalkForward(WalkForwardConfig.newBuilder().setTrainObservations(1_500)
                        .setTestObservations(300).setMaxFolds(1))
                .setInlineRuleSet(RuleSet.newBuilder().addRules(Rule.newBuilder().setRuleId("never")
                        .setExpression("features.vol_20 < 0.0").setKind(RuleKind.RULE_KIND_GATE))).build();
        List<BacktestUpdate> updates = backtest(spec);
        BacktestReport report = updates.get(updates.size() - 1).getReport();
        assertEquals(0, report.getTotal().getActionCount());
        assertEquals(300, report.getTotal().getDecisionCount());
    }

    @Test
    void refusesBacktestsThatCannotRunNamingTheField() {
        invalid("spec", () -> optimizer.runBacktest(RunBacktestRequest.getDefaultInstance()).forEachRemaining(u -> { }));
        invalid("spec.series_ids", () -> backtest(fourKinds(seriesId).clearSeriesIds().build()));
        invalid("spec.series_ids", () -> backtest(fourKinds(seriesId).addSeriesIds("other").build()));
        refused(Status.Code.NOT_FOUND, "spec.series_ids[0]", () -> backtest(fourKinds("no-such-series").build()));
        invalid("spec.range", () -> backtest(fourKinds(seriesId).setRange(TimeRange.newBuilder()
                .setStartTsMicros(20).setEndTsMicros(10)).build()));
        invalid("spec.range", () -> backtest(fourKinds(seriesId).setRange(TimeRange.newBuilder()
                .setStartTsMicros(1).setEndTsMicros(2)).build()));
        invalid("spec.walk_forward", () -> backtest(fourKinds(seriesId).clearWalkForward().build()));
        invalid("spec.walk_forward.test_observations", () -> backtest(fourKinds(seriesId).setWalkForward(
                WalkForwardConfig.newBuilder().setTrainObservations(100)).build()));
        invalid("spec.walk_forward", () -> backtest(fourKinds(seriesId).setWalkForward(WalkForwardConfig.newBuilder()
                .setTrainObservations(4_000).setTestObservations(500)).build()));
        invalid("spec.label", () -> backtest(fourKinds(seriesId).clearLabel().build()));
        invalid("spec.label", () -> backtest(fourKinds(seriesId).setLabel(LabelSpec.newBuilder().setForwardReturnSign(
                ForwardReturnSignLabel.newBuilder().setHorizonObservations(100_000))).build()));
        invalid("spec.members", () -> backtest(fourKinds(seriesId).clearMembers().build()));
        invalid("spec.members[0].kind", () -> backtest(fourKinds(seriesId).clearMembers()
                .addMembers(ModelTrainingConfig.getDefaultInstance()).build()));
        invalid("spec.parameter_overrides", () -> backtest(fourKinds(seriesId).putParameterOverrides("gate.no_such",
                ParameterValue.newBuilder().setDoubleValue(1).build()).build()));
        invalid("spec.parameter_overrides", () -> backtest(fourKinds(seriesId).putParameterOverrides("risk.max_size",
                ParameterValue.newBuilder().setDoubleValue(2).build()).build()));
        refused(Status.Code.FAILED_PRECONDITION, "spec.parameter_set_version",
                () -> backtest(fourKinds(seriesId).setParameterSetVersion(3).build()));
        refused(Status.Code.FAILED_PRECONDITION, "spec.rule_set_version",
                () -> backtest(fourKinds(seriesId).setRuleSetVersion(2).build()));
        invalid("spec.inline_rule_set.rules", () -> backtest(fourKinds(seriesId).setInlineRuleSet(RuleSet.newBuilder()
                .addRules(Rule.newBuilder().setRuleId("typo").setExpression("agrement > 0.5")
                        .setKind(RuleKind.RULE_KIND_GATE))).build()));
        invalid("spec.cost_per_turnover", () -> backtest(fourKinds(seriesId).setCostPerTurnover(-1).build()));
        invalid("spec.series_ids[0]", () -> backtest(fourKinds(seriesId).setSeriesIds(0, " ").build()));
        invalid("spec.walk_forward.train_observations", () -> backtest(fourKinds(seriesId).setWalkForward(
                WalkForwardConfig.newBuilder().setTrainObservations(1).setTestObservations(50)).build()));
        // uint32 sizes above 2^31 - 1 (negative as Java ints) are refused on their own field, before anything runs
        for (String field : List.of("train_observations", "test_observations", "step_observations", "gap_observations",
                "max_folds")) {
            WalkForwardConfig.Builder wf = WalkForwardConfig.newBuilder().setTrainObservations(1_500).setTestObservations(500);
            WalkForwardConfig.Builder huge = switch (field) {
                case "train_observations" -> wf.setTrainObservations(-1);
                case "test_observations" -> wf.setTestObservations(-1);
                case "step_observations" -> wf.setStepObservations(-1);
                case "gap_observations" -> wf.setGapObservations(-1);
                default -> wf.setMaxFolds(-1);
            };
            StatusRuntimeException e = invalid("spec.walk_forward." + field,
                    () -> backtest(fourKinds(seriesId).setWalkForward(huge).build()));
            assertTrue(e.getStatus().getDescription().contains("is 4294967295; send at most 2147483647"),
                    e.getStatus().getDescription());
        }
        BacktestSpec.Builder nine = fourKinds(seriesId);
        for (int i = 0; i < 5; i++) {
            nine.addMembers(member(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION, 0));
        }
        invalid("spec.members", () -> backtest(nine.build()));
        invalid("spec.parameter_overrides[risk.max_size]", () -> backtest(fourKinds(seriesId).putParameterOverrides(
                "risk.max_size", ParameterValue.newBuilder().setStringValue("half").build()).build()));
        invalid("spec.parameter_overrides[risk.max_size]", () -> backtest(fourKinds(seriesId).putParameterOverrides(
                "risk.max_size", ParameterValue.getDefaultInstance()).build()));
        // an ablation variant this version does not know, or none, is refused before the folds run
        invalid("spec.ablation_variants[3]", () -> backtest(fourKinds(seriesId).addAblationVariantsValue(99).build()));
        invalid("spec.ablation_variants[0]", () -> backtest(fourKinds(seriesId).clearAblationVariants()
                .addAblationVariants(AblationVariant.ABLATION_VARIANT_UNSPECIFIED).build()));
    }

    @Test
    void refusesStressTestsThatCannotRunNamingTheField() {
        invalid("backtest_report_id", () -> optimizer.runStressTest(RunStressTestRequest.getDefaultInstance()));
        refused(Status.Code.NOT_FOUND, "backtest_report_id", () -> optimizer.runStressTest(
                RunStressTestRequest.newBuilder().setBacktestReportId("no-such-report").build()));
        invalid("config.mean_block_length_decisions", () -> optimizer.runStressTest(RunStressTestRequest.newBuilder()
                .setBacktestReportId("x").setConfig(StressTestConfig.newBuilder().setMeanBlockLengthDecisions(0.5)).build()));
        invalid("config.resamples", () -> optimizer.runStressTest(RunStressTestRequest.newBuilder()
                .setBacktestReportId("x").setConfig(StressTestConfig.newBuilder().setResamples(1_000_000)).build()));
        invalid("config.percentiles[1]", () -> optimizer.runStressTest(RunStressTestRequest.newBuilder()
                .setBacktestReportId("x").setConfig(StressTestConfig.newBuilder().addPercentiles(50).addPercentiles(101))
                .build()));
        refused(Status.Code.NOT_FOUND, "report_id", () -> optimizer.getBacktestReport(
                GetBacktestReportRequest.newBuilder().setReportId("nope").build()));
        refused(Status.Code.NOT_FOUND, "report_id", () -> optimizer.getStressReport(
                GetStressReportRequest.newBuilder().setReportId("nope").build()));
        invalid("page_token", () -> optimizer.listReports(ListReportsRequest.newBuilder().setPageToken("garbage!").build()));
        invalid("report_id", () -> optimizer.getBacktestReport(GetBacktestReportRequest.getDefaultInstance()));
        invalid("report_id", () -> optimizer.getStressReport(GetStressReportRequest.getDefaultInstance()));
        invalid("kind", () -> optimizer.listReports(ListReportsRequest.newBuilder().setKindValue(7).build()));
        invalid("page_size", () -> optimizer.listReports(ListReportsRequest.newBuilder().setPageSize(-1).build()));
    }
}
