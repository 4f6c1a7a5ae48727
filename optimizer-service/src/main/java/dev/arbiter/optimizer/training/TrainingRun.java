package dev.arbiter.optimizer.training;

import static dev.arbiter.service.RequestRefused.invalid;
import static dev.arbiter.service.RequestRefused.precondition;

import com.google.protobuf.TextFormat;
import dev.arbiter.engine.features.FeatureConfig;
import dev.arbiter.engine.features.FeaturePipeline;
import dev.arbiter.engine.policy.MetaGate;
import dev.arbiter.optimizer.backtest.LiveMetaModel;
import dev.arbiter.optimizer.client.ModelRegistryClient;
import dev.arbiter.optimizer.dataset.Dataset;
import dev.arbiter.optimizer.dataset.SeriesFeatures;
import dev.arbiter.optimizer.dataset.TimeSplit;
import dev.arbiter.optimizer.history.HistoryStore;
import dev.arbiter.optimizer.history.SeriesHistory;
import dev.arbiter.proto.v1.ModelFormat;
import dev.arbiter.proto.v1.ModelOutput;
import dev.arbiter.proto.v1.ModelVersion;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.RegistrationPolicy;
import dev.arbiter.proto.v1.TrainingJobState;
import dev.arbiter.proto.v1.TrainingPhase;
import dev.arbiter.proto.v1.TrainingProgress;
import dev.arbiter.proto.v1.TrainingResult;
import dev.arbiter.proto.v1.UploadModelMetadata;
import dev.arbiter.service.RequestRefused;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One training job from history to registration: load the series, compute features and labels, split in time with
 * the label horizon as embargo, fit, measure on both sides, challenge the champion, register. Reports progress to a
 * {@link Reporter} after each step; refusals that depend on the data ({@link RequestRefused}) and every other failure
 * propagate to the caller, which stores the outcome.
 */
final class TrainingRun {

    /** Where a run reports; {@link #progress} answers whether the job should stop. */
    interface Reporter {
        boolean progress(TrainingProgress progress);
    }

    private final String jobId;
    private final TrainingPlan plan;
    /** The windows features are computed with: those feature-service serves (arbiter.features.windows.*). */
    private final FeatureConfig featureConfig;
    private final HistoryStore history;
    private final ModelRegistryClient models;
    private final Reporter reporter;
    private final long startNanos;
    private final double minBrierImprovement;
    private volatile boolean stop;

    TrainingRun(String jobId, TrainingPlan plan, FeatureConfig featureConfig, HistoryStore history, ModelRegistryClient models,
                Reporter reporter, long startNanos, double minBrierImprovement) {
        this.featureConfig = featureConfig;
        this.minBrierImprovement = minBrierImprovement;
        this.jobId = jobId;
        this.plan = plan;
        this.history = history;
        this.models = models;
        this.reporter = reporter;
        this.startNanos = startNanos;
    }

    /** Asks the run to stop at its next check. */
    void stop() {
        stop = true;
    }

