package dev.arbiter.cli.demo;

import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.Services;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.PredictBatchRequest;
import dev.arbiter.proto.v1.PredictBatchResponse;
import dev.arbiter.proto.v1.PredictBatchResult;
import dev.arbiter.proto.v1.PredictionInput;
import dev.arbiter.proto.v1.PredictionTarget;

/**
 * The single-model baseline the demo compares against, as the backtest's ablation defines it: the best single model
 * acting alone whenever its probability is at least {@code minEdge} away from 0.5, with none of the policy's
 * confidence scoring, gates or risk rules. It predicts on exactly the features each decision was made on.
 */
final class Baseline {

    /** PredictBatch rows per call; model-service's default limit is far above. */
    private static final int BATCH = 256;

    private Baseline() {
    }

    /** +1 long, -1 short, 0 out, per decision; 0 where there is no decision or it has no features. */
    static int[] actions(Services s, ModelVersionRef model, Decision[] decisions, double minEdge) {
        int[] actions = new int[decisions.length];
        PredictionTarget target = PredictionTarget.newBuilder().setModel(model).build();
        for (int from = 0; from < decisions.length; from += BATCH) {
            int to = Math.min(decisions.length, from + BATCH);
            PredictBatchRequest.Builder b = PredictBatchRequest.newBuilder().setTarget(target);
            int[] rows = new int[to - from];
            int n = 0;
            for (int i = from; i < to; i++) {
                if (decisions[i] != null && decisions[i].getFeatures().getValuesCount() > 0) {
                    b.addInputs(PredictionInput.newBuilder().setFeatures(decisions[i].getFeatures()));
                    rows[n++] = i;
                }
            }
            if (n == 0) {
                continue;
            }
            PredictBatchResponse r = s.call(Service.MODELS,
                    () -> s.unary(Service.MODELS, ModelServiceGrpc::newBlockingStub).predictBatch(b.build()));
            for (int k = 0; k < n; k++) {
                PredictBatchResult result = r.getResults(k);
                if (result.hasPrediction()) {
                    actions[rows[k]] = action(result.getPrediction().getEnsembleProbability(), minEdge);
                }
            }
        }
        return actions;
    }

    /** Long when p - 0.5 reaches the edge, short when 0.5 - p does, else out. */
    static int action(double p, double minEdge) {
        return p - 0.5 >= minEdge ? 1 : 0.5 - p >= minEdge ? -1 : 0;
    }
}
