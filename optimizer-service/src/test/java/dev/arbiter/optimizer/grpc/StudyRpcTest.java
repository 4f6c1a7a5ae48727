package dev.arbiter.optimizer.grpc;

import static dev.arbiter.optimizer.grpc.HistoryCalls.invalid;
import static dev.arbiter.optimizer.grpc.HistoryCalls.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.AskRequest;
import dev.arbiter.proto.v1.CategoricalDistribution;
import dev.arbiter.proto.v1.CreateStudyRequest;
import dev.arbiter.proto.v1.Distribution;
import dev.arbiter.proto.v1.FloatDistribution;
import dev.arbiter.proto.v1.GetBestTrialsRequest;
import dev.arbiter.proto.v1.GetStudyRequest;
import dev.arbiter.proto.v1.IntDistribution;
import dev.arbiter.proto.v1.ListStudiesRequest;
import dev.arbiter.proto.v1.ListStudiesResponse;
import dev.arbiter.proto.v1.ListTrialsRequest;
import dev.arbiter.proto.v1.ListTrialsResponse;
import dev.arbiter.proto.v1.OptimizerServiceGrpc.OptimizerServiceBlockingStub;
import dev.arbiter.proto.v1.PrunerConfig;
import dev.arbiter.proto.v1.PrunerKind;
import dev.arbiter.proto.v1.ReportIntermediateRequest;
import dev.arbiter.proto.v1.SamplerConfig;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.StudyDirection;
import dev.arbiter.proto.v1.StudyObjective;
import dev.arbiter.proto.v1.TellRequest;
import dev.arbiter.proto.v1.Trial;
import dev.arbiter.proto.v1.TrialState;
import io.agroal.api.AgroalDataSource;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Studies by Ask and Tell against the real PostgreSQL: the search space honoured, numbers dense, the best trial and
 * the Pareto front, pruning, a trial whose worker stopped heartbeating, paging, and every refusal.
 */
@QuarkusTest
class StudyRpcTest {

    @GrpcClient("optimizer")
    OptimizerServiceBlockingStub optimizer;

    @Inject
    AgroalDataSource db;

    static Distribution floats(double low, double high) {
        return Distribution.newBuilder().setFloatDistribution(FloatDistribution.newBuilder().setLow(low).setHigh(high)).build();
    }

    static Distribution ints(long low, long high) {
        return Distribution.newBuilder().setIntDistribution(IntDistribution.newBuilder().setLow(low).setHigh(high)).build();
    }

    static Distribution choices(String... c) {
        return Distribution.newBuilder().setCategoricalDistribution(CategoricalDistribution.newBuilder().addAllChoices(List.of(c)))
                .build();
    }

    static StudyObjective objective(String name, StudyDirection d) {
        return StudyObjective.newBuilder().setName(name).setDirection(d).build();
    }

    static Study.Builder quadratic(String name) {
        return Study.newBuilder()
                .setStudyName(name)
                .addObjectives(objective("loss", StudyDirection.STUDY_DIRECTION_MINIMIZE))
                .putSearchSpace("x", floats(-5, 5))
                .putSearchSpace("y", ints(0, 10))
                .putSearchSpace("c", choices("a", "b"))
                .setSampler(SamplerConfig.newBuilder().setSeed(3).setNStartupTrials(5))
                .setPruner(PrunerConfig.newBuilder().setKind(PrunerKind.PRUNER_KIND_MEDIAN).setNStartupTrials(2));
    }

    Study create(Study.Builder s) {
        return optimizer.createStudy(CreateStudyRequest.newBuilder().setStudy(s).build());
    }

    Trial ask(String study) {
        return optimizer.ask(AskRequest.newBuilder().setStudyName(study).build());
    }

    Trial tell(String study, int number, double... values) {
        TellRequest.Builder b = TellRequest.newBuilder().setStudyName(study).setTrialNumber(number);
        for (double v : values) {
            b.addValues(v);
        }
        return optimizer.tell(b.build());
    }

    static double loss(Trial t) {
        double x = t.getParamsOrThrow("x").getDoubleValue();
        long y = t.getParamsOrThrow("y").getIntValue();
        String c = t.getParamsOrThrow("c").getStringValue();
        return (x - 1) * (x - 1) + (y - 3) * (y - 3) + (c.equals("b") ? 0 : 1);
    }

