package dev.arbiter.optimizer.grpc;

import static dev.arbiter.optimizer.grpc.HistoryCalls.importElectricity;
import static dev.arbiter.optimizer.grpc.HistoryCalls.invalid;
import static dev.arbiter.optimizer.grpc.HistoryCalls.refused;
import static dev.arbiter.optimizer.grpc.StudyRpcTest.floats;
import static dev.arbiter.optimizer.grpc.StudyRpcTest.objective;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.optimizer.history.TempHistoryRoot;
import dev.arbiter.proto.v1.BacktestSpec;
import dev.arbiter.proto.v1.BacktestUpdate;
import dev.arbiter.proto.v1.CreateStudyRequest;
import dev.arbiter.proto.v1.Distribution;
import dev.arbiter.proto.v1.ForwardReturnSignLabel;
import dev.arbiter.proto.v1.GetBestTrialsRequest;
import dev.arbiter.proto.v1.LabelSpec;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.MutinyOptimizerServiceGrpc.MutinyOptimizerServiceStub;
import dev.arbiter.proto.v1.OptimizerServiceGrpc.OptimizerServiceBlockingStub;
import dev.arbiter.proto.v1.PrunerConfig;
import dev.arbiter.proto.v1.PrunerKind;
import dev.arbiter.proto.v1.RunBacktestRequest;
import dev.arbiter.proto.v1.RunTrialsRequest;
import dev.arbiter.proto.v1.SamplerConfig;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.StudyDirection;
import dev.arbiter.proto.v1.StudyEvaluation;
import dev.arbiter.proto.v1.Trial;
import dev.arbiter.proto.v1.TrialState;
import dev.arbiter.proto.v1.WalkForwardConfig;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RunTrials over the real half-hourly electricity demand: the service runs the policy's walk-forward backtest per
 * trial over predictions made once, fold by fold with the Wilcoxon pruner, and tells each trial; and its refusals.
 */
@QuarkusTest
@QuarkusTestResource(TempHistoryRoot.class)
class RunTrialsTest {

    @GrpcClient("optimizer")
    OptimizerServiceBlockingStub optimizer;

    @GrpcClient("optimizer")
    MutinyOptimizerServiceStub mutiny;

    static String seriesId;

    @BeforeEach
    void importOnce() {
        if (seriesId == null) {
            seriesId = importElectricity(mutiny, "trials");
        }
    }

