package dev.arbiter.optimizer.retraining;

import static dev.arbiter.testing.RefusalAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.optimizer.dataset.Dataset;
import dev.arbiter.optimizer.dataset.LabelDefinition;
import dev.arbiter.optimizer.dataset.TestSeries;
import dev.arbiter.optimizer.training.TrainingIT;
import dev.arbiter.proto.v1.ActivateModelVersionRequest;
import dev.arbiter.proto.v1.DefineEnsembleRequest;
import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.EnsembleWeights;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.GetDriftStatusRequest;
import dev.arbiter.proto.v1.GetEnsembleRequest;
import dev.arbiter.proto.v1.GetEnsembleWeightsRequest;
import dev.arbiter.proto.v1.GetModelVersionRequest;
import dev.arbiter.proto.v1.LabelSpec;
import dev.arbiter.proto.v1.ListModelVersionsRequest;
import dev.arbiter.proto.v1.ListRetrainingsRequest;
import dev.arbiter.proto.v1.MemberOutcome;
import dev.arbiter.proto.v1.MemberOutcomes;
import dev.arbiter.proto.v1.MemberWeight;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelOutput;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.ModelVersionStatus;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.PredictRequest;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionTarget;
import dev.arbiter.proto.v1.RegistrationPolicy;
import dev.arbiter.proto.v1.ReportPredictionOutcomeRequest;
import dev.arbiter.proto.v1.RetrainRequest;
import dev.arbiter.proto.v1.RetrainUpdate;
import dev.arbiter.proto.v1.Retraining;
import dev.arbiter.proto.v1.RetrainingAction;
import dev.arbiter.proto.v1.RetrainingState;
import dev.arbiter.proto.v1.RetrainingStep;
import dev.arbiter.proto.v1.RetrainingTrigger;
import dev.arbiter.proto.v1.RunTrainingRequest;
import dev.arbiter.proto.v1.ThresholdEventLabel;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.proto.v1.TrainingJobState;
import dev.arbiter.proto.v1.TrainingResult;
import dev.arbiter.proto.v1.TrainingSpec;
import dev.arbiter.proto.v1.TrainingUpdate;
import dev.arbiter.proto.v1.UploadModelMetadata;
import dev.arbiter.proto.v1.UploadModelRequest;
import dev.arbiter.testing.ClientStreams;
import dev.arbiter.testing.ServiceProcess;
import dev.arbiter.testing.WebhookReceiver;
import dev.arbiter.testing.XgboostModels;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Retraining end to end: a packaged optimizer-service and a packaged model-service as processes, real PostgreSQL and
 * Redis. Two logistic-regression champions trained on the first 60 % of the electricity series, each alone in an
 * ensemble, are retrained on the latest history with boosted trees as the challenger; both challengers are better with
 * confidence and ramp in. One ramp sees no outcomes and replaces its champion step by step; on the other, outcomes
 * say the challenger is wrong and the champion right, and the guard rolls it back. Retraining the new champion again on
 * the same history registers nothing and changes nothing, and a drift of it seen by model-service starts exactly that
 * retraining by itself, once. Every step is in the audit trail and every end reaches the alert receiver.
 */
public class RetrainingIT {

    private static final LabelSpec PEAKS = LabelSpec.newBuilder().setThresholdEvent(ThresholdEventLabel.newBuilder()
            .setHorizonObservations(4).setTrailingWindowObservations(336).setPercentile(90)).build();
    private static final ModelTrainingConfig GBT = ModelTrainingConfig.newBuilder()
            .setKind(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES).build();
    private static final int GUARD_MIN_OUTCOMES = 20;

