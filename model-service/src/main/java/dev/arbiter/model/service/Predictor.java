package dev.arbiter.model.service;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.engine.policy.MetaGate;
import dev.arbiter.model.config.ModelServiceConfig;
import dev.arbiter.model.drift.DriftMonitor;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Predicts with an ensemble or one version: maps the input onto each member's inputs, runs each
 * member, and combines non-shadow members by their current weights.
 * A prediction holds a reference to every member runtime from start to end, so a swap or a retire
 * in the middle cannot touch it.
 */
@ApplicationScoped
public class Predictor {

    private final ModelServiceConfig config;
    private final FeatureSchemas schemas;
    private final ModelServing serving;
    private final EnsembleService ensembles;
    private final WeightStore weights;
    private final PredictionJournal journal;
    private final DriftMonitor drift;
    private final Timer latency;
    /** Ensemble predictions answered on the event loop and on a worker ({@link #predictInMemory}). */
    private final Counter onEventLoop;
    private final Counter onWorker;

    public Predictor(
            ModelServiceConfig config,
            FeatureSchemas schemas,
            ModelServing serving,
            EnsembleService ensembles,
            WeightStore weights,
            PredictionJournal journal,
            DriftMonitor drift,
            MeterRegistry meters) {
        this.config = config;
        this.schemas = schemas;
        this.serving = serving;
        this.ensembles = ensembles;
        this.weights = weights;
        this.journal = journal;
        this.drift = drift;
        this.latency = Timer.builder("arbiter.model.predict").publishPercentileHistogram().register(meters);
        this.onEventLoop = Counter.builder("arbiter.model.predict.path").tag("path", "event-loop")
                .description("Ensemble predictions by where they ran: event-loop (all in memory) or worker").register(meters);
        this.onWorker = Counter.builder("arbiter.model.predict.path").tag("path", "worker")
                .description("Ensemble predictions by where they ran: event-loop (all in memory) or worker").register(meters);
    }

    /**
     * The ensemble a request without a target gets. When it is not defined, the refusal names the ensembles that
     * are, so that the client can name one (the setting that picks the default is for the operator, not the client).
     */
    private EnsemblePlan defaultEnsemble() {
        try {
            return ensembles.current(config.defaultEnsemble());
        } catch (RequestRefused e) {
            if (e.code() != Status.Code.NOT_FOUND) {
                throw e;
            }
            List<String> defined = ensembles.all().stream().map(EnsemblePlan::name).toList();
            throw RequestRefused.notFound("target", "the request names no target and the default ensemble \""
                    + config.defaultEnsemble() + "\" is not defined; " + (defined.isEmpty()
                            ? "no ensemble is defined yet: define one with DefineEnsemble, or name a model version in target.model"
                            : "name one in target.ensemble_name: " + String.join(", ", defined.subList(0, Math.min(10, defined.size())))
                                    + (defined.size() > 10 ? " (" + defined.size() + " in all: ListEnsembles lists them)" : "")));
        }
    }

    /** With an ensemble ({@code ensemble} empty = the default one). May read PostgreSQL and Redis: call it on a worker. */
    public PredictionResult predictEnsemble(String ensemble, PredictionInput input, String decisionId, String snapshotId, boolean journal) {
        long start = System.nanoTime();
        EnsemblePlan plan = ensemble.isEmpty() ? defaultEnsemble() : ensembles.current(ensemble);
        EnsembleWeights w = snapshotId.isEmpty()
                ? weights.current(plan)
                : weights.snapshot(plan, snapshotId).orElseThrow(() -> RequestRefused.notFound(
                        "weights_snapshot_id", "weights_snapshot_id " + snapshotId + " of ensemble " + plan.name()
                                + " does not exist or is no longer kept (snapshots of the latest outcomes are); predict with the current weights"));
        PredictionResult r = evaluate(plan, w, input, start);
        onWorker.increment();
        if (journal) {
            this.journal.record(r.predictionId(), decisionId, plan.name(), probabilities(r));
        }
        return r;
    }

