package dev.arbiter.optimizer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.arbiter.optimizer.history.HistoryStore;
import dev.arbiter.optimizer.history.TempHistoryRoot;
import dev.arbiter.proto.v1.CalibrationMethod;
import dev.arbiter.proto.v1.CancelTrainingJobRequest;
import dev.arbiter.proto.v1.CsvColumnMapping;
import dev.arbiter.proto.v1.ForwardReturnSignLabel;
import dev.arbiter.proto.v1.GetTrainingJobRequest;
import dev.arbiter.proto.v1.ImportHistoryRequest;
import dev.arbiter.proto.v1.ImportHistorySpec;
import dev.arbiter.proto.v1.LabelSpec;
import dev.arbiter.proto.v1.ListTrainingJobsRequest;
import dev.arbiter.proto.v1.ListTrainingJobsResponse;
import dev.arbiter.proto.v1.MetaModelTraining;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.MutinyOptimizerServiceGrpc.MutinyOptimizerServiceStub;
import dev.arbiter.proto.v1.OptimizerServiceGrpc.OptimizerServiceBlockingStub;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.RegistrationPolicy;
import dev.arbiter.proto.v1.RunTrainingRequest;
import dev.arbiter.proto.v1.ThresholdEventLabel;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.proto.v1.TrainingJob;
import dev.arbiter.proto.v1.TrainingJobState;
import dev.arbiter.proto.v1.TrainingPhase;
import dev.arbiter.proto.v1.TrainingProgress;
import dev.arbiter.proto.v1.TrainingResult;
import dev.arbiter.proto.v1.TrainingSpec;
import dev.arbiter.proto.v1.TrainingUpdate;
import dev.arbiter.testing.RefusalAssertions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RunTraining, GetTrainingJob, ListTrainingJobs and CancelTrainingJob over gRPC, in-process, against the local
 * PostgreSQL and the imported electricity series. model-service is not running here (the test profile points its
 * client at a closed port), so registration is NEVER except where the test shows what a down model-service does;
 * TrainingIT registers in a real model-service.
 */
@QuarkusTest
@QuarkusTestResource(TempHistoryRoot.class)
class TrainingRpcTest {

    /** The first electricity timestamp, 2000-06-05T00:00 BST (2000-06-04T23:00Z), and the step between two. */
    static final long FIRST_TS = 960159600_000_000L;
    static final long HALF_HOUR = 1_800_000_000L;

    @GrpcClient("optimizer")
    OptimizerServiceBlockingStub optimizer;

    @GrpcClient("optimizer")
    MutinyOptimizerServiceStub mutiny;

    @Inject
    HistoryStore store;

    private static String series;

    @BeforeEach
    void importElectricityOnce() throws IOException {
        if (series != null && store.exists(series)) {
            return; // imported by an earlier test of this application (a restarted one starts from an empty catalog)
        }
        String id = "electricity-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] csv;
        try (InputStream in = getClass().getResourceAsStream("/data/taylor_electricity_halfhourly.csv")) {
            csv = in.readAllBytes();
        }
        ImportHistorySpec spec = ImportHistorySpec.newBuilder().setSeriesId(id).setHasHeader(true)
                .setColumns(CsvColumnMapping.newBuilder().setTimeColumn("datetime_local").setTimeZone("Europe/London")
                        .setValueColumn("demand_mw"))
                .build();
        long imported = mutiny.importHistory(Multi.createFrom().items(
                        ImportHistoryRequest.newBuilder().setSpec(spec).build(),
                        ImportHistoryRequest.newBuilder().setChunk(ByteString.copyFrom(csv)).build()))
                .await().atMost(Duration.ofSeconds(60)).getRowsImported();
        assertEquals(4032, imported);
        series = id;
    }

    static LabelSpec peaks() {
        return LabelSpec.newBuilder().setThresholdEvent(ThresholdEventLabel.newBuilder().setHorizonObservations(4)
                .setTrailingWindowObservations(336).setPercentile(90)).build();
    }

    static TrainingSpec.Builder spec(ModelKind kind) {
        return TrainingSpec.newBuilder()
                .setModelName("demand-peaks")
                .setModel(ModelTrainingConfig.newBuilder().setKind(kind))
                .addSeriesIds(series)
                .setLabel(peaks())
                .setRegistration(RegistrationPolicy.REGISTRATION_POLICY_NEVER)
                .setSeed(7);
    }

