package dev.arbiter.decision.decide;

import dev.arbiter.decision.client.DependencyFailure;
import dev.arbiter.decision.client.FeatureClient;
import dev.arbiter.decision.client.ModelClient;
import dev.arbiter.decision.config.DecisionConfig;
import dev.arbiter.decision.decide.DecisionMetrics.Stage;
import dev.arbiter.decision.log.DecisionLog;
import dev.arbiter.decision.policy.FeatureSchemas;
import dev.arbiter.decision.policy.LivePolicy;
import dev.arbiter.decision.policy.PolicySnapshot;
import dev.arbiter.decision.risk.DrawdownBrakeAlerts;
import dev.arbiter.decision.risk.RiskStateStore;
import dev.arbiter.engine.policy.DecisionPolicy;
import dev.arbiter.engine.policy.PolicyInput;
import dev.arbiter.engine.policy.PolicyResult;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.DegradedCause;
import dev.arbiter.proto.v1.DecisionVersions;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.FeatureVector;
import dev.arbiter.proto.v1.IngestResponse;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.Prediction;
import dev.arbiter.proto.v1.RiskState;
import dev.arbiter.proto.v1.StageLatencies;
import dev.arbiter.service.ObservationRules;
import dev.arbiter.service.ObservationTimes;
import dev.arbiter.service.RefusalDetails;
import dev.arbiter.service.RequestRefused;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The decide path: observation → feature-service Ingest → model-service Predict (with the decision id) → the
 * policy from engine (confidence, gates, CEL rules, risk sizing) with the risk state from Redis → one Decision →
 * risk state updated → decision log. The decision is acknowledged only once the log says it is durable.
 *
 * <p>Degradation: each dependency call gets a deadline cut from the latency budget (the request's, or the
 * configured default, never beyond the caller's gRPC deadline) and goes through that dependency's circuit breaker.
 * When feature-service, model-service or the risk state gives no usable answer in time, the decision is FLAT with
 * degraded = true, a degraded_reason naming the dependency and what happened, and a degraded_cause saying which
 * kind of failure it was (programs branch on the cause, people read the reason). Never an action without a model.
 *
 * <p>Nothing here blocks a gRPC event loop: the dependency calls are asynchronous, and the stages that may block
 * (the policy's first compile of a rule set, the Redis update, the log) run on worker threads.
 */
@ApplicationScoped
public class DecisionPath {

    private static final Logger LOG = Logger.getLogger(DecisionPath.class);

    private final DecisionConfig config;
    private final ObservationRules rules;
    private final FeatureClient features;
    private final ModelClient models;
    private final RiskStateStore risk;
    private final LivePolicy policy;
    private final DecisionLog log;
    private final FeatureSchemas schemas;
    private final DecisionMetrics metrics;
    private final Executor worker = Infrastructure.getDefaultWorkerPool();
    private final java.util.Set<String> rememberedSchemas = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ConcurrentHashMap<String, CompletableFuture<Decision>> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
    /** Observations decided (degraded) while feature-service was unreachable, which it may therefore accept later. */
    private final RecentKeys decidedWithoutFeatures = new RecentKeys(10_000);
    private final DrawdownBrakeAlerts brake;

    public DecisionPath(DecisionConfig config, FeatureClient features, ModelClient models,
                        RiskStateStore risk, LivePolicy policy, DecisionLog log, FeatureSchemas schemas,
                        DecisionMetrics metrics, DrawdownBrakeAlerts brake) {
        this.config = config;
        this.brake = brake;
        this.rules = new ObservationRules(config.maxSeriesIdLength(), config.maxFutureSkew());
        this.features = features;
        this.models = models;
        this.risk = risk;
        this.policy = policy;
        this.log = log;
        this.schemas = schemas;
        this.metrics = metrics;
    }

    /**
     * Decides on one observation.
     *
     * @param callerDeadlineNanos the caller's gRPC deadline as a System.nanoTime() instant; Long.MAX_VALUE for none
     * @return the logged decision (or the original one, duplicate = true); fails with {@link RequestRefused} for a
     *     refused request, or UNAVAILABLE when the decision could not be logged
     * @throws RequestRefused for a request refused before anything was asked of a dependency
     */
    public CompletableFuture<Decision> decide(DecideRequest request, long callerDeadlineNanos) {
        long start = System.nanoTime();
        Observation o = validated(request);
        String variant = request.getVariantName();
        if (!variant.isEmpty() && !LivePolicy.LIVE.equals(variant) && policy.state().variant(variant).isEmpty()) {
            // asked here, before the observation reaches feature-service, so a refusal changes nothing anywhere
            policy.forSeries(o.getSeriesId(), variant, List.of());
        }
        Attempt a = new Attempt(request, o, start, budgetEnd(request, start, callerDeadlineNanos));
        // the same observation twice at once (a client retrying before its first answer): one decision, both answered
        String key = a.key;
        CompletableFuture<Decision> mine = new CompletableFuture<>();
        CompletableFuture<Decision> first = inFlight.putIfAbsent(key, mine);
        if (first != null) {
            metrics.duplicate();
            return first.thenApply(d -> d.getDuplicate() ? d : d.toBuilder().setDuplicate(true).build());
        }
        CompletableFuture<Decision> decided;
        try {
            decided = decideOnce(a);
        } catch (RuntimeException e) {
            decided = CompletableFuture.failedFuture(e);
        }
        decided.whenComplete((d, e) -> {
            inFlight.remove(key, mine);
            if (e != null) {
                mine.completeExceptionally(e);
            } else {
                mine.complete(d);
            }
        });
        return mine;
    }

    private CompletableFuture<Decision> decideOnce(Attempt a) {
        Observation o = a.observation;
        return features.ingest(o, a.featuresEnd)
                .handle((response, error) -> afterIngest(a, response, error))
                .thenCompose(f -> f)
                .whenComplete((d, e) -> {
                    if (e != null && !(unwrap(e) instanceof RequestRefused) && !(unwrap(e) instanceof StatusRuntimeException)) {
                        LOG.errorf(unwrap(e), "decision on series \"%s\" ts %d failed", o.getSeriesId(), o.getTsMicros());
                    }
                });
    }

    /** When the decision must be ready: the budget from now, but never after the caller's deadline. */
    private long budgetEnd(DecideRequest request, long start, long callerDeadlineNanos) {
        DecisionConfig.Budget b = config.budget();
        long budget;
        if (request.getLatencyBudgetMs() == 0) {
            budget = b.defaultBudget().toNanos();
        } else {
            long ms = Integer.toUnsignedLong(request.getLatencyBudgetMs());
            if (ms > b.max().toMillis()) {
                throw RequestRefused.invalid("latency_budget_ms", "latency_budget_ms is " + ms + "; send at most " + b.max().toMillis()
                        + " (arbiter.decision.budget.max), or 0 for the default of " + b.defaultBudget().toMillis() + " ms");
            }
            budget = TimeUnit.MILLISECONDS.toNanos(ms);
        }
        return Math.min(start + budget, callerDeadlineNanos);
    }

    // ---- stage 1: features ----

    private CompletableFuture<Decision> afterIngest(Attempt a, IngestResponse response, Throwable error) {
        a.featuresNanos = System.nanoTime() - a.start;
        metrics.stage(Stage.FEATURES, a.featuresNanos);
        if (error != null) {
            Throwable e = unwrap(error);
            if (e instanceof DependencyFailure f) {
                a.degrade(f.degradedCause(), f.getMessage());
                // the observation may have been decided before (a retry): answer that decision if so
                return onWorker(() -> duplicateOf(a))
                        .thenCompose(original -> original.map(CompletableFuture::completedFuture).orElseGet(() -> {
                            decidedWithoutFeatures.add(a.key);
                            return decideDegraded(a);
                        }));
            }
            throw new CompletionException(refusalFromFeatures(a.observation, e));
        }
        return switch (response.getOutcome()) {
            // new to feature-service, but decided here before without features (it was down then): that decision stands
            case INGEST_OUTCOME_ACCEPTED -> decidedWithoutFeatures.remove(a.key)
                    ? onWorker(() -> duplicateOf(a)).thenCompose(original -> original.map(CompletableFuture::completedFuture)
                            .orElseGet(() -> withFeatures(a, response.getFeatures())))
                    : withFeatures(a, response.getFeatures());
            case INGEST_OUTCOME_DUPLICATE -> onWorker(() -> duplicateOf(a))
                    .thenCompose(original -> original.map(CompletableFuture::completedFuture)
                            .orElseGet(() -> withFeatures(a, response.getFeatures())));
            case INGEST_OUTCOME_DROPPED_OUT_OF_ORDER -> throw new CompletionException(RequestRefused.precondition(
                    "observation.ts_micros", "observation.ts_micros " + a.observation.getTsMicros() + " of series \""
                            + a.observation.getSeriesId() + "\" is older than the series' last ("
                            + response.getFeatures().getTsMicros() + "); send observations in time order"));
            default -> throw new CompletionException(new RequestRefused(Status.Code.INTERNAL, "observation",
                    "feature-service answered the observation with outcome " + response.getOutcome()
                            + (response.hasProblem() ? " (" + response.getProblem().getMessage() + ")" : "")
                            + "; report it"));
        };
    }

    /**
     * feature-service refused the observation: pass its refusal on, with the field its status details name, as the
     * contract of Decide words it. An INVALID_ARGUMENT on observation.ts_micros is an observation older than the
     * series' last (this service has already checked every other ts_micros rule with the same ObservationTimes), which
     * Decide answers FAILED_PRECONDITION.
     */
    private static RequestRefused refusalFromFeatures(Observation o, Throwable e) {
        if (!(e instanceof StatusRuntimeException s)) {
            return new RequestRefused(Status.Code.INTERNAL, "observation", "the observation could not be ingested: " + e);
        }
        String message = "feature-service: " + s.getStatus().getDescription();
        String field = RefusalDetails.field(s).orElse("observation");
        Status.Code code = s.getStatus().getCode();
        return code == Status.Code.INVALID_ARGUMENT && field.equals("observation.ts_micros")
                ? RequestRefused.precondition(field, message)
                : new RequestRefused(code, field, message);
    }

    private Optional<Decision> duplicateOf(Attempt a) {
        Optional<Decision> original = log.findBySeriesAndTs(a.observation.getSeriesId(), a.observation.getTsMicros());
        original.ifPresent(d -> metrics.duplicate());
        return original.map(d -> d.toBuilder().setDuplicate(true).build());
    }

    // ---- stage 2: prediction and risk state, in parallel ----

    private CompletableFuture<Decision> withFeatures(Attempt a, FeatureVector vector) {
        a.features = vector;
        long modelsStart = System.nanoTime();
        CompletableFuture<Prediction> prediction = features.schema(vector.getSchemaId(), vector.getSeriesId(), a.modelsEnd)
                .thenCompose(schema -> {
                    a.schema = schema;
                    remember(schema);
                    return models.predict(vector, a.decisionId, a.modelsEnd);
                });
        CompletableFuture<RiskState> riskState = risk.readAsync(a.observation.getSeriesId())
                .orTimeout(Math.max(a.end - System.nanoTime(), 1), TimeUnit.NANOSECONDS);
        Throwable[] predictionFailure = new Throwable[1];
        Throwable[] riskFailure = new Throwable[1];
        CompletableFuture<Void> p = prediction.handle((value, error) -> {
            a.predictionNanos = System.nanoTime() - modelsStart;
            metrics.stage(Stage.MODELS, a.predictionNanos);
            if (error == null) {
                a.prediction = value;
            } else {
                Throwable e = unwrap(error);
                if (warmingUp(a, vector, e)) {
                    a.warmingUp = ((StatusRuntimeException) e).getStatus().getDescription();
                } else {
                    predictionFailure[0] = e;
                }
            }
            return null;
        });
        CompletableFuture<Void> r = riskState.handle((value, error) -> {
            if (error == null) {
                a.riskBefore = value;
            } else {
                riskFailure[0] = unwrap(error);
            }
            return null;
        });
        return CompletableFuture.allOf(p, r).thenComposeAsync(ignored -> {
            // degraded in the path's order, whichever failed first: the prediction's cause leads, then the risk state's
            Throwable e = predictionFailure[0];
            if (e != null) {
                a.degrade(modelFailureCause(a, e), modelFailure(a, e));
            }
            e = riskFailure[0];
            if (e != null) {
                a.degrade(DegradedCause.DEGRADED_CAUSE_RISK_STATE_UNAVAILABLE, "redis: the risk state could not be read ("
                        + (e instanceof java.util.concurrent.TimeoutException ? "no answer within the latency budget" : e.getMessage()) + ")");
            }
            return decidePolicy(a);
        }, worker);
    }

    /**
     * A series whose features are not all defined yet (its windows are still filling) and an ensemble that cannot
     * take missing values (ONNX members): model-service refuses the row. That is the normal start of every series,
     * not a failure: the decision is FLAT and not degraded, as the policy's warm-up gate would have decided.
     */
    private static boolean warmingUp(Attempt a, FeatureVector vector, Throwable e) {
        return !vector.getWarm() && a.schema != null && e instanceof StatusRuntimeException s
                && s.getStatus().getCode() == Status.Code.INVALID_ARGUMENT;
    }

    /** The degraded_cause of a failed prediction stage: the schema lookup's refusal, model-service's, or the dependency's failure. */
    private static DegradedCause modelFailureCause(Attempt a, Throwable e) {
        if (e instanceof DependencyFailure f) {
            return f.degradedCause();
        }
        if (e instanceof StatusRuntimeException) {
            return a.schema == null ? DegradedCause.DEGRADED_CAUSE_FEATURES_REFUSED : DegradedCause.DEGRADED_CAUSE_MODEL_REFUSED;
        }
        return DegradedCause.DEGRADED_CAUSE_DEPENDENCY_UNAVAILABLE;
    }

    private static String modelFailure(Attempt a, Throwable e) {
        if (e instanceof DependencyFailure) {
            return e.getMessage();
        }
        if (e instanceof StatusRuntimeException s) {
            // a refusal: e.g. no default ensemble, or inputs an ONNX model cannot take (NaN while features warm up)
            String who = a.schema == null ? FeatureClient.NAME : ModelClient.NAME;
            return who + ": " + s.getStatus().getCode() + " (" + s.getStatus().getDescription() + ")";
        }
        return ModelClient.NAME + ": " + e;
    }

    /** Keeps every schema seen in PostgreSQL (FeatureSchemas), so a logged decision can be replayed later. */
    private void remember(FeatureSchema schema) {
        if (rememberedSchemas.add(schema.getSchemaId())) {
            worker.execute(() -> {
                try {
                    schemas.remember(schema);
                } catch (RuntimeException e) {
                    rememberedSchemas.remove(schema.getSchemaId());
                    LOG.warnf("feature schema %s could not be stored (%s); the next decision tries again", schema.getSchemaId(), e.getMessage());
                }
            });
        }
    }

    // ---- stage 3: policy, risk update, log ----

    /** How often a decision is made again when concurrent decisions keep taking the exposure room it was sized for. */
    static final int MAX_COMMIT_ATTEMPTS = 8;

    private CompletableFuture<Decision> decidePolicy(Attempt a) {
        if (a.degradedReason != null) {
            return decideDegraded(a);
        }
        if (a.warmingUp != null) {
            return decideWithoutPolicy(a, false, "FLAT while the series warms up: its features are not all defined yet and"
                    + " the ensemble cannot take missing values (model-service: " + a.warmingUp + ")");
        }
        long t0 = System.nanoTime();
        PolicySnapshot snapshot;
        try {
            snapshot = policy.forSeries(a.observation.getSeriesId(), a.request.getVariantName(), a.schema.getNamesList());
        } catch (RequestRefused e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warnf(e, "the policy for series %s could not be loaded", a.observation.getSeriesId());
            a.degrade(DegradedCause.DEGRADED_CAUSE_POLICY_UNAVAILABLE, "policy: the live policy could not be loaded (" + e.getMessage() + ")");
            return decideDegraded(a);
        }
        // The policy sizes an action on the risk state read before it; the commit checks the caps again as the state
        // is now, and when a concurrent decision took the room meanwhile, the policy decides again on that state.
        PolicyInput in;
        PolicyResult out;
        DecisionPolicy decisionPolicy = new DecisionPolicy(snapshot.parameters());
        RiskStateStore.Commit commit;
        long policyNanos = System.nanoTime() - t0;
        for (int attempt = 1; ; attempt++) {
            long t1 = System.nanoTime();
            in = input(a, snapshot);
            out = new PolicyResult();
            decisionPolicy.decide(in, snapshot.rules(), out);
            brake.observe(in.drawdown, snapshot.parameters());
            policyNanos += System.nanoTime() - t1;
            try {
                commit = risk.commit(a.observation.getSeriesId(), out.direction, out.size, snapshot.parameters());
            } catch (RuntimeException e) {
                a.degrade(DegradedCause.DEGRADED_CAUSE_RISK_STATE_UNAVAILABLE, "redis: the risk state could not be updated (" + e.getMessage() + ")");
                return decideDegraded(a);
            }
            if (commit.committed()) {
                break;
            }
            a.riskBefore = commit.current();
            if (attempt == MAX_COMMIT_ATTEMPTS) {
                return decideWithoutPolicy(a, false, "FLAT: concurrent decisions took the exposure room this action was "
                        + "sized for " + attempt + " times in a row; the next observation decides again");
            }
        }
        a.policyNanos = policyNanos;
        metrics.stage(Stage.POLICY, a.policyNanos);
        int direction = out.direction;
        double size = out.size;
        boolean cooldownConsumed = commit.cooldownConsumed();
        Decision.Builder d = base(a, snapshot.variantName(), snapshot.parameterSetVersion(), snapshot.ruleSetVersion());
        // the same explanation a replay writes: direction, size, confidence, every gate and rule, reasons
        DecisionExplanation.apply(d, decisionPolicy, in, snapshot.rules(), out);
        if (snapshot.shadow() != null) {
            d.setShadow(DecisionExplanation.shadow(decisionPolicy, in, snapshot.shadow()));
        }
        return logged(a, d, direction, size, cooldownConsumed, true);
    }

    /**
     * The request's observation, refused before anything is asked of feature-service (service-support's
     * ObservationRules, the rules feature-service applies too), so a bad request is INVALID_ARGUMENT here and never
     * counts against feature-service's circuit breaker.
     */
    private Observation validated(DecideRequest request) {
        if (!request.hasObservation()) {
            throw RequestRefused.invalid("observation", "observation is missing; send one observation per request");
        }
        Observation o = request.getObservation();
        String id = o.getSeriesId();
        long ts = o.getTsMicros();
        rules.validate(id, ts, o.getValue(),
                ObservationRules.optional(id, ts, "observation.open", o.hasOpen(), o.getOpen()),
                ObservationRules.optional(id, ts, "observation.high", o.hasHigh(), o.getHigh()),
                ObservationRules.optional(id, ts, "observation.low", o.hasLow(), o.getLow()),
                ObservationRules.optional(id, ts, "observation.volume", o.hasVolume(), o.getVolume()));
        return o;
    }

    private PolicyInput input(Attempt a, PolicySnapshot snapshot) {
        FeatureVector v = a.features;
        FeatureSchemas.Schema schema = schemas.served(a.schema);
        double[] values = new double[v.getValuesCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = v.getValues(i);
        }
        RiskState r = a.riskBefore;
        PolicyInput in = new PolicyInput().set(
                a.prediction.getEnsembleProbability(),
                a.prediction.getAgreement(),
                feature(values, schema.volatilityIndex(config.volatilityFeature())),
                feature(values, schema.trendIndex(config.trendFeature())),
                warm(v),
                r.getDrawdown(),
                r.getExposure(),
                r.getSeriesExposure(),
                r.getCooldownRemaining());
        in.features = values;
        in.metaProbability = a.prediction.hasMetaProbability() ? a.prediction.getMetaProbability() : Double.NaN;
        return in;
    }

    /**
     * Whether the policy may read the features: every window filled and none spanning a possible gap in the series
     * (FeatureVector.gap_observations_to_cover, after a feature-service crash without its log); otherwise the warm-up
     * gate keeps the decision FLAT.
     */
    static boolean warm(FeatureVector v) {
        return v.getWarm() && v.getGapObservationsToCover() == 0;
    }

    private static double feature(double[] values, int i) {
        return i >= 0 && i < values.length ? values[i] : Double.NaN;
    }

    /** A FLAT decision without the policy: some input is missing. Logged like any other. Runs on a worker. */
    private CompletableFuture<Decision> decideDegraded(Attempt a) {
        return decideWithoutPolicy(a, true, "FLAT because the decision is degraded: " + a.degradedReason);
    }

    /**
     * A FLAT decision made without running the policy: degraded (a dependency failed) or warming up. Either way it
     * records the variant and versions the series would have used, counts the cooldown down and is logged.
     */
    private CompletableFuture<Decision> decideWithoutPolicy(Attempt a, boolean degraded, String reason) {
        LivePolicy.State s = policy.state();
        String forced = a.request.getVariantName();
        LivePolicy.VariantState v = forced.isEmpty() ? LivePolicy.assign(s, a.observation.getSeriesId())
                : LivePolicy.LIVE.equals(forced) ? null : s.variant(forced).orElse(null);
        String name = v == null ? LivePolicy.LIVE : v.name();
        int params = v == null || v.parameterSetVersion() == 0 ? s.parameterSetVersion() : v.parameterSetVersion();
        int rules = v == null || v.ruleSetVersion() == 0 ? s.ruleSetVersion() : v.ruleSetVersion();
        boolean cooldownConsumed = false;
        boolean recorded = false;
        if (!a.degradedBy(DegradedCause.DEGRADED_CAUSE_RISK_STATE_UNAVAILABLE)) {
            // every decision counts a cooldown down, degraded ones too (not when the risk state itself failed)
            try {
                cooldownConsumed = risk.recordDecision(a.observation.getSeriesId(), 0, 0);
                recorded = true;
            } catch (RuntimeException e) {
                LOG.debugf("risk state not updated for a degraded decision: %s", e.getMessage());
            }
        }
        Decision.Builder d = base(a, name, params, rules)
                .setDirection(Direction.DIRECTION_FLAT)
                .setSize(0)
                .setDegraded(degraded)
                .addReasons(reason);
        if (degraded) {
            d.setDegradedReason(a.degradedReason).setDegradedCause(a.degradedCause);
        }
        if (a.prediction == null) {
            d.addReasons("no action without a model prediction");
        }
        return logged(a, d, 0, 0, cooldownConsumed, recorded);
    }

    private Decision.Builder base(Attempt a, String variant, int parameterSetVersion, int ruleSetVersion) {
        Decision.Builder d = Decision.newBuilder()
                .setDecisionId(a.decisionId)
                .setSeriesId(a.observation.getSeriesId())
                .setTsMicros(a.observation.getTsMicros());
        DecisionVersions.Builder versions = DecisionVersions.newBuilder()
                .setVariantName(variant)
                .setParameterSetVersion(parameterSetVersion)
                .setRuleSetVersion(ruleSetVersion);
        if (a.features != null) {
            d.setFeatures(a.features);
            versions.setFeatureSchemaId(a.features.getSchemaId());
        }
        if (a.prediction != null) {
            Prediction p = a.prediction;
            d.setEnsembleProbability(p.getEnsembleProbability())
                    .setAgreement(p.getAgreement())
                    .setPredictionId(p.getPredictionId());
            if (p.hasMetaProbability()) {
                d.setMetaProbability(p.getMetaProbability());
            }
            versions.addAllModelVersions(p.getModelVersionsList())
                    .setWeightsSnapshotId(p.getWeightsSnapshotId())
                    .setEnsembleName(p.getEnsembleName())
                    .setEnsembleRevision(p.getEnsembleRevision());
        }
        if (a.riskBefore != null) {
            d.setRiskState(a.riskBefore);
        }
        long now = System.nanoTime();
        d.setVersions(versions)
                .setLatency(StageLatencies.newBuilder()
                        .setFeaturesMicros(a.featuresNanos / 1000)
                        .setPredictionMicros(a.predictionNanos / 1000)
                        // DecisionPolicy.decide scores, gates and sizes in one pass: its time is gates_micros
                        .setGatesMicros(a.policyNanos / 1000)
                        .setTotalMicros((now - a.start) / 1000))
                .setDecidedTsMicros(ObservationTimes.nowMicros());
        return d;
    }

    /**
     * Logs the decision and completes once the log says it is durable. If it cannot be logged, the risk state change
     * is undone and the request fails UNAVAILABLE: a decision is never answered without being logged.
     */
    private CompletableFuture<Decision> logged(Attempt a, Decision.Builder builder, int direction, double size,
                                               boolean cooldownConsumed, boolean recorded) {
        Decision decision = builder.build();
        long t0 = System.nanoTime();
        CompletableFuture<Void> appended;
        try {
            appended = log.append(decision);
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        return appended.handle((ignored, error) -> {
            metrics.stage(Stage.LOG, System.nanoTime() - t0);
            if (error != null) {
                if (recorded) {
                    undo(a, direction, size, cooldownConsumed);
                }
                Throwable e = unwrap(error);
                throw new CompletionException(new RequestRefused(Status.Code.UNAVAILABLE, "",
                        "the decision could not be logged durably (" + e.getMessage() + "), so it was not made; retry"));
            }
            metrics.decided(decision, System.nanoTime() - a.start);
            return decision;
        });
    }

    private void undo(Attempt a, int direction, double size, boolean cooldownConsumed) {
        try {
            risk.undo(a.observation.getSeriesId(), direction, size, cooldownConsumed);
        } catch (RuntimeException e) {
            LOG.errorf("decision %s was not logged and its risk state change could not be undone (%s): exposure of series %s is"
                    + " overstated by %.6f", a.decisionId, e.getMessage(), a.observation.getSeriesId(), size);
        }
    }

    private <T> CompletableFuture<T> onWorker(java.util.function.Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, worker);
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** One decision in the making. */
    private final class Attempt {
        final DecideRequest request;
        final Observation observation;
        /** series and timestamp: what makes two requests the same observation */
        final String key;
        final long start;
        final long end;
        final long featuresEnd;
        final long modelsEnd;
        final String decisionId = UUID.randomUUID().toString();
        volatile FeatureVector features;
        volatile FeatureSchema schema;
        volatile Prediction prediction;
        volatile RiskState riskBefore;
        volatile String degradedReason;
        /** The first cause of degradation, or null; every cause so far in {@link #causes}. */
        volatile DegradedCause degradedCause;
        private final java.util.EnumSet<DegradedCause> causes = java.util.EnumSet.noneOf(DegradedCause.class);
        /** model-service's refusal of a cold feature vector (see {@link DecisionPath#warmingUp}), or null. */
        volatile String warmingUp;
        long featuresNanos;
        long predictionNanos;
        long policyNanos;

        Attempt(DecideRequest request, Observation observation, long start, long end) {
            this.request = request;
            this.observation = observation;
            this.key = observation.getSeriesId() + '\u0000' + observation.getTsMicros();
            this.start = start;
            this.end = end;
            DecisionConfig.Budget b = config.budget();
            long budget = Math.max(end - start, 0);
            // the reserve grows with the budget (a tenth of it, at least the configured reserve) so that a long
            // budget's answer survives a slow log commit; small budgets keep the same proportions: reserve at most a
            // fifth, models at most half of the rest
            long reserve = Math.min(Math.max(b.reserve().toNanos(), budget / 10), budget / 5);
            long models = Math.min(b.modelsShare().toNanos(), (budget - reserve) / 2);
            this.modelsEnd = end - reserve;
            this.featuresEnd = modelsEnd - models;
        }

        synchronized void degrade(DegradedCause cause, String reason) {
            degradedReason = degradedReason == null ? reason : degradedReason + "; " + reason;
            if (degradedCause == null) {
                degradedCause = cause;
            }
            causes.add(cause);
        }

        synchronized boolean degradedBy(DegradedCause cause) {
            return causes.contains(cause);
        }
    }

    /** A bounded set of the most recently added keys. */
    static final class RecentKeys {
        private final java.util.LinkedHashMap<String, Boolean> keys;

        RecentKeys(int capacity) {
            this.keys = new java.util.LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
                    return size() > capacity;
                }
            };
        }

        synchronized void add(String key) {
            keys.put(key, Boolean.TRUE);
        }

        synchronized boolean remove(String key) {
            return !keys.isEmpty() && keys.remove(key) != null;
        }
    }
}