    /**
     * The same prediction as {@link #predictEnsemble} with the current weights and the journal, without a worker: when
     * the ensemble, its weights and every model it runs are in memory and the row is of the models' feature schema, or
     * named features (so nothing is read from PostgreSQL, Redis or feature-service first), it is computed on the calling thread (the gRPC
     * event loop) and the journal is written asynchronously; the Uni completes once the journal holds it. Empty when
     * something would have to be read first: then the caller predicts on a worker with {@link #predictEnsemble}.
     */
    public Optional<Uni<PredictionResult>> predictInMemory(String ensemble, PredictionInput input, String decisionId) {
        long start = System.nanoTime();
        EnsemblePlan plan = ensembles.cached(ensemble.isEmpty() ? config.defaultEnsemble() : ensemble);
        if (plan == null || !weights.cached(plan.name())
                || (plan.metaModel() != null && !inMemory(plan.metaModel(), input))) {
            return Optional.empty();
        }
        for (EnsemblePlan.Member m : plan.members()) {
            if (!inMemory(m.key(), input)) {
                return Optional.empty();
            }
        }
        PredictionResult r = evaluate(plan, weights.current(plan), input, start);
        onEventLoop.increment();
        return Optional.of(journal.recordAsync(r.predictionId(), decisionId, plan.name(), probabilities(r)).replaceWith(r));
    }

    /**
     * Whether the version is loaded and, for a feature vector, reads its feature schema (a mismatch is refused on a
     * worker, since naming the schemas may ask feature-service); named features need no schema.
     */
    private boolean inMemory(VersionKey key, PredictionInput input) {
        LoadedModel m = serving.inMemory(key);
        return m != null && (input.values() == null || m.schema.id().equals(input.schemaId()));
    }

    private static Map<VersionKey, Double> probabilities(PredictionResult r) {
        Map<VersionKey, Double> probabilities = new LinkedHashMap<>();
        r.members().forEach(m -> probabilities.put(m.key(), m.probability()));
        return probabilities;
    }

    /** Runs every member (and the meta model) on the row and combines them with the weights. */
    private PredictionResult evaluate(EnsemblePlan plan, EnsembleWeights w, PredictionInput input, long start) {
        List<PredictionResult.Member> members = new ArrayList<>(plan.members().size());
        List<LoadedModel> held = new ArrayList<>(plan.members().size() + 1);
        try {
            for (EnsemblePlan.Member m : plan.members()) {
                held.add(serving.acquire(m.key()));
            }
            LoadedModel meta = null;
            if (plan.metaModel() != null) {
                meta = serving.acquire(plan.metaModel());
                held.add(meta);
            }
            double sum = 0;
            double weighted = 0;
            for (int i = 0; i < plan.members().size(); i++) {
                EnsemblePlan.Member m = plan.members().get(i);
                long t0 = System.nanoTime();
                double[] out = new double[1];
                run(held.get(i), input, out, true);
                double weight = w.of(m.key()).weight();
                members.add(new PredictionResult.Member(m.key(), out[0], weight, m.shadow(), (System.nanoTime() - t0) / 1000));
                if (!m.shadow()) {
                    sum += weight;
                    weighted += weight * out[0];
                }
            }
            double p = sum > 0 ? weighted / sum : Double.NaN;
            double agree = 0;
            for (PredictionResult.Member m : members) {
                if (!m.shadow() && (m.probability() >= 0.5) == (p >= 0.5)) {
                    agree += m.weight();
                }
            }
            double agreement = sum > 0 ? agree / sum : 0;
            double q = meta == null || !(p == p) ? Double.NaN : meta.runtime.predict(metaRow(meta, input, p, agreement));
            long micros = (System.nanoTime() - start) / 1000;
            latency.record(micros, TimeUnit.MICROSECONDS);
            return new PredictionResult(
                    UUID.randomUUID().toString(), members, p, agreement, w.snapshotId(), plan.name(), plan.revision(),
                    input.seriesId(), input.tsMicros(), input.schemaId(), micros, q);
        } finally {
            held.forEach(LoadedModel::release);
        }
    }

    /** With one version, whatever its status (RETIRED too, for replay). */
    public PredictionResult predictVersion(VersionKey key, PredictionInput input) {
        long start = System.nanoTime();
        LoadedModel m = serving.acquire(key);
        try {
            double[] out = new double[1];
            run(m, input, out, false);
            long micros = (System.nanoTime() - start) / 1000;
            latency.record(micros, TimeUnit.MICROSECONDS);
            return new PredictionResult(
                    "", List.of(new PredictionResult.Member(key, out[0], 1, false, micros)), out[0], 1, "", "", 0,
                    input.seriesId(), input.tsMicros(), input.schemaId(), micros, Double.NaN);
        } finally {
            m.release();
        }
    }

