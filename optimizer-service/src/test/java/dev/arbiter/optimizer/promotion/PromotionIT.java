package dev.arbiter.optimizer.promotion;

import static dev.arbiter.testing.RefusalAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.proto.v1.AskRequest;
import dev.arbiter.proto.v1.CreateStudyRequest;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.Distribution;
import dev.arbiter.proto.v1.FloatDistribution;
import dev.arbiter.proto.v1.GetParameterSetRequest;
import dev.arbiter.proto.v1.IntDistribution;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.OptimizerServiceGrpc.OptimizerServiceBlockingStub;
import dev.arbiter.proto.v1.ParameterSet;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.ParameterValues;
import dev.arbiter.proto.v1.PromoteParametersRequest;
import dev.arbiter.proto.v1.PromoteParametersResponse;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.StudyDirection;
import dev.arbiter.proto.v1.StudyObjective;
import dev.arbiter.proto.v1.TellRequest;
import dev.arbiter.proto.v1.Trial;
import dev.arbiter.proto.v1.TrialRef;
import dev.arbiter.testing.ServiceProcess;
import dev.arbiter.testing.WebhookReceiver;
import io.grpc.Status;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Integration test: a packaged decision-service and a packaged optimizer-service as processes on the test database;
 * PromoteParameters moves decision-service's live parameters step by step (given values, a trial of a study made by
 * Ask/Tell, in the background until reached). decision-service runs without feature-service and model-service: its
 * parameter RPCs do not call them. The guard needs losing live decisions, which need both, so PromotionGuardTest
 * covers it against a double.
 */
class PromotionIT {

    static final double MAX_STEP_FRACTION = 0.1;
    static ServiceProcess decisions;
    static ServiceProcess optimizer;
    /** Receives optimizer-service's alerts (promotions, rollbacks). */
    static final WebhookReceiver alerts = new WebhookReceiver();