    /** Every message of a RunTraining stream, and the status it ended with (null when it ended normally). */
    record Run(List<TrainingUpdate> updates, StatusRuntimeException error) {
        TrainingResult result() {
            TrainingUpdate last = updates.get(updates.size() - 1);
            assertTrue(last.hasResult(), "the stream ends with the result");
            return last.getResult();
        }

        List<TrainingProgress> progress() {
            return updates.stream().filter(TrainingUpdate::hasProgress).map(TrainingUpdate::getProgress).toList();
        }
    }

    Run run(TrainingSpec spec) {
        return run(spec, u -> { });
    }

    Run run(TrainingSpec spec, Consumer<TrainingUpdate> each) {
        List<TrainingUpdate> updates = new ArrayList<>();
        try {
            Iterator<TrainingUpdate> it = optimizer.withDeadlineAfter(120, java.util.concurrent.TimeUnit.SECONDS)
                    .runTraining(RunTrainingRequest.newBuilder().setSpec(spec).build());
            while (it.hasNext()) {
                TrainingUpdate u = it.next();
                updates.add(u);
                each.accept(u);
            }
            return new Run(updates, null);
        } catch (StatusRuntimeException e) {
            return new Run(updates, e);
        }
    }

    @Test
    void runTrainingStreamsProgressThenTheResultAndStoresTheJob() {
        Run run = run(spec(ModelKind.MODEL_KIND_RANDOM_FOREST).build());
        assertNull(run.error());
        TrainingResult result = run.result();
        List<TrainingProgress> progress = run.progress();
        assertEquals(TrainingPhase.TRAINING_PHASE_QUEUED, progress.get(0).getPhase());
        String jobId = progress.get(0).getJobId();
        assertEquals(jobId, result.getJobId());
        List<TrainingPhase> phases = progress.stream().map(TrainingProgress::getPhase).distinct().toList();
        assertEquals(List.of(TrainingPhase.TRAINING_PHASE_QUEUED, TrainingPhase.TRAINING_PHASE_LOADING_HISTORY,
                TrainingPhase.TRAINING_PHASE_COMPUTING_FEATURES, TrainingPhase.TRAINING_PHASE_TRAINING,
                TrainingPhase.TRAINING_PHASE_EVALUATING), phases);
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i).getFractionComplete() >= progress.get(i - 1).getFractionComplete());
        }
        assertTrue(progress.stream().anyMatch(p -> p.hasTrainLoss() && p.hasValidationLoss()));

        assertEquals(TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED, result.getState());
        assertFalse(result.getRegistered());
        assertTrue(result.getReason().contains("NEVER"), result.getReason());
        assertEquals(result.getValidationRows(), result.getValidationMetrics().getSampleCount());
        assertEquals(result.getTrainRows(), result.getTrainMetrics().getSampleCount());
        assertTrue(result.getValidationRows() > 700 && result.getTrainRows() > 2900, result.toString());
        assertTrue(result.getValidationMetrics().getBrierScore() < 0.1, result.toString());
        assertTrue(result.getFeatureSchemaId().startsWith("features-v1-"));

        TrainingJob job = optimizer.getTrainingJob(GetTrainingJobRequest.newBuilder().setJobId(jobId).build());
        assertEquals(TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED, job.getState());
        assertEquals(result, job.getResult());
        assertEquals(spec(ModelKind.MODEL_KIND_RANDOM_FOREST).build(), job.getSpec());
        assertEquals(TrainingPhase.TRAINING_PHASE_EVALUATING, job.getLatestProgress().getPhase());
        assertTrue(job.getFinishedTsMicros() >= job.getCreatedTsMicros() && job.getCreatedTsMicros() > 0);

        ListTrainingJobsResponse succeeded = optimizer.listTrainingJobs(ListTrainingJobsRequest.newBuilder()
                .setModelName("demand-peaks").setState(TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED).build());
        assertTrue(succeeded.getJobsList().stream().anyMatch(j -> j.getJobId().equals(jobId)));
        assertTrue(optimizer.listTrainingJobs(ListTrainingJobsRequest.newBuilder().setModelName("other-model").build())
                .getJobsList().isEmpty());
        assertFalse(optimizer.listTrainingJobs(ListTrainingJobsRequest.newBuilder()
                        .setState(TrainingJobState.TRAINING_JOB_STATE_RUNNING).build()).getJobsList().stream()
                .anyMatch(j -> j.getJobId().equals(jobId)));
    }

    @Test
    void aModelServiceThatIsDownFailsTheJobWithAReasonAndTheMetricsAreNotLost() {
        Run run = run(spec(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION)
                .setRegistration(RegistrationPolicy.REGISTRATION_POLICY_IF_BETTER).build());
        assertNull(run.error());
        TrainingResult result = run.result();
        assertEquals(TrainingJobState.TRAINING_JOB_STATE_FAILED, result.getState());
        assertTrue(result.getReason().contains("UNAVAILABLE") && result.getReason().contains("run the job again"),
                result.getReason());
        assertEquals(TrainingJobState.TRAINING_JOB_STATE_FAILED, optimizer.getTrainingJob(GetTrainingJobRequest
                .newBuilder().setJobId(result.getJobId()).build()).getState());
    }

    @Test
    void aCancelStopsARunningJobAtItsNextRound() {
        TrainingSpec slow = spec(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES)
                .setModel(ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES)
                        .putHyperparameters("n_estimators", ParameterValue.newBuilder().setIntValue(5000).build())
                        .putHyperparameters("max_depth", ParameterValue.newBuilder().setIntValue(8).build()))
                .build();
        TrainingJob[] cancelled = new TrainingJob[1];
        Run run = run(slow, u -> {
            if (cancelled[0] == null && u.hasProgress() && u.getProgress().getPhase() == TrainingPhase.TRAINING_PHASE_TRAINING
                    && u.getProgress().getIteration() > 0) {
                cancelled[0] = optimizer.cancelTrainingJob(CancelTrainingJobRequest.newBuilder()
                        .setJobId(u.getProgress().getJobId()).build());
            }
        });
        assertNull(run.error());
        assertNotNull(cancelled[0], "the job reported boosting rounds before it was cancelled");
        assertEquals(TrainingJobState.TRAINING_JOB_STATE_CANCELLED, cancelled[0].getState(),
                "CancelTrainingJob waits for a job of its own process to stop");
        assertEquals(TrainingJobState.TRAINING_JOB_STATE_CANCELLED, run.result().getState());
        assertTrue(run.progress().stream().allMatch(p -> p.getIteration() < 5000));
        // A finished job is answered unchanged.
        assertEquals(cancelled[0], optimizer.cancelTrainingJob(CancelTrainingJobRequest.newBuilder()
                .setJobId(cancelled[0].getJobId()).build()));
    }

    @Test
    void jobsArePagedNewestFirst() {
        String model = "paged-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(0, run(spec(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION).setModelName(model).build()).result()
                    .getJobId());
        }
        ListTrainingJobsResponse first = optimizer.listTrainingJobs(ListTrainingJobsRequest.newBuilder()
                .setModelName(model).setPageSize(2).build());
        assertEquals(List.of(ids.get(0), ids.get(1)), first.getJobsList().stream().map(TrainingJob::getJobId).toList());
        assertFalse(first.getNextPageToken().isEmpty());
        ListTrainingJobsResponse second = optimizer.listTrainingJobs(ListTrainingJobsRequest.newBuilder()
                .setModelName(model).setPageSize(2).setPageToken(first.getNextPageToken()).build());
        assertEquals(List.of(ids.get(2)), second.getJobsList().stream().map(TrainingJob::getJobId).toList());
        assertTrue(second.getNextPageToken().isEmpty());
    }

    // ---- bad input -------------------------------------------------------------------------------

    @Test
    void aSpecThatCannotBeTrainedIsRefusedBeforeAnyJobIsStored() {
        refused(Status.Code.INVALID_ARGUMENT, "spec", RunTrainingRequest.getDefaultInstance());
        refused(Status.Code.INVALID_ARGUMENT, "spec.model_name", spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setModelName(""));
        refused(Status.Code.INVALID_ARGUMENT, "spec.model_name", spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setModelName("Bad Name"));
        refused(Status.Code.INVALID_ARGUMENT, "spec.model", spec(ModelKind.MODEL_KIND_RANDOM_FOREST).clearModel());
        refused(Status.Code.INVALID_ARGUMENT, "spec.model.kind", spec(ModelKind.MODEL_KIND_UNSPECIFIED));
        refused(Status.Code.INVALID_ARGUMENT, "spec.model.hyperparameters[\"depth\"]",
                spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setModel(ModelTrainingConfig.newBuilder()
                        .setKind(ModelKind.MODEL_KIND_RANDOM_FOREST)
                        .putHyperparameters("depth", ParameterValue.newBuilder().setIntValue(3).build())));
        refused(Status.Code.INVALID_ARGUMENT, "spec.model.calibration",
                spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setModel(ModelTrainingConfig.newBuilder()
                        .setKind(ModelKind.MODEL_KIND_RANDOM_FOREST).setCalibration(CalibrationMethod.CALIBRATION_METHOD_ISOTONIC)));
        refused(Status.Code.INVALID_ARGUMENT, "spec.series_ids", spec(ModelKind.MODEL_KIND_RANDOM_FOREST).clearSeriesIds());
        refused(Status.Code.NOT_FOUND, "spec.series_ids[1]", spec(ModelKind.MODEL_KIND_RANDOM_FOREST).addSeriesIds("no-such-series"));
        refused(Status.Code.INVALID_ARGUMENT, "spec.series_ids[1]", spec(ModelKind.MODEL_KIND_RANDOM_FOREST).addSeriesIds(series));
        refused(Status.Code.INVALID_ARGUMENT, "spec.range", spec(ModelKind.MODEL_KIND_RANDOM_FOREST)
                .setRange(TimeRange.newBuilder().setStartTsMicros(FIRST_TS + 10 * HALF_HOUR).setEndTsMicros(FIRST_TS)));
        refused(Status.Code.INVALID_ARGUMENT, "spec.range", spec(ModelKind.MODEL_KIND_RANDOM_FOREST)
                .setRange(TimeRange.newBuilder().setStartTsMicros(FIRST_TS).setEndTsMicros(FIRST_TS)));
        refused(Status.Code.INVALID_ARGUMENT, "spec.range.start_ts_micros", spec(ModelKind.MODEL_KIND_RANDOM_FOREST)
                .setRange(TimeRange.newBuilder().setStartTsMicros(dev.arbiter.service.ObservationRules.EARLIEST_MICROS - 1))); // before 1800
        for (double bad : new double[] {-0.1, 1.0, 1.5, Double.NaN}) {
            refused(Status.Code.INVALID_ARGUMENT, "spec.validation_fraction",
                    spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setValidationFraction(bad));
        }
        refused(Status.Code.INVALID_ARGUMENT, "spec.label", spec(ModelKind.MODEL_KIND_RANDOM_FOREST).clearLabel());
        refused(Status.Code.INVALID_ARGUMENT, "spec.label", spec(ModelKind.MODEL_KIND_RANDOM_FOREST)
                .setLabel(LabelSpec.getDefaultInstance()));
        refused(Status.Code.INVALID_ARGUMENT, "spec.label.forward_return_sign.horizon_observations",
                spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setLabel(LabelSpec.newBuilder()
                        .setForwardReturnSign(ForwardReturnSignLabel.getDefaultInstance())));
        refused(Status.Code.INVALID_ARGUMENT, "spec.label.forward_return_sign.tie_tolerance",
                spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setLabel(LabelSpec.newBuilder().setForwardReturnSign(
                        ForwardReturnSignLabel.newBuilder().setHorizonObservations(1).setTieTolerance(-1))));
        refused(Status.Code.INVALID_ARGUMENT, "spec.label.threshold_event.percentile",
                spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setLabel(peaks().toBuilder().setThresholdEvent(
                        peaks().getThresholdEvent().toBuilder().setPercentile(100))));
        refused(Status.Code.INVALID_ARGUMENT, "spec.label.threshold_event.trailing_window_observations",
                spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setLabel(peaks().toBuilder().setThresholdEvent(
                        peaks().getThresholdEvent().toBuilder().setTrailingWindowObservations(1))));
        refused(Status.Code.INVALID_ARGUMENT, "spec.registration", spec(ModelKind.MODEL_KIND_RANDOM_FOREST)
                .setRegistrationValue(42));
        refused(Status.Code.INVALID_ARGUMENT, "spec.series_ids[1]", spec(ModelKind.MODEL_KIND_RANDOM_FOREST).addSeriesIds(""));
        refused(Status.Code.INVALID_ARGUMENT, "spec.model.calibration",
                spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setModel(ModelTrainingConfig.newBuilder()
                        .setKind(ModelKind.MODEL_KIND_RANDOM_FOREST).setCalibrationValue(42)));
        refused(Status.Code.INVALID_ARGUMENT, "spec.label.forward_return_sign.tie_handling",
                spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setLabel(LabelSpec.newBuilder().setForwardReturnSign(
                        ForwardReturnSignLabel.newBuilder().setHorizonObservations(1).setTieHandlingValue(42))));
        refused(Status.Code.INVALID_ARGUMENT, "spec.label.threshold_event.side",
                spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setLabel(peaks().toBuilder().setThresholdEvent(
                        peaks().getThresholdEvent().toBuilder().setSideValue(42))));
        // the learned gate's model: a logistic regression of at least one valid member
        MetaModelTraining lrMember = MetaModelTraining.newBuilder()
                .addMembers(ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION)).build();
        refused(Status.Code.INVALID_ARGUMENT, "spec.model.kind", spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setMeta(lrMember));
        refused(Status.Code.INVALID_ARGUMENT, "spec.meta.members", spec(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION)
                .setMeta(MetaModelTraining.getDefaultInstance()));
        refused(Status.Code.INVALID_ARGUMENT, "spec.meta.members[1].kind", spec(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION)
                .setMeta(lrMember.toBuilder().addMembers(ModelTrainingConfig.getDefaultInstance())));
        refused(Status.Code.INVALID_ARGUMENT, "spec.meta.members[0].hyperparameters[\"depth\"]",
                spec(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION).setMeta(MetaModelTraining.newBuilder().addMembers(
                        ModelTrainingConfig.newBuilder().setKind(ModelKind.MODEL_KIND_RANDOM_FOREST)
                                .putHyperparameters("depth", ParameterValue.newBuilder().setIntValue(3).build()))));
        for (int tooLarge : new int[] {Integer.MAX_VALUE, -1}) { // -1 is the uint32 4294967295
            StatusRuntimeException e = refused(Status.Code.INVALID_ARGUMENT, "spec.label.threshold_event.trailing_window_observations",
                    spec(ModelKind.MODEL_KIND_RANDOM_FOREST).setLabel(peaks().toBuilder().setThresholdEvent(
                            peaks().getThresholdEvent().toBuilder().setTrailingWindowObservations(tooLarge))));
            assertTrue(e.getStatus().getDescription().contains("trailing_window_observations is "
                    + Integer.toUnsignedString(tooLarge) + ", too large"), e.getStatus().getDescription());
        }
    }

    @Test
    void dataThatCannotBeTrainedOnFailsTheStreamWithTheFieldAndTheJob() {
        // A range after the series' end holds no observation.
        dataRefused(Status.Code.INVALID_ARGUMENT, "spec.range", spec(ModelKind.MODEL_KIND_RANDOM_FOREST)
                .setRange(TimeRange.newBuilder().setStartTsMicros(FIRST_TS + 5000 * HALF_HOUR)));
        // Ten observations and a horizon of twenty.
        dataRefused(Status.Code.INVALID_ARGUMENT, "spec.label.forward_return_sign.horizon_observations",
                spec(ModelKind.MODEL_KIND_RANDOM_FOREST)
                        .setRange(TimeRange.newBuilder().setStartTsMicros(FIRST_TS).setEndTsMicros(FIRST_TS + 10 * HALF_HOUR))
                        .setLabel(LabelSpec.newBuilder().setForwardReturnSign(ForwardReturnSignLabel.newBuilder()
                                .setHorizonObservations(20))));
        // The learned gate's model on 500 observations (about 160 labelled): its selection rows (a fifth of the
        // training rows) cannot hold 20 of each outcome.
        dataRefused(Status.Code.FAILED_PRECONDITION, "spec.range", spec(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION)
                .setRange(TimeRange.newBuilder().setStartTsMicros(FIRST_TS).setEndTsMicros(FIRST_TS + 500 * HALF_HOUR))
                .setMeta(MetaModelTraining.newBuilder().addMembers(ModelTrainingConfig.newBuilder()
                        .setKind(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION))));
        // Forty observations: the features are not warm before the 51st.
        dataRefused(Status.Code.FAILED_PRECONDITION, "spec.range", spec(ModelKind.MODEL_KIND_RANDOM_FOREST)
                .setRange(TimeRange.newBuilder().setStartTsMicros(FIRST_TS).setEndTsMicros(FIRST_TS + 40 * HALF_HOUR)));
        // The horizon is within the data but the trailing window is not: nothing is labelled.
        dataRefused(Status.Code.FAILED_PRECONDITION, "spec.range", spec(ModelKind.MODEL_KIND_RANDOM_FOREST)
                .setRange(TimeRange.newBuilder().setStartTsMicros(FIRST_TS).setEndTsMicros(FIRST_TS + 300 * HALF_HOUR)));
    }

    @Test
    void jobCallsRefuseMissingAndUnknownIdsAndBadPages() {
        refusedCall(Status.Code.INVALID_ARGUMENT, "job_id", () -> optimizer.getTrainingJob(GetTrainingJobRequest.getDefaultInstance()));
        refusedCall(Status.Code.NOT_FOUND, "no training job", () -> optimizer.getTrainingJob(
                GetTrainingJobRequest.newBuilder().setJobId("nope").build()));
        refusedCall(Status.Code.INVALID_ARGUMENT, "job_id", () -> optimizer.cancelTrainingJob(CancelTrainingJobRequest.getDefaultInstance()));
        refusedCall(Status.Code.NOT_FOUND, "no training job", () -> optimizer.cancelTrainingJob(
                CancelTrainingJobRequest.newBuilder().setJobId("nope").build()));
        refusedCall(Status.Code.INVALID_ARGUMENT, "page_size", () -> optimizer.listTrainingJobs(
                ListTrainingJobsRequest.newBuilder().setPageSize(-1).build()));
        refusedCall(Status.Code.INVALID_ARGUMENT, "page_token", () -> optimizer.listTrainingJobs(
                ListTrainingJobsRequest.newBuilder().setPageToken("not-a-token").build()));
        refusedCall(Status.Code.INVALID_ARGUMENT, "state", () -> optimizer.listTrainingJobs(
                ListTrainingJobsRequest.newBuilder().setStateValue(99).build()));
    }

    private StatusRuntimeException refused(Status.Code code, String field, TrainingSpec.Builder spec) {
        return refused(code, field, RunTrainingRequest.newBuilder().setSpec(spec).build());
    }

    private StatusRuntimeException refused(Status.Code code, String field, RunTrainingRequest request) {
        int before = optimizer.listTrainingJobs(ListTrainingJobsRequest.newBuilder().setPageSize(500).build()).getJobsCount();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> optimizer.runTraining(request).forEachRemaining(u -> { }));
        RefusalAssertions.assertRefused(code, field, e);
        assertEquals(before, optimizer.listTrainingJobs(ListTrainingJobsRequest.newBuilder().setPageSize(500).build())
                .getJobsCount(), "no job is stored for a refused spec");
        return e;
    }

    private void dataRefused(Status.Code code, String field, TrainingSpec.Builder spec) {
        Run run = run(spec.build());
        assertNotNull(run.error(), "refused: " + run.updates());
        assertEquals(code, run.error().getStatus().getCode(), run.error().getStatus().toString());
        assertTrue(run.error().getStatus().getDescription().contains(field),
                field + " named in: " + run.error().getStatus().getDescription());
        String jobId = run.progress().get(0).getJobId();
        TrainingJob job = optimizer.getTrainingJob(GetTrainingJobRequest.newBuilder().setJobId(jobId).build());
        assertEquals(TrainingJobState.TRAINING_JOB_STATE_FAILED, job.getState());
        assertTrue(job.getResult().getReason().contains(field), job.getResult().getReason());
    }

    private static void refusedCall(Status.Code code, String text, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(text), e.getStatus().getDescription());
    }
}