    static BacktestSpec.Builder backtest(String id) {
        return BacktestSpec.newBuilder()
                .setName("study evaluation")
                .addSeriesIds(id)
                .setWalkForward(WalkForwardConfig.newBuilder().setTrainObservations(1_500).setTestObservations(500).setMaxFolds(4))
                .setLabel(LabelSpec.newBuilder().setForwardReturnSign(ForwardReturnSignLabel.newBuilder().setHorizonObservations(4)))
                .addMembers(ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION))
                .setCostPerTurnover(0.0001)
                .setSeed(7);
    }

    static Study.Builder policyStudy(String name, BacktestSpec.Builder backtest) {
        return Study.newBuilder()
                .setStudyName(name)
                .addObjectives(objective("sharpe", StudyDirection.STUDY_DIRECTION_MAXIMIZE))
                .putSearchSpace("gate.min_edge", floats(0, 0.2))
                .putSearchSpace("gate.min_confidence", floats(0, 0.6))
                .putSearchSpace("risk.max_size", floats(0.05, 0.5))
                .setSampler(SamplerConfig.newBuilder().setSeed(5).setNStartupTrials(10))
                .setPruner(PrunerConfig.newBuilder().setKind(PrunerKind.PRUNER_KIND_WILCOXON))
                .setEvaluation(StudyEvaluation.newBuilder().setBacktest(backtest));
    }

    List<Trial> run(String study, int n, int parallelism) {
        List<Trial> out = new ArrayList<>();
        optimizer.runTrials(RunTrialsRequest.newBuilder().setStudyName(study).setNTrials(n).setParallelism(parallelism).build())
                .forEachRemaining(out::add);
        return out;
    }

    @Test
    void runTrialsTunesThePolicyFoldByFoldAndFindsBetterThanTheDefaults() {
        String name = "policy-" + UUID.randomUUID();
        optimizer.createStudy(CreateStudyRequest.newBuilder().setStudy(policyStudy(name, backtest(seriesId))).build());
        long started = System.nanoTime();
        List<Trial> trials = run(name, 60, 1);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("RunTrials: 60 trials in %.2f s (evaluation prepared once, then %d folds per trial)%n", seconds, 4);
        assertEquals(60, trials.size());
        Set<Integer> numbers = new HashSet<>();
        double bestSharpe = Double.NEGATIVE_INFINITY;
        int complete = 0;
        for (Trial t : trials) {
            assertTrue(numbers.add(t.getNumber()), "each trial once");
            assertTrue(t.getState() == TrialState.TRIAL_STATE_COMPLETE || t.getState() == TrialState.TRIAL_STATE_PRUNED, t.toString());
            if (t.getState() == TrialState.TRIAL_STATE_COMPLETE) {
                complete++;
                assertEquals(4, t.getIntermediateValuesCount(), "one intermediate value per fold");
                bestSharpe = Math.max(bestSharpe, t.getValues(0));
            } else {
                assertTrue(t.getIntermediateValuesCount() <= 4 && t.getValuesCount() == 0, "pruned after some fold: " + t);
            }
        }
        assertTrue(complete > 0);
        Trial best = optimizer.getBestTrials(GetBestTrialsRequest.newBuilder().setStudyName(name).build()).getBestTrials(0);
        assertEquals(bestSharpe, best.getValues(0));

        // The same evaluation with the engine's default parameters, as RunBacktest measures it.
        List<BacktestUpdate> updates = new ArrayList<>();
        optimizer.runBacktest(RunBacktestRequest.newBuilder().setSpec(backtest(seriesId)).build()).forEachRemaining(updates::add);
        double defaults = updates.get(updates.size() - 1).getReport().getTotal().getSharpe();
        assertTrue(bestSharpe > defaults, "tuned " + bestSharpe + " against the defaults' " + defaults);

        // A trial's parameters reproduce its value through RunBacktest.
        BacktestSpec.Builder again = backtest(seriesId);
        best.getParamsMap().forEach(again::putParameterOverrides);
        updates.clear();
        optimizer.runBacktest(RunBacktestRequest.newBuilder().setSpec(again).build()).forEachRemaining(updates::add);
        assertEquals(best.getValues(0), updates.get(updates.size() - 1).getReport().getTotal().getSharpe(), 1e-12);

        // Two workers in one call: more trials, numbers still unique and dense. The rate is printed, never asserted
        // (bench/README.md records it).
        started = System.nanoTime();
        List<Trial> more = run(name, 400, 2);
        seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("RunTrials: 400 trials with parallelism 2 in %.2f s: %.0f trials per minute%n", seconds, 400 * 60 / seconds);
        assertEquals(400, more.size());
        more.forEach(t -> assertTrue(numbers.add(t.getNumber()), "each trial once: " + t.getNumber()));
        assertEquals(460, numbers.size());
        assertEquals(459, numbers.stream().mapToInt(Integer::intValue).max().orElseThrow());
    }

    @Test
    void runTrialsTunesMemberHyperparametersWithThePolicy() {
        String name = "members-" + UUID.randomUUID();
        optimizer.createStudy(CreateStudyRequest.newBuilder().setStudy(policyStudy(name, backtest(seriesId))
                .putSearchSpace("members[0].c", Distribution.newBuilder().setFloatDistribution(
                        dev.arbiter.proto.v1.FloatDistribution.newBuilder().setLow(1e-4).setHigh(10).setLog(true)).build())
                .setPruner(PrunerConfig.newBuilder().setKind(PrunerKind.PRUNER_KIND_NONE))).build());
        List<Trial> trials = run(name, 8, 2);
        assertEquals(8, trials.size());
        Set<Double> sharpes = new HashSet<>();
        for (Trial t : trials) {
            assertEquals(TrialState.TRIAL_STATE_COMPLETE, t.getState(), t.toString());
            assertTrue(t.getParamsMap().containsKey("members[0].c"), t.toString());
            sharpes.add(t.getValues(0));
        }
        assertTrue(sharpes.size() > 1, "different trials, different values: " + sharpes);

        // Each trial's value is the walk-forward backtest of the member trained with its c and the policy with its
        // parameters: RunBacktest with both set reproduces it, and with the member's default c it does not.
        for (Trial t : trials.subList(0, 2)) {
            double c = t.getParamsMap().get("members[0].c").getDoubleValue();
            BacktestSpec.Builder again = backtest(seriesId);
            again.setMembers(0, again.getMembers(0).toBuilder().putHyperparameters("c",
                    dev.arbiter.proto.v1.ParameterValue.newBuilder().setDoubleValue(c).build()));
            t.getParamsMap().forEach((k, v) -> {
                if (!k.startsWith("members[")) {
                    again.putParameterOverrides(k, v);
                }
            });
            List<BacktestUpdate> updates = new ArrayList<>();
            optimizer.runBacktest(RunBacktestRequest.newBuilder().setSpec(again).build()).forEachRemaining(updates::add);
            assertEquals(t.getValues(0), updates.get(updates.size() - 1).getReport().getTotal().getSharpe(), 1e-12, t.toString());
        }
    }

    @Test
    void runTrialsRefusesWhatCannotRunNamingTheField() {
        String plain = "plain-" + UUID.randomUUID();
        optimizer.createStudy(CreateStudyRequest.newBuilder().setStudy(Study.newBuilder().setStudyName(plain)
                .addObjectives(objective("x", StudyDirection.STUDY_DIRECTION_MINIMIZE)).putSearchSpace("x", floats(0, 1))).build());
        refused(Status.Code.FAILED_PRECONDITION, "study_name", () -> run(plain, 1, 1));
        refused(Status.Code.NOT_FOUND, "study_name", () -> run("no-such-" + UUID.randomUUID(), 1, 1));
        invalid("n_trials", () -> run(plain, 0, 1));
        invalid("parallelism", () -> run(plain, 1, 1_000));

        String tooLong = "too-long-" + UUID.randomUUID();
        optimizer.createStudy(CreateStudyRequest.newBuilder().setStudy(policyStudy(tooLong, backtest(seriesId)
                .setWalkForward(WalkForwardConfig.newBuilder().setTrainObservations(4_000_000).setTestObservations(500)))).build());
        refused(Status.Code.FAILED_PRECONDITION, "study.evaluation.backtest.walk_forward", () -> run(tooLong, 1, 1));

        String unknownSeries = "unknown-series-" + UUID.randomUUID();
        optimizer.createStudy(CreateStudyRequest.newBuilder().setStudy(policyStudy(unknownSeries, backtest("no-such-series"))).build());
        refused(Status.Code.FAILED_PRECONDITION, "study.evaluation.backtest.series_ids[0]", () -> run(unknownSeries, 1, 1));

        invalid("study.search_space[\"members[0].n_estimators\"]", () -> optimizer.createStudy(CreateStudyRequest.newBuilder()
                .setStudy(policyStudy("members-" + UUID.randomUUID(), backtest(seriesId))
                        .putSearchSpace("members[0].n_estimators", StudyRpcTest.ints(10, 100))).build()));
        // member hyperparameters: an index past the members, a float for a whole number, a range outside the
        // hyperparameter's, a categorical
        invalid("study.search_space[\"members[1].c\"]", () -> optimizer.createStudy(CreateStudyRequest.newBuilder()
                .setStudy(policyStudy("members-" + UUID.randomUUID(), backtest(seriesId))
                        .putSearchSpace("members[1].c", floats(0.1, 1))).build()));
        invalid("study.search_space[\"members[0].max_iterations\"]", () -> optimizer.createStudy(CreateStudyRequest.newBuilder()
                .setStudy(policyStudy("members-" + UUID.randomUUID(), backtest(seriesId))
                        .putSearchSpace("members[0].max_iterations", floats(10, 100))).build()));
        invalid("study.search_space[\"members[0].c\"]", () -> optimizer.createStudy(CreateStudyRequest.newBuilder()
                .setStudy(policyStudy("members-" + UUID.randomUUID(), backtest(seriesId))
                        .putSearchSpace("members[0].c", floats(0, 1))).build()));
        invalid("study.search_space[\"members[0].c\"]", () -> optimizer.createStudy(CreateStudyRequest.newBuilder()
                .setStudy(policyStudy("members-" + UUID.randomUUID(), backtest(seriesId))
                        .putSearchSpace("members[0].c", StudyRpcTest.choices("a", "b"))).build()));
        invalid("study.objectives[0].name", () -> optimizer.createStudy(CreateStudyRequest.newBuilder()
                .setStudy(policyStudy("objective-" + UUID.randomUUID(), backtest(seriesId))
                        .setObjectives(0, objective("happiness", StudyDirection.STUDY_DIRECTION_MAXIMIZE))).build()));
        invalid("study.objectives[0].name", () -> optimizer.createStudy(CreateStudyRequest.newBuilder()
                .setStudy(policyStudy("stress-" + UUID.randomUUID(), backtest(seriesId))
                        .setObjectives(0, objective("stress.sharpe.p05", StudyDirection.STUDY_DIRECTION_MAXIMIZE))).build()));
    }
}
