package dev.arbiter.optimizer.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.optimizer.training.TrainingIT;
import dev.arbiter.proto.v1.AskRequest;
import dev.arbiter.proto.v1.BacktestSpec;
import dev.arbiter.proto.v1.CreateStudyRequest;
import dev.arbiter.proto.v1.Distribution;
import dev.arbiter.proto.v1.FloatDistribution;
import dev.arbiter.proto.v1.ForwardReturnSignLabel;
import dev.arbiter.proto.v1.GetStudyRequest;
import dev.arbiter.proto.v1.LabelSpec;
import dev.arbiter.proto.v1.ListTrialsRequest;
import dev.arbiter.proto.v1.ListTrialsResponse;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.OptimizerServiceGrpc.OptimizerServiceBlockingStub;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.PrunerConfig;
import dev.arbiter.proto.v1.PrunerKind;
import dev.arbiter.proto.v1.RunTrialsRequest;
import dev.arbiter.proto.v1.SamplerConfig;
import dev.arbiter.proto.v1.StressTestConfig;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.StudyDirection;
import dev.arbiter.proto.v1.StudyEvaluation;
import dev.arbiter.proto.v1.StudyObjective;
import dev.arbiter.proto.v1.TellRequest;
import dev.arbiter.proto.v1.Trial;
import dev.arbiter.proto.v1.TrialState;
import dev.arbiter.proto.v1.WalkForwardConfig;
import dev.arbiter.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Integration test: three packaged optimizer-service processes share studies through the real PostgreSQL. Six
 * workers (two threads per process) ask and tell 300 trials of one study; then a process is killed (SIGKILL) in the
 * middle of RunTrials, its running trial is failed by another process after the heartbeat timeout, and the study
 * goes on there.
 */
class StudyWorkersIT {

    static final int HEARTBEAT_TIMEOUT_S = 3;
    static final List<ServiceProcess> processes = new ArrayList<>();
    static Path historyRoot;