    @BeforeAll
    static void start() throws Exception {
        String run = UUID.randomUUID().toString();
        decisions = ServiceProcess.start("decision-service.runner", "promotion-it-decision-service", new HashMap<>(Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                "quarkus.flyway.clean-disabled", "false",
                "quarkus.flyway.clean-at-start", "true",
                "arbiter.decision.redis-prefix", "arbiter-it:promotion:" + run + ":",
                "arbiter.decision.log.spool-dir", "target/promotion-it-spool-" + run,
                // the parameter RPCs call neither: closed ports
                "quarkus.grpc.clients.features.port", "1",
                "quarkus.grpc.clients.models.port", "1")));
        try {
            optimizer = startOptimizer("promotion-it-optimizer-service", true);
        } catch (Exception | Error e) {
            decisions.close();
            throw e;
        }
    }

    /** optimizer-service promoting into {@link #decisions}; {@code clean}: empty its schema first (not on a restart). */
    static ServiceProcess startOptimizer(String name, boolean clean) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of(
                "arbiter.alerts.webhook-url", alerts.url(),
                "arbiter.alerts.dedup-window", "0s"));
        config.putAll(Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                "quarkus.flyway.clean-disabled", "false",
                "quarkus.flyway.clean-at-start", Boolean.toString(clean),
                "arbiter.optimizer.history.root", Files.createTempDirectory("arbiter-promotion-it-").toString(),
                "quarkus.grpc.clients.decisions.host", "127.0.0.1",
                "quarkus.grpc.clients.decisions.port", Integer.toString(decisions.grpcPort),
                "arbiter.optimizer.promotion.max-step-fraction", Double.toString(MAX_STEP_FRACTION),
                "arbiter.optimizer.promotion.step-interval", "200ms",
                "arbiter.optimizer.promotion.decision-service-deadline", "1s"));
        return ServiceProcess.start("optimizer-service.runner", name, config);
    }

    @AfterAll
    static void stop() {
        if (optimizer != null) {
            optimizer.close();
        }
        decisions.close();
        alerts.close();
    }

    static OptimizerServiceBlockingStub optimizer() {
        return OptimizerServiceGrpc.newBlockingStub(optimizer.channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static DecisionServiceBlockingStub decisions() {
        return DecisionServiceGrpc.newBlockingStub(decisions.channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static ParameterSet parameterSet(int version) {
        return decisions().getParameterSet(GetParameterSetRequest.newBuilder().setVersion(version).build());
    }

    static double value(ParameterSet set, String name) {
        return PromotionRun.number(set.getValuesMap().get(name), Double.NaN);
    }

    static ParameterValue number(double v) {
        return ParameterValue.newBuilder().setDoubleValue(v).build();
    }

    static PromoteParametersRequest.Builder given(Map<String, ParameterValue> values) {
        return PromoteParametersRequest.newBuilder().setValues(ParameterValues.newBuilder().putAllValues(values))
                .setAuthor("promotion-it").setReason("tuned offline");
    }

    static PromoteParametersRequest trial(String study, int number) {
        return PromoteParametersRequest.newBuilder().setTrial(TrialRef.newBuilder().setStudyName(study).setTrialNumber(number))
                .setAuthor("promotion-it").setReason("tuned offline").build();
    }

    /** Every step: one new version by optimizer-service, no parameter moved more than the largest step. */
    static void assertOneStep(ParameterSet before, PromoteParametersResponse r, String source, int step) {
        assertEquals(before.getVersion(), r.getPreviousParameterSetVersion());
        ParameterSet after = parameterSet(r.getParameterSetVersion());
        assertTrue(after.getLive() || r.getReached(), "the step is live");
        assertEquals(before.getVersion() + 1, after.getVersion());
        assertEquals("optimizer-service", after.getAuthor());
        assertTrue(after.getReason().startsWith("promotion-it: tuned offline; promotion step " + step + " toward " + source),
                after.getReason());
        for (String name : r.getTargetMap().keySet()) {
            PolicyParameter p = PolicyParameter.byKey(name);
            double moved = Math.abs(value(after, name) - value(before, name));
            assertTrue(moved <= Math.max(MAX_STEP_FRACTION * (p.max() - p.min()), p.integer() ? 1 : 0) + 1e-12,
                    name + " moved " + moved);
            assertEquals(value(after, name), PromotionRun.number(r.getAppliedMap().get(name), Double.NaN), name);
        }
    }

    @Test
    void givenValuesConvergeStepByStepEachANewVersionByTheOptimizer() {
        Map<String, ParameterValue> target = Map.of(
                "gate.min_confidence", number(0.55),
                "confidence.edge_scale", number(9.0),
                "risk.cooldown_losses", ParameterValue.newBuilder().setIntValue(8).build());
        PromoteParametersResponse r;
        int steps = 0;
        do {
            ParameterSet before = parameterSet(0);
            r = optimizer().promoteParameters(given(target).setSmoothingFactor(0.5)
                    .setExpectedLiveVersion(before.getVersion()).build());
            steps++;
            assertOneStep(before, r, "given values", 1);
            assertEquals(target, r.getTargetMap());
        } while (!r.getReached() && steps < 40);
        assertTrue(r.getReached());
        assertEquals(0.0, r.getRemainingGap());
        assertTrue(steps >= 4, "the largest step (1.99 of confidence.edge_scale) makes it take several: " + steps);
        ParameterSet live = parameterSet(0);
        assertEquals(0.55, value(live, "gate.min_confidence"));
        assertEquals(9.0, value(live, "confidence.edge_scale"));
        assertEquals(ParameterValue.newBuilder().setIntValue(8).build(), live.getValuesMap().get("risk.cooldown_losses"));

        // at the target: nothing more to do, no new version
        PromoteParametersResponse again = optimizer().promoteParameters(given(target).build());
        assertTrue(again.getReached());
        assertEquals(live.getVersion(), again.getParameterSetVersion());
        assertEquals(live.getVersion(), parameterSet(0).getVersion());
    }

    @Test
    void aDryRunChangesNothingAndAStaleExpectedVersionIsRefused() {
        ParameterSet before = parameterSet(0);
        double goal = value(before, "gate.min_agreement") > 0.5 ? 0.2 : 0.9;
        PromoteParametersResponse dry = optimizer().promoteParameters(given(Map.of("gate.min_agreement", number(goal)))
                .setDryRun(true).build());
        assertEquals(0, dry.getParameterSetVersion());
        assertEquals(before.getVersion(), dry.getPreviousParameterSetVersion());
        assertFalse(dry.getReached());
        assertTrue(Math.abs(PromotionRun.number(dry.getAppliedMap().get("gate.min_agreement"), Double.NaN)
                - value(before, "gate.min_agreement")) > 0, "the would-be step moves");
        assertEquals(before, parameterSet(0));

        refused(Status.Code.FAILED_PRECONDITION, "expected_live_version", () -> optimizer().promoteParameters(
                given(Map.of("gate.min_agreement", number(goal))).setExpectedLiveVersion(before.getVersion() + 5).build()));
        assertEquals(before.getVersion(), parameterSet(0).getVersion());
    }

    @Test
    void aCompleteTrialOfAnAskTellStudyIsATarget() {
        String study = "promote-" + UUID.randomUUID();
        optimizer().createStudy(CreateStudyRequest.newBuilder().setStudy(Study.newBuilder().setStudyName(study)
                .addObjectives(StudyObjective.newBuilder().setName("precision").setDirection(StudyDirection.STUDY_DIRECTION_MAXIMIZE))
                .putSearchSpace("gate.min_edge", Distribution.newBuilder().setFloatDistribution(
                        FloatDistribution.newBuilder().setLow(0.05).setHigh(0.3)).build())
                .putSearchSpace("risk.cooldown_observations", Distribution.newBuilder().setIntDistribution(
                        IntDistribution.newBuilder().setLow(10).setHigh(40)).build())
                .putSearchSpace("depth", Distribution.newBuilder().setIntDistribution(
                        IntDistribution.newBuilder().setLow(2).setHigh(6)).build())).build());
        Trial told = optimizer().ask(AskRequest.newBuilder().setStudyName(study).build());
        optimizer().tell(TellRequest.newBuilder().setStudyName(study).setTrialNumber(told.getNumber()).addValues(0.7).build());
        Trial running = optimizer().ask(AskRequest.newBuilder().setStudyName(study).build());

        ParameterSet before = parameterSet(0);
        PromoteParametersResponse r = optimizer().promoteParameters(trial(study, told.getNumber()));
        assertOneStep(before, r, "study \"" + study + "\" trial " + told.getNumber(), 1);
        assertEquals(Map.of("gate.min_edge", told.getParamsMap().get("gate.min_edge"),
                "risk.cooldown_observations", told.getParamsMap().get("risk.cooldown_observations")), r.getTargetMap());

        refused(Status.Code.FAILED_PRECONDITION, "trial.trial_number",
                () -> optimizer().promoteParameters(trial(study, running.getNumber())));
        refused(Status.Code.NOT_FOUND, "trial.trial_number", () -> optimizer().promoteParameters(trial(study, 99)));
        refused(Status.Code.NOT_FOUND, "trial.study_name", () -> optimizer().promoteParameters(trial("no-such-study", 0)));

        String other = "no-policy-" + UUID.randomUUID();
        optimizer().createStudy(CreateStudyRequest.newBuilder().setStudy(Study.newBuilder().setStudyName(other)
                .addObjectives(StudyObjective.newBuilder().setName("loss").setDirection(StudyDirection.STUDY_DIRECTION_MINIMIZE))
                .putSearchSpace("x", Distribution.newBuilder().setFloatDistribution(
                        FloatDistribution.newBuilder().setLow(0).setHigh(1)).build())).build());
        Trial x = optimizer().ask(AskRequest.newBuilder().setStudyName(other).build());
        optimizer().tell(TellRequest.newBuilder().setStudyName(other).setTrialNumber(x.getNumber()).addValues(1).build());
        refused(Status.Code.FAILED_PRECONDITION, "trial", () -> optimizer().promoteParameters(trial(other, x.getNumber())));
    }

    @Test
    void continueUntilReachedStepsInTheBackground() throws Exception {
        ParameterSet before = parameterSet(0);
        double goal = value(before, "risk.max_size") > 0.5 ? 0.1 : 0.9;
        PromoteParametersResponse first = optimizer().promoteParameters(given(Map.of("risk.max_size", number(goal)))
                .setSmoothingFactor(0.4).setContinueUntilReached(true).build());
        assertTrue(first.getContinuing());
        // decision-service has decided nothing here, so the guard has no baseline and says so
        assertTrue(first.getGuard().startsWith("off:"), first.getGuard());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        ParameterSet live = parameterSet(0);
        while (value(live, "risk.max_size") != goal && System.nanoTime() < deadline) {
            Thread.sleep(100);
            live = parameterSet(0);
        }
        assertEquals(goal, value(live, "risk.max_size"));
        assertTrue(live.getVersion() - first.getPreviousParameterSetVersion() >= 5, "several background steps");
        for (int v = first.getParameterSetVersion() + 1; v <= live.getVersion(); v++) {
            ParameterSet s = parameterSet(v);
            assertEquals("optimizer-service", s.getAuthor());
            int step = v - first.getPreviousParameterSetVersion();
            assertTrue(s.getReason().startsWith("promotion-it: tuned offline; promotion step " + step + " toward given values"),
                    s.getReason());
            assertTrue(Math.abs(value(s, "risk.max_size") - value(parameterSet(v - 1), "risk.max_size")) <= MAX_STEP_FRACTION + 1e-12);
        }
        Thread.sleep(600);
        assertEquals(live.getVersion(), parameterSet(0).getVersion(), "no step after reaching the target");
        // Alerted: the first step when it was made, the end when the target was reached.
        String firstStep = "v" + first.getParameterSetVersion() + " are live (from v" + first.getPreviousParameterSetVersion() + ")";
        String stepped = alerts.await(b -> b.contains(firstStep), 10);
        assertTrue(stepped.contains("\"event\":\"promotion\"") && stepped.contains("parameters stepped toward given values"), stepped);
        int reachedVersion = live.getVersion();
        String reached = alerts.await(b -> b.contains("v" + reachedVersion + " reached given values"), 10);
        assertTrue(reached.contains("\"event\":\"promotion\""), reached);
    }

    /**
     * A continuing promotion is kept in PostgreSQL: optimizer-service killed (SIGKILL) right after the first step, and
     * started again, takes it over once its lease has run out and goes on, numbering its steps from where it was.
     */
    @Test
    void aContinuingPromotionSurvivesAKilledOptimizer() throws Exception {
        ParameterSet before = parameterSet(0);
        double goal = value(before, "risk.max_size") > 0.5 ? 0.1 : 0.9;
        PromoteParametersResponse first = optimizer().promoteParameters(given(Map.of("risk.max_size", number(goal)))
                .setReason("survives a crash").setSmoothingFactor(0.2).setContinueUntilReached(true).build());
        assertTrue(first.getContinuing());
        optimizer.kill();
        int atKill = parameterSet(0).getVersion();
        optimizer = startOptimizer("promotion-it-optimizer-service-restarted", false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        ParameterSet live = parameterSet(0);
        while (value(live, "risk.max_size") != goal && System.nanoTime() < deadline) {
            Thread.sleep(100);
            live = parameterSet(0);
        }
        assertEquals(goal, value(live, "risk.max_size"), "reached after the restart");
        assertTrue(live.getVersion() > atKill, "steps made by the restarted process");
        for (int v = first.getParameterSetVersion(); v <= live.getVersion(); v++) {
            ParameterSet s = parameterSet(v);
            assertEquals("optimizer-service", s.getAuthor());
            int step = v - first.getPreviousParameterSetVersion();
            assertTrue(s.getReason().startsWith("promotion-it: survives a crash; promotion step " + step + " toward given values"),
                    "one promotion, its steps numbered on across the restart: " + s.getReason());
        }
    }

    @Test
    void badRequestsAreRefusedWithTheFieldAndTheFix() {
        refused(Status.Code.INVALID_ARGUMENT, "target", () -> optimizer().promoteParameters(
                PromoteParametersRequest.newBuilder().setAuthor("a").setReason("r").build()));
        refused(Status.Code.INVALID_ARGUMENT, "smoothing_factor", () -> optimizer().promoteParameters(
                given(Map.of("risk.max_size", number(0.2))).setSmoothingFactor(1.5).build()));
        refused(Status.Code.INVALID_ARGUMENT, "values.values[\"no.such\"]", () -> optimizer().promoteParameters(
                given(Map.of("no.such", number(0.2))).build()));
        refused(Status.Code.INVALID_ARGUMENT, "values.values[\"risk.max_size\"]", () -> optimizer().promoteParameters(
                given(Map.of("risk.max_size", number(3))).build()));
        refused(Status.Code.INVALID_ARGUMENT, "author", () -> optimizer().promoteParameters(
                given(Map.of("risk.max_size", number(0.2))).setAuthor("").build()));
        refused(Status.Code.INVALID_ARGUMENT, "continue_until_reached", () -> optimizer().promoteParameters(
                given(Map.of("risk.max_size", number(0.2))).setDryRun(true).setContinueUntilReached(true).build()));
    }

    @Test
    void decisionServiceNotAnsweringIsUnavailable() {
        decisions.pause();
        try {
            refused(Status.Code.UNAVAILABLE, "target", () -> optimizer().promoteParameters(
                    given(Map.of("risk.max_size", number(0.2))).build()));
        } finally {
            decisions.resume();
        }
    }
}