    TrainingResult run() {
        report(TrainingPhase.TRAINING_PHASE_LOADING_HISTORY, 0.02, "reading " + plan.spec().getSeriesIdsCount()
                + " series");
        List<SeriesHistory> series = new ArrayList<>();
        long start = plan.spec().getRange().getStartTsMicros();
        long end = plan.spec().getRange().getEndTsMicros();
        for (int i = 0; i < plan.spec().getSeriesIdsCount(); i++) {
            String id = plan.spec().getSeriesIds(i);
            SeriesHistory h;
            try {
                h = history.read(id, start, end);
            } catch (RequestRefused e) {
                String field = "spec.series_ids[" + i + "]";
                throw new RequestRefused(e.code(), field, field + ": " + e.getMessage());
            }
            if (h.size() == 0) {
                throw invalid("spec.range", "spec.range [" + start + ", " + end + ") holds no observation of series \""
                        + id + "\"; send a range that overlaps its history (ListHistory shows its range)");
            }
            if (h.size() <= plan.label().horizon()) {
                throw invalid(plan.horizonField(), plan.horizonField() + " is " + plan.label().horizon()
                        + " but series \"" + id + "\" has only " + h.size() + " observations in the range; send a"
                        + " shorter horizon or a longer range");
            }
            series.add(h);
        }
        checkStop();

        report(TrainingPhase.TRAINING_PHASE_COMPUTING_FEATURES, 0.08, "computing features and labels");
        int warmUp = new FeaturePipeline(featureConfig).warmUpObservations();
        List<Dataset> parts = new ArrayList<>();
        for (SeriesHistory h : series) {
            Dataset d = Dataset.build(h.seriesId(), SeriesFeatures.compute(featureConfig, h), h.tsMicros(), h.value(),
                    plan.label());
            if (d.rows() == 0) {
                throw precondition("spec.range", "spec.range holds " + h.size() + " observations of series \""
                        + h.seriesId() + "\" but none is both warm (the features need " + warmUp + ") and labelled ("
                        + plan.label() + "); send a longer range");
            }
            parts.add(d);
        }
        Dataset all = Dataset.concat(parts);
        TimeSplit split;
        try {
            split = TimeSplit.latest(all, plan.validationFraction());
        } catch (IllegalArgumentException e) {
            throw precondition("spec.validation_fraction", "spec.validation_fraction " + plan.validationFraction()
                    + " cannot split the data: " + e.getMessage());
        }
        Dataset train = split.train();
        Dataset validation = split.validation();
        checkStop();

        report(TrainingPhase.TRAINING_PHASE_TRAINING, 0.15, (plan.meta() ? "training the learned gate's model of "
                + plan.metaMembers().size() + " members" : "training " + plan.settings().kind()) + " on " + train.rows()
                + " rows");
        ProgressListener listener = new ProgressListener() {
            @Override
            public void progress(int iteration, int total, double trainLoss, double validationLoss, String message) {
                double fraction = 0.15 + 0.65 * (total == 0 ? 1.0 : iteration / (double) total);
                TrainingProgress.Builder p = progressBuilder(TrainingPhase.TRAINING_PHASE_TRAINING, fraction, message)
                        .setIteration(iteration).setTotalIterations(total);
                if (Double.isFinite(trainLoss)) {
                    p.setTrainLoss(trainLoss);
                }
                if (Double.isFinite(validationLoss)) {
                    p.setValidationLoss(validationLoss);
                }
                if (reporter.progress(p.build())) {
                    stop = true;
                }
            }

            @Override
            public boolean cancelled() {
                return stop;
            }
        };
        Fit fit = plan.meta() ? fitMeta(train, validation, listener) : fitMember(train, validation, listener);
        TrainedModel model = fit.model();
        try (model) {
            checkStop();
            report(TrainingPhase.TRAINING_PHASE_EVALUATING, 0.82, "measuring calibration on " + fit.validationRows()
                    + " validation rows");
            ProbabilityMetrics trainMetrics = ProbabilityMetrics.of(model.predict(fit.trainX(), fit.trainRows()), fit.trainY());
            double[] validationP = model.predict(fit.validationX(), fit.validationRows());
            ProbabilityMetrics validationMetrics = ProbabilityMetrics.of(validationP, fit.validationY());
            TrainingResult.Builder result = TrainingResult.newBuilder()
                    .setJobId(jobId)
                    .setFeatureSchemaId(all.featureSchemaId())
                    .setTrainRows(train.rows())
                    .setValidationRows(validation.rows())
                    .setTrainMetrics(trainMetrics.toProto())
                    .setValidationMetrics(validationMetrics.toProto());

            boolean register;
            String reason;
            RegistrationPolicy policy = plan.registration();
            if (policy == RegistrationPolicy.REGISTRATION_POLICY_NEVER) {
                register = false;
                reason = "registration NEVER: evaluated only";
            } else if (policy == RegistrationPolicy.REGISTRATION_POLICY_ALWAYS) {
                register = true;
                reason = "registration ALWAYS";
            } else {
                Optional<ModelVersion> champion = models.champion(plan.spec().getModelName());
                if (champion.isEmpty()) {
                    register = true;
                    reason = "no ACTIVE version of \"" + plan.spec().getModelName() + "\" to challenge";
                } else {
                    ModelVersionRef ref = ModelVersionRef.newBuilder().setModelName(champion.get().getModelName())
                            .setVersion(champion.get().getVersion()).build();
                    report(TrainingPhase.TRAINING_PHASE_EVALUATING, 0.86, "scoring the champion v" + ref.getVersion()
                            + " on the validation rows");
                    double[] championP = plan.meta()
                            ? models.predictNamed(ref, fit.inputNames(), fit.validationX(), fit.validationRows())
                            : models.predict(ref, all.featureSchemaId(), validation.x(), validation.rows(), validation.cols());
                    ProbabilityMetrics championMetrics = ProbabilityMetrics.of(clip(championP), fit.validationY());
                    result.setChampion(ref).setChampionMetrics(championMetrics.toProto());
                    BrierComparison cmp = BrierComparison.of(validationP, clip(championP), fit.validationY(),
                            plan.label().horizon(), plan.spec().getSeed());
                    result.setBrierDifference(cmp.mean()).setBrierDifferenceLower(cmp.lower())
                            .setBrierDifferenceUpper(cmp.upper());
                    if (policy == RegistrationPolicy.REGISTRATION_POLICY_IF_SIGNIFICANTLY_BETTER) {
                        register = cmp.upper() < -minBrierImprovement;
                        reason = String.format("the challenger's validation Brier score minus the champion v%d's, per row"
                                        + " on the same %d rows, is %.6f with 95%% interval [%.6f, %.6f]: %s",
                                ref.getVersion(), fit.validationRows(), cmp.mean(), cmp.lower(), cmp.upper(),
                                register ? "better with confidence" : "not better with confidence");
                    } else {
                        register = validationMetrics.brierScore() < championMetrics.brierScore() - minBrierImprovement;
                        reason = String.format("validation Brier score %.6f %s the champion v%d's %.6f on the same %d rows"
                                        + " (by more than %.1g)", validationMetrics.brierScore(),
                                register ? "beats" : "does not beat", ref.getVersion(), championMetrics.brierScore(),
                                fit.validationRows(), minBrierImprovement);
                    }
                }
            }
            checkStop();
            if (register) {
                report(TrainingPhase.TRAINING_PHASE_REGISTERING, 0.92, "uploading to model-service");
                ModelVersion version = models.upload(metadata(fit, all, split, trainMetrics, validationMetrics),
                        model.artifact());
                result.setRegistered(true).setModelVersion(ModelVersionRef.newBuilder()
                        .setModelName(version.getModelName()).setVersion(version.getVersion()));
                reason = "registered as v" + version.getVersion() + " (STAGED): " + reason;
            } else {
                reason = "not registered: " + reason;
            }
            return result.setState(TrainingJobState.TRAINING_JOB_STATE_SUCCEEDED).setReason(reason)
                    .setDurationMs(elapsedMs()).build();
        }
    }

