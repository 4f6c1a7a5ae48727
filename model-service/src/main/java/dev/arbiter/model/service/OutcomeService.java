package dev.arbiter.model.service;

import static dev.arbiter.service.RequestRefused.invalid;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
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

    /** Which prediction an outcome is for: by its id, by the decision id given with it, or member by member. */
    public sealed interface Reference {
        record ByPrediction(String predictionId) implements Reference {}

        record ByDecision(String decisionId) implements Reference {}

        /** Correctness judged by the caller, per member. */
        record ByMembers(List<MemberOutcome> members) implements Reference {}
    }

    public record MemberOutcome(String modelName, int version, boolean correct) {}

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

    /**
     * Applies one reported outcome: checks the request (each refusal on its field: ensemble_name, prediction_id,
     * decision_id, member_outcomes.members[i], reference when none is given), then updates the ensemble's weights.
     *
     * @param ensemble  the ensemble the outcome is for; "" = the one the prediction was made with (not for members)
     * @param reference null when the request named none
     */
    public Result report(String ensemble, Reference reference, boolean positive) {
        if (!ensemble.isEmpty()) {
            ModelRegistry.checkName("ensemble_name", ensemble);
        }
        if (reference instanceof Reference.ByPrediction p) {
            if (p.predictionId().isEmpty()) {
                throw invalid("prediction_id", "prediction_id is empty; send the Prediction.prediction_id the outcome is for");
            }
            return byPrediction(ensemble, p.predictionId(), positive);
        }
        if (reference instanceof Reference.ByDecision d) {
            if (d.decisionId().isEmpty()) {
                throw invalid("decision_id", "decision_id is empty; send the decision_id given with the prediction");
            }
            return byDecision(ensemble, d.decisionId(), positive);
        }
        if (reference instanceof Reference.ByMembers m) {
            Map<VersionKey, Boolean> correct = new HashMap<>();
            for (int i = 0; i < m.members().size(); i++) {
                MemberOutcome o = m.members().get(i);
                String field = "member_outcomes.members[" + i + "]";
                ModelRegistry.checkName(field + ".model_name", o.modelName());
                if (o.version() <= 0) {
                    throw invalid(field + ".version", field + ".version is " + o.version() + "; send the member's version number ≥ 1");
                }
                if (correct.put(new VersionKey(o.modelName(), o.version()), o.correct()) != null) {
                    throw invalid(field, field + " repeats " + o.modelName() + " v" + o.version() + "; send each member once");
                }
            }
            return byMembers(ensemble, correct);
        }
        throw invalid("reference", "reference is missing; say which prediction the outcome is for: prediction_id, decision_id or member_outcomes");
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