    @Test
    void askAndTellExploreTheSpaceWithDenseNumbersAndTheBestTrialIsTheLowest() {
        String name = "quadratic-" + UUID.randomUUID();
        Study created = create(quadratic(name));
        assertEquals(name, created.getStudyName());
        double lowest = Double.POSITIVE_INFINITY;
        int lowestNumber = -1;
        for (int i = 0; i < 30; i++) {
            Trial t = ask(name);
            assertEquals(i, t.getNumber(), "numbers are dense");
            assertEquals(TrialState.TRIAL_STATE_RUNNING, t.getState());
            double x = t.getParamsOrThrow("x").getDoubleValue();
            long y = t.getParamsOrThrow("y").getIntValue();
            assertTrue(x >= -5 && x <= 5 && y >= 0 && y <= 10, t.toString());
            assertTrue(Set.of("a", "b").contains(t.getParamsOrThrow("c").getStringValue()), t.toString());
            double v = loss(t);
            Trial told = tell(name, t.getNumber(), v);
            assertEquals(TrialState.TRIAL_STATE_COMPLETE, told.getState());
            assertEquals(List.of(v), told.getValuesList());
            if (v < lowest) {
                lowest = v;
                lowestNumber = t.getNumber();
            }
        }
        Study study = optimizer.getStudy(GetStudyRequest.newBuilder().setStudyName(name).build());
        assertEquals(30, study.getCompleteTrials());
        assertEquals(0, study.getRunningTrials());
        List<Trial> best = optimizer.getBestTrials(GetBestTrialsRequest.newBuilder().setStudyName(name).build()).getBestTrialsList();
        assertEquals(1, best.size());
        assertEquals(lowestNumber, best.get(0).getNumber());
        assertTrue(lowest < 3, "TPE gets near the minimum (0) in 30 trials: " + lowest);

        Set<Integer> seen = new HashSet<>();
        String token = "";
        do {
            ListTrialsResponse page = optimizer.listTrials(ListTrialsRequest.newBuilder().setStudyName(name).setPageSize(7)
                    .setPageToken(token).build());
            page.getTrialsList().forEach(t -> assertTrue(seen.add(t.getNumber()), "listed once: " + t.getNumber()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertEquals(30, seen.size());
    }

    @Test
    void theSameSeedGivesTheSameTrials() {
        String a = "seeded-a-" + UUID.randomUUID();
        String b = "seeded-b-" + UUID.randomUUID();
        create(quadratic(a));
        create(quadratic(b));
        for (int i = 0; i < 12; i++) {
            Trial ta = ask(a);
            Trial tb = ask(b);
            assertEquals(ta.getParamsMap(), tb.getParamsMap(), "trial " + i);
            tell(a, ta.getNumber(), loss(ta));
            tell(b, tb.getNumber(), loss(tb));
        }
    }

    @Test
    void aMultiObjectiveStudyAnswersItsParetoFront() {
        String name = "pareto-" + UUID.randomUUID();
        create(Study.newBuilder().setStudyName(name)
                .addObjectives(objective("fp", StudyDirection.STUDY_DIRECTION_MINIMIZE))
                .addObjectives(objective("wins", StudyDirection.STUDY_DIRECTION_MAXIMIZE))
                .putSearchSpace("x", floats(0, 1)));
        double[][] values = {{10, 50}, {5, 40}, {12, 45}, {5, 30}, {2, 10}, {10, 50}};
        for (double[] v : values) {
            tell(name, ask(name).getNumber(), v);
        }
        List<Integer> front = optimizer.getBestTrials(GetBestTrialsRequest.newBuilder().setStudyName(name).build())
                .getBestTrialsList().stream().map(Trial::getNumber).sorted().toList();
        // (12, 45) is dominated by (10, 50); (5, 30) by (5, 40); equal points (trials 0 and 5) both stay.
        assertEquals(List.of(0, 1, 4, 5), front);
        refused(Status.Code.FAILED_PRECONDITION, "study_name", () -> optimizer.reportIntermediate(
                ReportIntermediateRequest.newBuilder().setStudyName(name).setTrialNumber(ask(name).getNumber()).setStep(0).setValue(1).build()));
    }

    boolean report(String study, int number, long step, double value) {
        return optimizer.reportIntermediate(ReportIntermediateRequest.newBuilder().setStudyName(study).setTrialNumber(number)
                .setStep(step).setValue(value).build()).getShouldPrune();
    }

    @Test
    void theMedianPrunerStopsATrialWorseThanTheMedianAndKeepsABetterOne() {
        String name = "pruned-" + UUID.randomUUID();
        create(quadratic(name));
        for (int i = 0; i < 3; i++) {
            int n = ask(name).getNumber();
            for (int step = 0; step < 3; step++) {
                assertFalse(report(name, n, step, 1.0), "no pruning before two trials completed, nor of an equal trial");
            }
            tell(name, n, 1.0);
        }
        int bad = ask(name).getNumber();
        assertTrue(report(name, bad, 0, 10.0), "far worse than the median at step 0");
        Trial pruned = optimizer.tell(TellRequest.newBuilder().setStudyName(name).setTrialNumber(bad)
                .setState(TrialState.TRIAL_STATE_PRUNED).build());
        assertEquals(TrialState.TRIAL_STATE_PRUNED, pruned.getState());
        assertEquals(1, pruned.getIntermediateValuesCount());
        int good = ask(name).getNumber();
        assertFalse(report(name, good, 0, 0.5), "better than the median");
        refused(Status.Code.FAILED_PRECONDITION, "trial_number", () -> report(name, bad, 1, 1.0));
        invalid("step", () -> report(name, good, 0, 0.4));
        invalid("step", () -> report(name, good, -1, 0.4));
        invalid("value", () -> report(name, good, 1, Double.NaN));
    }

    @Test
    void aTrialWhoseWorkerStopsHeartbeatingIsFailedAndTheStudyGoesOn() throws Exception {
        String name = "stale-" + UUID.randomUUID();
        create(quadratic(name));
        Trial lost = ask(name);
        // The worker died long ago: its trial's last sign of life is far older than the heartbeat timeout.
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE optimizer.trial SET heartbeat_ts_micros = 0 WHERE number = ? AND study_id ="
                        + " (SELECT study_id FROM optimizer.study WHERE name = ?)")) {
            ps.setInt(1, lost.getNumber());
            ps.setString(2, name);
            assertEquals(1, ps.executeUpdate());
        }
        Trial next = ask(name);
        assertEquals(1, next.getNumber());
        Trial failed = optimizer.listTrials(ListTrialsRequest.newBuilder().setStudyName(name)
                .setState(TrialState.TRIAL_STATE_FAIL).build()).getTrials(0);
        assertEquals(lost.getNumber(), failed.getNumber());
        assertTrue(failed.getFailReason().contains("heartbeat"), failed.getFailReason());
        refused(Status.Code.FAILED_PRECONDITION, "trial_number", () -> tell(name, lost.getNumber(), 1.0));
        assertEquals(TrialState.TRIAL_STATE_COMPLETE, tell(name, next.getNumber(), 1.0).getState());
    }

    @Test
    void studiesAreListedNewestFirstAndCreatedOnce() {
        String prefix = "listed-" + UUID.randomUUID() + "-";
        for (int i = 0; i < 3; i++) {
            create(quadratic(prefix + i));
        }
        refused(Status.Code.ALREADY_EXISTS, "study.study_name", () -> create(quadratic(prefix + 1)));
        Study again = optimizer.createStudy(CreateStudyRequest.newBuilder().setStudy(quadratic(prefix + 1)
                .setDescription("another")).setLoadIfExists(true).build());
        assertEquals("", again.getDescription(), "load_if_exists answers the existing study unchanged");
        ListStudiesResponse first = optimizer.listStudies(ListStudiesRequest.newBuilder().setPageSize(2).build());
        assertEquals(List.of(prefix + 2, prefix + 1), first.getStudiesList().stream().map(Study::getStudyName).toList());
        ListStudiesResponse second = optimizer.listStudies(ListStudiesRequest.newBuilder().setPageSize(1)
                .setPageToken(first.getNextPageToken()).build());
        assertEquals(prefix + 0, second.getStudies(0).getStudyName());
    }

    void refusedStudy(String field, UnaryOperator<Study.Builder> change) {
        invalid(field, () -> create(change.apply(quadratic("bad-" + UUID.randomUUID()))));
    }

    @Test
    void everyBadStudyDefinitionIsRefusedNamingTheField() {
        refusedStudy("study.study_name", s -> s.setStudyName(""));
        refusedStudy("study.study_name", s -> s.setStudyName("a\u0000b"));
        refusedStudy("study.objectives", Study.Builder::clearObjectives);
        refusedStudy("study.objectives[0].direction", s -> s.setObjectives(0, objective("loss", StudyDirection.STUDY_DIRECTION_UNSPECIFIED)));
        refusedStudy("study.objectives[1].name", s -> s.addObjectives(objective("loss", StudyDirection.STUDY_DIRECTION_MAXIMIZE)));
        refusedStudy("study.search_space", Study.Builder::clearSearchSpace);
        refusedStudy("study.search_space[\"x\"]", s -> s.putSearchSpace("x", floats(2, 1)));
        refusedStudy("study.search_space[\"x\"]", s -> s.putSearchSpace("x", Distribution.newBuilder()
                .setFloatDistribution(FloatDistribution.newBuilder().setLow(0).setHigh(1).setLog(true)).build()));
        refusedStudy("study.search_space[\"x\"]", s -> s.putSearchSpace("x", Distribution.newBuilder()
                .setFloatDistribution(FloatDistribution.newBuilder().setLow(1).setHigh(10).setLog(true).setStep(1)).build()));
        refusedStudy("study.search_space[\"y\"]", s -> s.putSearchSpace("y", ints(5, 1)));
        refusedStudy("study.search_space[\"y\"]", s -> s.putSearchSpace("y", Distribution.newBuilder()
                .setIntDistribution(IntDistribution.newBuilder().setLow(0).setHigh(10).setLog(true)).build()));
        refusedStudy("study.search_space[\"c\"]", s -> s.putSearchSpace("c", choices()));
        refusedStudy("study.search_space[\"c\"]", s -> s.putSearchSpace("c", choices("a", "a")));
        refusedStudy("study.search_space[\"z\"]", s -> s.putSearchSpace("z", Distribution.getDefaultInstance()));
        refusedStudy("study.pruner.percentile", s -> s.setPruner(PrunerConfig.newBuilder().setKind(PrunerKind.PRUNER_KIND_PERCENTILE)));
        invalid("study", () -> optimizer.createStudy(CreateStudyRequest.getDefaultInstance()));
    }

    @Test
    void everyBadAskTellAndReportIsRefusedNamingTheField() {
        String name = "refusals-" + UUID.randomUUID();
        create(quadratic(name));
        refused(Status.Code.NOT_FOUND, "study_name", () -> ask("no-such-study-" + UUID.randomUUID()));
        invalid("study_name", () -> ask(""));
        refused(Status.Code.NOT_FOUND, "study_name", () -> optimizer.getStudy(GetStudyRequest.newBuilder().setStudyName("nope").build()));
        Trial t = ask(name);
        invalid("values", () -> tell(name, t.getNumber()));
        invalid("values", () -> tell(name, t.getNumber(), 1, 2));
        invalid("values[0]", () -> tell(name, t.getNumber(), Double.NaN));
        invalid("values[0]", () -> tell(name, t.getNumber(), Double.POSITIVE_INFINITY));
        invalid("values", () -> optimizer.tell(TellRequest.newBuilder().setStudyName(name).setTrialNumber(t.getNumber())
                .setState(TrialState.TRIAL_STATE_FAIL).addValues(1).build()));
        invalid("state", () -> optimizer.tell(TellRequest.newBuilder().setStudyName(name).setTrialNumber(t.getNumber())
                .setState(TrialState.TRIAL_STATE_RUNNING).build()));
        refused(Status.Code.NOT_FOUND, "trial_number", () -> tell(name, 999, 1.0));
        refused(Status.Code.NOT_FOUND, "trial_number", () -> report(name, 999, 0, 1.0));
        tell(name, t.getNumber(), 1.0);
        refused(Status.Code.FAILED_PRECONDITION, "trial_number", () -> tell(name, t.getNumber(), 2.0));
        refused(Status.Code.FAILED_PRECONDITION, "trial_number", () -> report(name, t.getNumber(), 0, 1.0));
        invalid("page_token", () -> optimizer.listTrials(ListTrialsRequest.newBuilder().setStudyName(name).setPageToken("garbage").build()));
        invalid("page_size", () -> optimizer.listTrials(ListTrialsRequest.newBuilder().setStudyName(name).setPageSize(-1).build()));
        List<Trial> all = new ArrayList<>(optimizer.listTrials(ListTrialsRequest.newBuilder().setStudyName(name).build()).getTrialsList());
        assertEquals(1, all.size(), "refused calls changed nothing");
        assertEquals(List.of(1.0), all.get(0).getValuesList());
    }
}