    /**
     * What was fitted and the rows it is measured on: the features and labels for a member; for the learned gate's
     * model (spec.meta), its inputs (the ensemble's outputs, then the features) and whether the ensemble's side won.
     */
    private record Fit(TrainedModel model, double[] trainX, int trainRows, int[] trainY, double[] validationX,
                       int validationRows, int[] validationY, List<String> inputNames, Map<String, String> facts) {
    }

    private Fit fitMember(Dataset train, Dataset validation, ProgressListener listener) {
        TrainedModel model;
        try {
            model = ModelTrainer.train(plan.settings(), new TrainingData(train.x(), train.rows(), train.cols(), train.labels(),
                    plan.label().horizon()), new TrainingData(validation.x(), validation.rows(), validation.cols(),
                    validation.labels(), 0), plan.spec().getSeed(), listener);
        } catch (IllegalArgumentException e) {
            throw precondition("spec", "spec: cannot train " + plan.settings().kind() + " on this data: "
                    + e.getMessage());
        }
        return new Fit(model, train.x(), train.rows(), train.labels(), validation.x(), validation.rows(), validation.labels(),
                train.featureNames(), Map.of());
    }

    private Fit fitMeta(Dataset train, Dataset validation, ProgressListener listener) {
        LiveMetaModel.Fitted f;
        try {
            f = LiveMetaModel.fit(train, validation, plan.metaMembers(), plan.settings(), plan.spec().getSeed(), listener);
        } catch (IllegalArgumentException e) {
            throw precondition("spec.range", "spec.range: cannot train the learned gate's model on this data: "
                    + e.getMessage() + "; send a longer range");
        }
        Map<String, String> facts = new LinkedHashMap<>();
        StringBuilder weights = new StringBuilder();
        for (double w : f.weights()) {
            weights.append(weights.length() == 0 ? "" : ",").append(w);
        }
        facts.put("meta_members", plan.metaMembers().stream().map(m -> m.kind().name()).toList().toString());
        facts.put("member_weights", weights.toString());
        facts.put("member_fit_rows", Integer.toString(f.fitRows()));
        facts.put("meta_selection_rows", Integer.toString(f.selection().rows()));
        return new Fit(f.model(), f.selection().x(), f.selection().rows(), f.selection().won(), f.validation().x(),
                f.validation().rows(), f.validation().won(), MetaGate.inputNames(train.featureNames()), facts);
    }

