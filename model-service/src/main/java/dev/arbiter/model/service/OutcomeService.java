package dev.arbiter.model.service;

import static dev.arbiter.service.RequestRefused.invalid;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Turns realised outcomes into ensemble weight updates: a member is correct when its class (p ≥ 0.5) matched the label. */
@ApplicationScoped
public class OutcomeService {

    public enum Status {
        APPLIED,
        DUPLICATE,
        UNKNOWN_PREDICTION
    }

    public record Result(Status status, EnsembleWeights weights) {}

    private final EnsembleService ensembles;
    private final WeightStore weights;
    private final PredictionJournal journal;
    private final ModelLifecycle lifecycle;

    public OutcomeService(EnsembleService ensembles, WeightStore weights, PredictionJournal journal, ModelLifecycle lifecycle) {
        this.ensembles = ensembles;
        this.weights = weights;
        this.journal = journal;
        this.lifecycle = lifecycle;
    }

    /** By decision id: the prediction made for that decision. */
    public Result byDecision(String ensemble, String decisionId, boolean positive) {
        Optional<String> prediction = journal.predictionOfDecision(decisionId);
        return prediction.isPresent() ? byPrediction(ensemble, prediction.get(), positive) : unknown(ensemble);
    }

    public Result byPrediction(String ensemble, String predictionId, boolean positive) {
        Optional<PredictionJournal.Recorded> recorded = journal.find(predictionId);
        if (recorded.isEmpty()) {
            return unknown(ensemble);
        }
        EnsemblePlan plan = ensembles.current(recorded.get().ensemble());
        Map<VersionKey, Boolean> correct = new HashMap<>();
        recorded.get().probabilities().forEach((k, p) -> correct.put(k, (p >= 0.5) == positive));
        boolean applied = weights.apply(plan, correct, predictionId);
        if (applied) {
            lifecycle.weightsChanged(plan.name());
        }
        return new Result(applied ? Status.APPLIED : Status.DUPLICATE, weights.current(plan));
    }

    /** Correctness judged by the caller; every named member must belong to the ensemble. */
    public Result byMembers(String ensemble, Map<VersionKey, Boolean> correct) {
        if (ensemble.isEmpty()) {
            throw invalid("ensemble_name", "ensemble_name is missing; member_outcomes need the ensemble whose weights they update");
        }
        EnsemblePlan plan = ensembles.current(ensemble);
        if (correct.isEmpty()) {
            throw invalid("member_outcomes.members", "member_outcomes.members is empty; send one entry per member to update");
        }
        for (VersionKey k : correct.keySet()) {
            if (!plan.contains(k)) {
                throw invalid(
                        "member_outcomes.members",
                        "member_outcomes.members names " + k + ", which is not a member of ensemble " + ensemble + " (revision " + plan.revision() + "); send its members only");
            }
        }
        weights.apply(plan, correct, "");
        lifecycle.weightsChanged(plan.name());
        return new Result(Status.APPLIED, weights.current(plan));
    }

    private Result unknown(String ensemble) {
        return new Result(Status.UNKNOWN_PREDICTION, ensemble.isEmpty() ? null : weights.current(ensembles.current(ensemble)));
    }
}