    @Test
    void aChallengerReplacesItsChampionOnlyWhenItShould() throws Exception {
        String s = UUID.randomUUID().toString().substring(0, 8);
        Path historyRoot = Files.createTempDirectory("arbiter-retraining-it-");
        String ensembleA = "retrain-a-" + s;
        String ensembleB = "retrain-b-" + s;
        Map<String, String> modelConfig = Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test",
                "quarkus.flyway.clean-disabled", "false",
                "quarkus.flyway.clean-at-start", "true",
                "arbiter.models.redis-prefix", "arbiter-it-retraining:models:",
                "arbiter.models.drift.evaluation-interval", "0",
                "arbiter.models.drift.reference-size", "150",
                "arbiter.models.drift.recent-size", "150",
                "arbiter.models.drift.min-samples", "100",
                "quarkus.grpc.clients.features.port", "1");
        try (WebhookReceiver alerts = new WebhookReceiver();
             ServiceProcess models = ServiceProcess.start("model-service.runner", "retraining-it-model-service", modelConfig);
             ServiceProcess optimizer = ServiceProcess.start("optimizer-service.runner", "retraining-it-optimizer-service",
                     Map.ofEntries(
                             Map.entry("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/arbiter_test"),
                             Map.entry("quarkus.flyway.clean-disabled", "false"),
                             Map.entry("quarkus.flyway.clean-at-start", "true"),
                             Map.entry("quarkus.grpc.clients.models.port", Integer.toString(models.grpcPort)),
                             Map.entry("arbiter.optimizer.history.root", historyRoot.toString()),
                             Map.entry("arbiter.alerts.webhook-url", alerts.url()),
                             // a ramp of three steps, 6 s apart: time to report the outcomes the guard judges
                             Map.entry("arbiter.optimizer.retraining.ramp-steps", "0.2,0.5"),
                             Map.entry("arbiter.optimizer.retraining.ramp-interval", "6s"),
                             Map.entry("arbiter.optimizer.retraining.guard-min-outcomes", Integer.toString(GUARD_MIN_OUTCOMES)),
                             Map.entry("arbiter.optimizer.retraining.ensembles", ensembleA),
                             Map.entry("arbiter.optimizer.retraining.drift-poll", "1s")))) {
            var registry = ModelServiceGrpc.newBlockingStub(models.channel);
            var service = OptimizerServiceGrpc.newBlockingStub(optimizer.channel);
            String series = "electricity-" + s;
            TrainingIT.importElectricity(optimizer, series);
            Dataset all = Dataset.build(TestSeries.electricity(), FeatureConfig.defaults(),
                    new LabelDefinition.ThresholdEvent(4, 336, 90, true));
            long[] ts = all.tsMicros();
            TimeRange early = TimeRange.newBuilder().setStartTsMicros(ts[0]).setEndTsMicros(ts[(int) (ts.length * 0.6)]).build();

            // Refusals that need model-service: nothing is started by any of them.
            String a = "retrain-lr-a-" + s;
            String b = "retrain-lr-b-" + s;
            retrainRefused(service, Status.Code.FAILED_PRECONDITION, "model_name", request("never-trained-" + s, ensembleA));
            TrainingResult championA = train(service, spec(series, a, early));
            TrainingResult championB = train(service, spec(series, b, early));
            assertTrue(championA.getRegistered() && championB.getRegistered(), championA.getReason());
            retrainRefused(service, Status.Code.FAILED_PRECONDITION, "model_name", request(a, ensembleA)); // STAGED only
            activate(registry, a, 1);
            activate(registry, b, 1);
            retrainRefused(service, Status.Code.NOT_FOUND, "ensemble_name", request(a, ensembleA));
            define(registry, ensembleA, ref(a, 1));
            define(registry, ensembleB, ref(b, 1));
            retrainRefused(service, Status.Code.FAILED_PRECONDITION, "ensemble_name", request(a, ensembleB));
            String uploaded = "uploaded-" + s;
            upload(models, uploaded, all);
            activate(registry, uploaded, 1);
            var noJob = retrainRefused(service, Status.Code.FAILED_PRECONDITION, "model_name", request(uploaded, ensembleA));
            assertTrue(noJob.getStatus().getDescription().contains("job_id"), noJob.getStatus().getDescription());
            assertEquals(0, service.listRetrainings(ListRetrainingsRequest.getDefaultInstance()).getRetrainingsCount());

            // Both challengers are better with confidence: registered, activated, and joined at the first cap.
            List<RetrainUpdate> streamA = retrain(service, request(a, ensembleA).setChallenger(GBT));
            Retraining startedA = streamA.get(0).getStarted();
            assertEquals(RetrainingState.RETRAINING_STATE_TRAINING, startedA.getState());
            assertEquals(ref(a, 1), startedA.getChampion());
            assertEquals(RetrainingTrigger.RETRAINING_TRIGGER_MANUAL, startedA.getTrigger());
            assertFalse(startedA.getJobId().isEmpty());
            assertTrue(streamA.stream().filter(RetrainUpdate::hasProgress).count() >= 3, "the training's progress");
            Retraining rampingA = streamA.get(streamA.size() - 1).getTrained();
            assertEquals(RetrainingState.RETRAINING_STATE_RAMPING, rampingA.getState(), rampingA.getOutcome());
            assertEquals(ref(a, 2), rampingA.getChallenger());
            assertTrue(rampingA.getTrainingResult().getBrierDifferenceUpper() < 0, rampingA.getTrainingResult().getReason());
            assertEquals(1, rampingA.getStepsCount());
            assertEquals(RetrainingAction.RETRAINING_ACTION_JOINED, rampingA.getSteps(0).getAction());
            assertEquals(0.2, rampingA.getSteps(0).getMaxWeight());
            // the challenger was trained on the latest history: its job's range ends at the last observation
            TrainingSpec retrained = service.getTrainingJob(dev.arbiter.proto.v1.GetTrainingJobRequest.newBuilder()
                    .setJobId(startedA.getJobId()).build()).getSpec();
            long[] stored = TestSeries.electricity().tsMicros();
            assertEquals(stored[stored.length - 1] + 1, retrained.getRange().getEndTsMicros(), "moved to the latest observation");
            assertEquals(early.getEndTsMicros() - early.getStartTsMicros(),
                    retrained.getRange().getEndTsMicros() - retrained.getRange().getStartTsMicros(), "same length");
            assertEquals(RegistrationPolicy.REGISTRATION_POLICY_IF_SIGNIFICANTLY_BETTER, retrained.getRegistration());
            // one retraining of a model at a time
            retrainRefused(service, Status.Code.FAILED_PRECONDITION, "model_name", request(a, ensembleA));

            Retraining rampingB = last(retrain(service, request(b, ensembleB).setChallenger(GBT))).getTrained();
            assertEquals(RetrainingState.RETRAINING_STATE_RAMPING, rampingB.getState(), rampingB.getOutcome());
            // Under the cap the challenger, starting level with the champion, weighs exactly its cap.
            EnsembleWeights capped = registry.getEnsembleWeights(GetEnsembleWeightsRequest.newBuilder()
                    .setEnsembleName(ensembleB).build());
            assertEquals(0.2, weightOf(capped, ref(b, 2)).getWeight(), 1e-12);
            assertEquals(0.8, weightOf(capped, ref(b, 1)).getWeight(), 1e-12);
            // Live outcomes on B: the champion right, the challenger wrong (the ramp's next step is 6 s away).
            for (int i = 0; i < GUARD_MIN_OUTCOMES + 5; i++) {
                registry.reportPredictionOutcome(ReportPredictionOutcomeRequest.newBuilder().setEnsembleName(ensembleB)
                        .setMemberOutcomes(MemberOutcomes.newBuilder()
                                .addMembers(MemberOutcome.newBuilder().setModelName(b).setVersion(1).setCorrect(true))
                                .addMembers(MemberOutcome.newBuilder().setModelName(b).setVersion(2).setCorrect(false)))
                        .build());
            }

            // A: no outcomes, so the guard does not judge; 0.2, then 0.5, then it replaces the champion.
            Retraining endA = await(service, startedA.getRetrainingId(), r -> r.getState() != RetrainingState.RETRAINING_STATE_RAMPING);
            assertEquals(RetrainingState.RETRAINING_STATE_REPLACED, endA.getState(), endA.toString());
            assertEquals(List.of(RetrainingAction.RETRAINING_ACTION_JOINED, RetrainingAction.RETRAINING_ACTION_RAISED,
                    RetrainingAction.RETRAINING_ACTION_REPLACED), endA.getStepsList().stream().map(x -> x.getAction()).toList());
            assertEquals(List.of(0.2, 0.5, 0.0), endA.getStepsList().stream().map(x -> x.getMaxWeight()).toList());
            assertTrue(endA.getSteps(1).getEnsembleRevision() > endA.getSteps(0).getEnsembleRevision(), "each step redefines");
            EnsembleDefinition afterA = registry.getEnsemble(GetEnsembleRequest.newBuilder().setName(ensembleA).build());
            assertEquals(List.of(EnsembleMember.newBuilder().setModelName(a).setVersion(2).setInitialWeight(
                    afterA.getMembers(0).getInitialWeight()).build()), afterA.getMembersList(), "the challenger alone, uncapped");
            assertEquals(ModelVersionStatus.MODEL_VERSION_STATUS_RETIRED, status(registry, a, 1));
            assertEquals(ModelVersionStatus.MODEL_VERSION_STATUS_ACTIVE, status(registry, a, 2));
            String replaced = alert(alerts, "retraining " + startedA.getRetrainingId() + " replaced");
            assertTrue(replaced.contains("\"event\":\"promotion\""), replaced);

            // B: the guard read the challenger's score fall behind and rolled it back; the champion stays.
            Retraining endB = await(service, rampingB.getRetrainingId(), r -> r.getState() != RetrainingState.RETRAINING_STATE_RAMPING);
            assertEquals(RetrainingState.RETRAINING_STATE_ROLLED_BACK, endB.getState(), endB.toString());
            assertEquals(RetrainingAction.RETRAINING_ACTION_ROLLED_BACK, endB.getSteps(1).getAction());
            assertTrue(endB.getSteps(1).getChallengerOutcomes() >= GUARD_MIN_OUTCOMES);
            assertTrue(endB.getSteps(1).getChallengerScore() < endB.getSteps(1).getChampionScore() - 0.05, endB.toString());
            EnsembleDefinition afterB = registry.getEnsemble(GetEnsembleRequest.newBuilder().setName(ensembleB).build());
            assertEquals(List.of(ref(b, 1)), afterB.getMembersList().stream().map(m -> ref(m.getModelName(), m.getVersion())).toList());
            assertEquals(ModelVersionStatus.MODEL_VERSION_STATUS_RETIRED, status(registry, b, 2));
            assertEquals(ModelVersionStatus.MODEL_VERSION_STATUS_ACTIVE, status(registry, b, 1));
            String rolledBack = alert(alerts, "retraining " + rampingB.getRetrainingId() + " rolled back");
            assertTrue(rolledBack.contains("\"event\":\"rollback\""), rolledBack);

            // The new champion retrained on the same history: the same model, not better with confidence; nothing changes.
            int revision = afterA.getRevision();
            Retraining same = last(retrain(service, request(a, ensembleA))).getTrained();
            assertEquals(RetrainingState.RETRAINING_STATE_NOT_REPLACED, same.getState(), same.getOutcome());
            assertEquals(ref(a, 2), same.getChampion());
            assertFalse(same.hasChallenger());
            assertTrue(same.getOutcome().contains("not better with confidence"), same.getOutcome());
            assertEquals(0, same.getStepsCount());
            assertEquals(revision, registry.getEnsemble(GetEnsembleRequest.newBuilder().setName(ensembleA).build()).getRevision());
            assertEquals(2, registry.listModelVersions(ListModelVersionsRequest.newBuilder().setModelName(a).build())
                    .getVersionsCount(), "no version registered");

            // Drift: the first 150 predictions of v2 form its reference; 150 with every feature shifted drift. The poll
            // (every second, ensemble A configured) retrains it by itself, once for this drift.
            for (int r = 0; r < 300; r++) {
                registry.predict(PredictRequest.newBuilder().setTarget(PredictionTarget.newBuilder().setEnsembleName(ensembleA))
                        .setInput(row(all, all.rows() - 600 + r, r < 150 ? 0 : 5)).build());
            }
            assertTrue(registry.getDriftStatus(GetDriftStatusRequest.newBuilder().setModelName(a).setVersion(2).build())
                    .getModels(0).getDrifted(), "model-service sees the drift");
            Retraining byDrift = awaitFirst(service, a, r -> r.getTrigger() == RetrainingTrigger.RETRAINING_TRIGGER_DRIFT
                    && r.getState() != RetrainingState.RETRAINING_STATE_TRAINING);
            assertEquals(RetrainingState.RETRAINING_STATE_NOT_REPLACED, byDrift.getState(), byDrift.getOutcome());
            assertTrue(byDrift.getReason().startsWith("drift: v2 drifted"), byDrift.getReason());
            // Later polls see the same drift (same reference generation) and start nothing more.
            String driftAlert = alert(alerts, byDrift.getJobId());
            assertTrue(driftAlert.contains("\"event\":\"retraining\""), driftAlert);
            for (Retraining r : List.of(endA, endB, same, byDrift)) {
                TrainingResult t = r.getTrainingResult();
                System.out.printf(java.util.Locale.ROOT, "retraining %d %s %s: Brier %.5f vs champion %.5f, difference %.6f"
                                + " [%.6f, %.6f]; %s%n", r.getRetrainingId(), r.getTrigger(), r.getState(),
                        t.getValidationMetrics().getBrierScore(), t.getChampionMetrics().getBrierScore(),
                        t.getBrierDifference(), t.getBrierDifferenceLower(), t.getBrierDifferenceUpper(),
                        r.getStepsList().stream().map(RetrainingStep::getNote).toList());
            }
            long drifts = service.listRetrainings(ListRetrainingsRequest.newBuilder().setModelName(a).build())
                    .getRetrainingsList().stream().filter(r -> r.getTrigger() == RetrainingTrigger.RETRAINING_TRIGGER_DRIFT).count();
            assertEquals(1, drifts);
        } finally {
            try (var files = Files.walk(historyRoot)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The alert containing {@code needle}, received already or within 30 s (alerts are sent asynchronously). */
    private static String alert(WebhookReceiver alerts, String needle) throws InterruptedException {
        java.util.Optional<String> received = alerts.bodies().stream().filter(b -> b.contains(needle)).findFirst();
        return received.isPresent() ? received.get() : alerts.await(b -> b.contains(needle), 30);
    }

    private static RetrainRequest.Builder request(String model, String ensemble) {
        return RetrainRequest.newBuilder().setModelName(model).setEnsembleName(ensemble).setReason("RetrainingIT");
    }

    private static List<RetrainUpdate> retrain(OptimizerServiceGrpc.OptimizerServiceBlockingStub service,
                                               RetrainRequest.Builder request) {
        List<RetrainUpdate> updates = new ArrayList<>();
        service.withDeadlineAfter(180, TimeUnit.SECONDS).retrain(request.build()).forEachRemaining(updates::add);
        assertTrue(updates.get(0).hasStarted(), "the first message is the retraining as started");
        assertTrue(last(updates).hasTrained(), "the last is the retraining once trained");
        return updates;
    }

    private static RetrainUpdate last(List<RetrainUpdate> updates) {
        return updates.get(updates.size() - 1);
    }

    private static io.grpc.StatusRuntimeException retrainRefused(OptimizerServiceGrpc.OptimizerServiceBlockingStub service,
                                                                Status.Code code, String field, RetrainRequest.Builder request) {
        return refused(code, field, () -> service.retrain(request.build()).forEachRemaining(u -> { }));
    }

    /** Reads the retraining until {@code done} holds, for at most two minutes (ListRetrainings, as a user follows it). */
    private static Retraining await(OptimizerServiceGrpc.OptimizerServiceBlockingStub service, long id,
                                    Predicate<Retraining> done) throws InterruptedException {
        return awaitFirst(service, null, r -> r.getRetrainingId() == id && done.test(r));
    }

    private static Retraining awaitFirst(OptimizerServiceGrpc.OptimizerServiceBlockingStub service, String model,
                                         Predicate<Retraining> done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            for (Retraining r : service.listRetrainings(ListRetrainingsRequest.newBuilder()
                    .setModelName(model == null ? "" : model).setPageSize(500).build()).getRetrainingsList()) {
                if (done.test(r)) {
                    return r;
                }
            }
            assertTrue(System.nanoTime() < deadline, "the retraining did not get there within two minutes");
            Thread.sleep(200); // polling a state another process changes, as a client would
        }
    }

    private static TrainingSpec spec(String series, String model, TimeRange range) {
        return TrainingSpec.newBuilder().setModelName(model).addSeriesIds(series).setRange(range).setLabel(PEAKS)
                .setModel(ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION))
                .setRegistration(RegistrationPolicy.REGISTRATION_POLICY_IF_BETTER).setSeed(11)
                .setDescription("RetrainingIT champion").build();
    }