    /**
     * An ensemble output a meta model reads; a meta model asked for directly with a feature vector has none to read
     * (with named features the caller gives them by name).
     */
    private static double ensembleInput(LoadedModel m, double[] ensembleInputs, int k) {
        if (ensembleInputs == null) {
            throw invalid("input.features", m.key + " reads the ensemble output \"" + MetaGate.INPUTS.get(k)
                    + "\": it serves as an ensemble's meta model; predict with that ensemble, or send named_features"
                    + " holding " + MetaGate.INPUTS);
        }
        return ensembleInputs[k];
    }

    /**
     * Runs one member on the input. Only ensemble members (ACTIVE or SHADOW) feed the drift windows: a version asked
     * directly may be RETIRED. (There is no prediction cache: keyed on exact rows, it answered 0 of 20,548 lookups
     * under bench/load.sh, model-service/README.md.)
     */
    private void run(LoadedModel m, PredictionInput input, double[] out, boolean monitored) {
        double[] row = row(m, input);
        double p = m.runtime.predict(row);
        if (monitored) {
            drift.record(m.key.model(), m.key.version(), m.inputNames, row, p, input.tsMicros());
        }
        out[0] = p;
    }

    /**
     * A FeatureVector of another schema than the one {@code m} was registered against: INVALID_ARGUMENT when no service
     * knows that schema, FAILED_PRECONDITION naming both schemas when the model was trained on other windows.
     */
    private RequestRefused schemaMismatch(LoadedModel m, String inputSchemaId) {
        FeatureSchemas.Schema known = schemas.byId(inputSchemaId);
        if (known == null) {
            return invalid(
                    "input.features.schema_id",
                    "input.features.schema_id \"" + inputSchemaId + "\" is not a feature schema feature-service serves or served"
                            + " (it serves " + schemas.served().id() + "); send the FeatureVector as feature-service answered it, or"
                            + " named_features");
        }
        return RequestRefused.precondition(
                "input.features.schema_id",
                m.key + " was trained on feature schema " + m.schema.id() + " but input.features.schema_id is " + inputSchemaId
                        + " (feature-service serves " + schemas.served().id() + "): the windows differ, so its inputs are not these"
                        + " features; train it again on the served features, or send named_features");
    }

    /**
     * The meta model's row: the ensemble's outputs where it reads them ({@link MetaGate#fillInputs} defines them), the
     * features by name elsewhere.
     */
    private double[] metaRow(LoadedModel meta, PredictionInput input, double p, double agreement) {
        double[] ensembleInputs = new double[MetaGate.INPUTS.size()];
        MetaGate.fillInputs(p, agreement, ensembleInputs, 0, 0, ensembleInputs, 0);
        return row(meta, input, ensembleInputs);
    }

    private double[] row(LoadedModel m, PredictionInput input) {
        return row(m, input, null);
    }

    /** The model's input row; {@code ensembleInputs} (MetaGate.INPUTS order) for a meta model, else null. */
    private double[] row(LoadedModel m, PredictionInput input, double[] ensembleInputs) {
        double[] row = new double[m.schemaIndex.length];
        if (input.values() != null) {
            if (!input.schemaId().equals(m.schema.id())) {
                throw schemaMismatch(m, input.schemaId());
            }
            if (input.values().length != m.schema.size()) {
                throw invalid(
                        "input.features.values",
                        "input.features.values has " + input.values().length + " values but schema " + input.schemaId() + " has "
                                + m.schema.size() + "; send the whole vector");
            }
            for (int i = 0; i < row.length; i++) {
                int at = m.schemaIndex[i];
                row[i] = at >= 0 ? input.values()[at] : ensembleInput(m, ensembleInputs, -at - 1);
            }
        } else {
            for (int i = 0; i < row.length; i++) {
                if (ensembleInputs != null && m.schemaIndex[i] < 0) {
                    row[i] = ensembleInputs[-m.schemaIndex[i] - 1];
                    continue;
                }
                Double v = input.named().get(m.inputNames.get(i));
                if (v == null) {
                    throw invalid(
                            "input.named_features.values",
                            "input.named_features.values lacks \"" + m.inputNames.get(i) + "\", an input of " + m.key
                                    + "; send every input the target's models read: " + m.inputNames);
                }
                row[i] = v;
            }
        }
        for (int i = 0; i < row.length; i++) {
            if (Double.isInfinite(row[i]) || (Double.isNaN(row[i]) && !m.runtime.acceptsMissing())) {
                throw invalid(
                        "input",
                        "input feature \"" + m.inputNames.get(i) + "\" is " + row[i] + " but " + m.key
                                + (Double.isNaN(row[i]) ? " (ONNX) cannot take missing values; send a number, or wait until the series is warm"
                                        : " needs finite numbers; send a finite value"));
            }
        }
        return row;
    }
}