    @BeforeAll
    static void start() throws Exception {
        historyRoot = Files.createTempDirectory("arbiter-study-it-");
        for (int i = 0; i < 3; i++) {
            Map<String, String> config = new HashMap<>(Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                    "arbiter.optimizer.history.root", historyRoot.toString(),
                    "arbiter.optimizer.studies.heartbeat-timeout", HEARTBEAT_TIMEOUT_S + "s",
                    "arbiter.optimizer.studies.heartbeat-interval", "200ms",
                    "arbiter.optimizer.studies.stale-check-interval", "200ms"));
            // the first process empties the test schema; the others join it
            config.put("quarkus.flyway.clean-disabled", "false");
            config.put("quarkus.flyway.clean-at-start", Boolean.toString(i == 0));
            processes.add(ServiceProcess.start("optimizer-service.runner", "study-it-" + i, config));
        }
    }

    @AfterAll
    static void stop() {
        processes.forEach(ServiceProcess::close);
    }

    static OptimizerServiceBlockingStub stub(int process) {
        return OptimizerServiceGrpc.newBlockingStub(processes.get(process).channel).withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    static Distribution floats(double low, double high) {
        return Distribution.newBuilder().setFloatDistribution(FloatDistribution.newBuilder().setLow(low).setHigh(high)).build();
    }

    @Test
    void everyProcessSimulatesTrialsOnTheVectorPath() {
        for (ServiceProcess p : processes) {
            String log = p.output();
            assertTrue(log.contains("RunTrials simulates the trials a worker holds together, several per SIMD instruction"),
                    "LocalService starts the jar with jdk.incubator.vector, so RunTrials takes the vector path:\n" + log);
            assertFalse(log.contains("RunTrials simulates one trial at a time"), log);
        }
    }

    @Test
    void sixWorkersInThreeProcessesAskAndTell300TrialsWithNoneLostOrTwice() throws Exception {
        String name = "shared-" + UUID.randomUUID();
        stub(0).createStudy(CreateStudyRequest.newBuilder().setStudy(Study.newBuilder().setStudyName(name)
                .addObjectives(StudyObjective.newBuilder().setName("loss").setDirection(StudyDirection.STUDY_DIRECTION_MINIMIZE))
                .putSearchSpace("x", floats(-5, 5))
                .putSearchSpace("y", floats(-5, 5))
                .setSampler(SamplerConfig.newBuilder().setSeed(17))).build());
        AtomicInteger told = new AtomicInteger();
        List<Trial> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService workers = Executors.newFixedThreadPool(6);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            OptimizerServiceBlockingStub s = stub(w % 3);
            futures.add(workers.submit(() -> {
                while (told.getAndIncrement() < 300) {
                    Trial t = s.ask(AskRequest.newBuilder().setStudyName(name).build());
                    double x = t.getParamsOrThrow("x").getDoubleValue();
                    double y = t.getParamsOrThrow("y").getDoubleValue();
                    answers.add(s.tell(TellRequest.newBuilder().setStudyName(name).setTrialNumber(t.getNumber())
                            .addValues((x - 1) * (x - 1) + (y + 2) * (y + 2)).build()));
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(5, TimeUnit.MINUTES);
        }
        workers.shutdown();

        assertEquals(300, answers.size());
        List<Trial> stored = all(stub(1), name);
        assertEquals(300, stored.size(), "none lost");
        Set<Integer> numbers = new HashSet<>();
        Set<Map<String, ParameterValue>> params = new HashSet<>();
        for (Trial t : stored) {
            assertTrue(numbers.add(t.getNumber()), "trial " + t.getNumber() + " once");
            assertEquals(TrialState.TRIAL_STATE_COMPLETE, t.getState(), "told exactly once: " + t);
            assertEquals(1, t.getValuesCount());
            params.add(t.getParamsMap());
        }
        assertEquals(299, numbers.stream().mapToInt(Integer::intValue).max().orElseThrow(), "numbers are dense");
        assertEquals(300, params.size(), "no two workers drew the same parameters");
        Study study = stub(2).getStudy(GetStudyRequest.newBuilder().setStudyName(name).build());
        assertEquals(300, study.getCompleteTrials());
        assertEquals(0, study.getRunningTrials() + study.getFailedTrials() + study.getPrunedTrials());
        double best = stored.stream().mapToDouble(t -> t.getValues(0)).min().orElseThrow();
        assertTrue(best < 0.5, "300 shared TPE trials get near the minimum 0 at (1, -2): " + best);
    }

    @Test
    void aWorkerKilledMidTrialLeavesATrialThatFailsAfterTheTimeoutAndTheStudyGoesOn() throws Exception {
        String series = "study-it-" + UUID.randomUUID().toString().substring(0, 8);
        TrainingIT.importElectricity(processes.get(0), series);
        String name = "killed-" + UUID.randomUUID();
        // A stress objective with many resamples makes each trial take a while, so the kill lands inside one.
        stub(0).createStudy(CreateStudyRequest.newBuilder().setStudy(Study.newBuilder().setStudyName(name)
                .addObjectives(StudyObjective.newBuilder().setName("stress.sharpe.p05").setDirection(StudyDirection.STUDY_DIRECTION_MAXIMIZE))
                .putSearchSpace("gate.min_edge", floats(0, 0.2))
                .putSearchSpace("risk.max_size", floats(0.05, 0.5))
                .setSampler(SamplerConfig.newBuilder().setSeed(3))
                .setPruner(PrunerConfig.newBuilder().setKind(PrunerKind.PRUNER_KIND_NONE))
                .setEvaluation(StudyEvaluation.newBuilder()
                        .setBacktest(BacktestSpec.newBuilder().setName("it").addSeriesIds(series)
                                .setWalkForward(WalkForwardConfig.newBuilder().setTrainObservations(1_500).setTestObservations(500).setMaxFolds(3))
                                .setLabel(LabelSpec.newBuilder().setForwardReturnSign(ForwardReturnSignLabel.newBuilder().setHorizonObservations(4)))
                                .addMembers(ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION))
                                .setSeed(1))
                        .setStress(StressTestConfig.newBuilder().setResamples(100_000).setMeanBlockLengthDecisions(20).setSeed(9))))
                .build());

        ServiceProcess victim = processes.get(1);
        Thread runner = new Thread(() -> {
            try {
                OptimizerServiceGrpc.newBlockingStub(victim.channel).runTrials(RunTrialsRequest.newBuilder().setStudyName(name)
                        .setNTrials(1_000).build()).forEachRemaining(t -> { });
            } catch (RuntimeException expected) {
                // the process is killed under the call
            }
        });
        runner.setDaemon(true);
        runner.start();
        awaitRunning(stub(0), name);
        long killedAt = System.nanoTime();
        victim.kill();
        // What the dead worker left running (its trials take seconds each; the gap between two batches of them, milliseconds).
        List<Trial> left = stub(0).listTrials(ListTrialsRequest.newBuilder().setStudyName(name)
                .setState(TrialState.TRIAL_STATE_RUNNING).build()).getTrialsList();
        assertFalse(left.isEmpty(), "the killed worker was inside its trials");
        for (Trial running : left) {
            Trial failed = awaitState(stub(2), name, running.getNumber(), TrialState.TRIAL_STATE_FAIL);
            double waited = (System.nanoTime() - killedAt) / 1e9;
            assertTrue(failed.getFailReason().contains("heartbeat"), failed.getFailReason());
            assertTrue(waited >= HEARTBEAT_TIMEOUT_S - 1.0, "failed only after the heartbeat timeout: " + waited + " s");
        }

        List<Trial> rest = new ArrayList<>();
        stub(2).runTrials(RunTrialsRequest.newBuilder().setStudyName(name).setNTrials(3).build()).forEachRemaining(rest::add);
        assertEquals(3, rest.size());
        rest.forEach(t -> assertEquals(TrialState.TRIAL_STATE_COMPLETE, t.getState(), t.toString()));
        Study study = stub(0).getStudy(GetStudyRequest.newBuilder().setStudyName(name).build());
        assertEquals(0, study.getRunningTrials(), "nothing is left running");
        assertTrue(study.getFailedTrials() >= 1);
    }

    static List<Trial> all(OptimizerServiceBlockingStub s, String name) {
        List<Trial> out = new ArrayList<>();
        String token = "";
        do {
            ListTrialsResponse page = s.listTrials(ListTrialsRequest.newBuilder().setStudyName(name).setPageSize(100)
                    .setPageToken(token).build());
            out.addAll(page.getTrialsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    /** The first RUNNING trial of the study, polling every 20 ms for at most two minutes (the victim trains first). */
    static Trial awaitRunning(OptimizerServiceBlockingStub s, String name) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            ListTrialsResponse r = s.listTrials(ListTrialsRequest.newBuilder().setStudyName(name)
                    .setState(TrialState.TRIAL_STATE_RUNNING).build());
            if (r.getTrialsCount() > 0) {
                return r.getTrials(0);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval
        }
        throw new AssertionError("no trial of " + name + " started running within two minutes");
    }

    static Trial awaitState(OptimizerServiceBlockingStub s, String name, int number, TrialState state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HEARTBEAT_TIMEOUT_S * 10L);
        while (System.nanoTime() < deadline) {
            for (Trial t : s.listTrials(ListTrialsRequest.newBuilder().setStudyName(name).setState(state).build()).getTrialsList()) {
                if (t.getNumber() == number) {
                    return t;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // poll interval
        }
        throw new AssertionError("trial " + number + " of " + name + " did not become " + state);
    }
}