    private static TrainingResult train(OptimizerServiceGrpc.OptimizerServiceBlockingStub service, TrainingSpec spec) {
        Iterator<TrainingUpdate> updates = service.withDeadlineAfter(120, TimeUnit.SECONDS)
                .runTraining(RunTrainingRequest.newBuilder().setSpec(spec).build());
        TrainingUpdate last = null;
        while (updates.hasNext()) {
            last = updates.next();
        }
        assertEquals(TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED, last.getResult().getState(), last.getResult().getReason());
        return last.getResult();
    }

    /** A version uploaded directly (not by RunTraining), so it names no training job. */
    private static void upload(ServiceProcess models, String name, Dataset d) throws Exception {
        byte[] artifact = XgboostModels.constant(d.cols(), 0.3);
        UploadModelMetadata metadata = UploadModelMetadata.newBuilder().setModelName(name)
                .setFormat(ModelFormat.MODEL_FORMAT_XGBOOST_JSON).addAllInputFeatureNames(d.featureNames())
                .setOutput(ModelOutput.MODEL_OUTPUT_POSITIVE_CLASS_PROBABILITY).setSizeBytes(artifact.length)
                .setSha256Hex(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(artifact)))
                .setFeatureSchemaId(d.featureSchemaId()).build();
        ModelVersion v = ClientStreams.call(ModelServiceGrpc.newStub(models.channel).withDeadlineAfter(60, TimeUnit.SECONDS)::uploadModel,
                List.of(UploadModelRequest.newBuilder().setMetadata(metadata).build(),
                        UploadModelRequest.newBuilder().setChunk(ByteString.copyFrom(artifact)).build()), 60);
        assertEquals(1, v.getVersion());
    }

    private static void activate(ModelServiceGrpc.ModelServiceBlockingStub registry, String model, int version) {
        registry.activateModelVersion(ActivateModelVersionRequest.newBuilder().setModelName(model).setVersion(version)
                .setReason("RetrainingIT").build());
    }

    private static void define(ModelServiceGrpc.ModelServiceBlockingStub registry, String name, ModelVersionRef member) {
        registry.defineEnsemble(DefineEnsembleRequest.newBuilder().setEnsemble(EnsembleDefinition.newBuilder().setName(name)
                .addMembers(EnsembleMember.newBuilder().setModelName(member.getModelName()).setVersion(member.getVersion())))
                .build());
    }

    private static ModelVersionStatus status(ModelServiceGrpc.ModelServiceBlockingStub registry, String model, int version) {
        return registry.getModelVersion(GetModelVersionRequest.newBuilder().setModelName(model).setVersion(version).build())
                .getStatus();
    }

    private static MemberWeight weightOf(EnsembleWeights w, ModelVersionRef v) {
        return w.getMembersList().stream().filter(m -> m.getModelName().equals(v.getModelName())
                && m.getVersion() == v.getVersion()).findFirst().orElseThrow();
    }

    /** Row {@code r}'s features, each plus {@code shift}. */
    private static PredictionInput row(Dataset d, int r, double shift) {
        FeatureVector.Builder v = FeatureVector.newBuilder().setSeriesId("it").setSchemaId(d.featureSchemaId())
                .setTsMicros(d.tsMicros()[r]).setWarm(true);
        for (int j = 0; j < d.cols(); j++) {
            v.addValues(d.x()[r * d.cols() + j] + shift);
        }
        return PredictionInput.newBuilder().setFeatures(v).build();
    }

    private static ModelVersionRef ref(String model, int version) {
        return RetrainingStore.ref(model, version);
    }
}