    private UploadModelMetadata metadata(Fit fit, Dataset all, TimeSplit split, ProbabilityMetrics train,
                                         ProbabilityMetrics validation) {
        TrainedModel model = fit.model();
        byte[] artifact = model.artifact();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("trainer", "arbiter optimizer-service");
        facts.put("job_id", jobId);
        facts.put("kind", plan.settings().kind().name());
        facts.put("calibration", plan.settings().calibration().name());
        StringBuilder params = new StringBuilder();
        plan.settings().hyperparameters().forEach((k, v) -> params.append(params.length() == 0 ? "" : ", ")
                .append(k).append('=').append(v));
        facts.put("hyperparameters", params.toString());
        facts.put("seed", Long.toString(plan.spec().getSeed()));
        facts.put("series_ids", String.join(",", plan.spec().getSeriesIdsList()));
        facts.put("range", "[" + plan.spec().getRange().getStartTsMicros() + ", " + plan.spec().getRange().getEndTsMicros()
                + ")");
        facts.put("label", TextFormat.shortDebugString(plan.spec().getLabel()));
        facts.put("validation_fraction", Double.toString(plan.validationFraction()));
        facts.put("validation_from_ts_micros", Long.toString(split.cutoffTsMicros()));
        facts.put("embargo_rows", Integer.toString(split.embargoed()));
        facts.put("train_rows", Integer.toString(split.train().rows()));
        facts.put("validation_rows", Integer.toString(split.validation().rows()));
        model.facts().forEach((k, v) -> facts.put("model_" + k, v));
        facts.putAll(fit.facts());
        Map<String, Double> metrics = new LinkedHashMap<>();
        put(metrics, "", validation);
        put(metrics, "train_", train);
        String description = plan.spec().getDescription().isEmpty()
                ? (plan.meta() ? "learned gate (meta model) of " + plan.metaMembers().size() + " members"
                        : plan.settings().kind().name().substring("MODEL_KIND_".length()).toLowerCase().replace('_', ' '))
                        + " trained by optimizer job " + jobId + " on " + String.join(", ", plan.spec().getSeriesIdsList())
                : plan.spec().getDescription();
        UploadModelMetadata.Builder m = UploadModelMetadata.newBuilder()
                .setModelName(plan.spec().getModelName())
                .setFormat(model.format())
                .addAllInputFeatureNames(fit.inputNames())
                .setOutput(ModelOutput.MODEL_OUTPUT_POSITIVE_CLASS_PROBABILITY)
                .putAllTrainingMetadata(facts)
                .putAllMetrics(metrics)
                .setSizeBytes(artifact.length)
                .setSha256Hex(sha256(artifact))
                .setDescription(description)
                .setFeatureSchemaId(all.featureSchemaId());
        if (model.format() == ModelFormat.MODEL_FORMAT_ONNX) {
            m.setOnnxOutputName(OnnxLinearGraph.OUTPUT);
        }
        return m.build();
    }

    /** Validation metrics under their plain names ("brier_score", "ece", ...), training ones prefixed "train_". */
    private static void put(Map<String, Double> m, String prefix, ProbabilityMetrics p) {
        m.put(prefix + "brier_score", p.brierScore());
        m.put(prefix + "ece", p.expectedCalibrationError());
        m.put(prefix + "log_loss", p.logLoss());
        if (Double.isFinite(p.rocAuc())) {
            m.put(prefix + "roc_auc", p.rocAuc());
        }
        m.put(prefix + "accuracy", p.accuracy());
        m.put(prefix + "precision", p.precision());
        m.put(prefix + "recall", p.recall());
        m.put(prefix + "positive_rate", p.positiveRate());
        m.put(prefix + "sample_count", (double) p.sampleCount());
    }

    /** A served probability computed in float32 may round a hair outside [0, 1]. */
    private static double[] clip(double[] p) {
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.min(1.0, Math.max(0.0, p[i]));
        }
        return p;
    }

    private void report(TrainingPhase phase, double fraction, String message) {
        if (reporter.progress(progressBuilder(phase, fraction, message).build())) {
            stop = true;
        }
    }

    private TrainingProgress.Builder progressBuilder(TrainingPhase phase, double fraction, String message) {
        return TrainingProgress.newBuilder().setJobId(jobId).setPhase(phase).setFractionComplete(fraction)
                .setMessage(message).setElapsedMs(elapsedMs());
    }

    private long elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private void checkStop() {
        if (stop) {
            throw new TrainingCancelled();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
