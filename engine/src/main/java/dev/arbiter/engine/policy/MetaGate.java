package dev.arbiter.engine.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.math3.special.Erf;

/**
 * The learned gate (meta-labelling): a second model, trained on whether the ensemble's side won, answers the
 * probability {@code q} that the ensemble is right on this observation. The policy acts only where {@code q} clears
 * {@code meta.min_probability} and scales the size toward the bet size of {@code q} by {@code meta.size_weight}.
 *
 * <p>The meta model reads the ensemble's view of the observation, then the features in schema order:
 * {@link #INPUTS} followed by the feature names. Confidence is not an input: it is a function of those same
 * inputs and of policy parameters that tuning changes, so a meta model fitted once per fold would go stale with
 * every trial. The training (optimizer-service) and the serving (model-service) build the row with
 * {@link #fillInputs}, so the two cannot drift apart.
 */
public final class MetaGate {

    /** The ensemble inputs a meta model reads before the features, in this order. */
    public static final List<String> INPUTS = List.of("ensemble_probability", "ensemble_edge", "ensemble_agreement",
            "ensemble_side");

    private MetaGate() {
    }

    /** Every input name of a meta model over features {@code featureNames}: {@link #INPUTS}, then the features. */
    public static List<String> inputNames(List<String> featureNames) {
        List<String> names = new ArrayList<>(INPUTS.size() + featureNames.size());
        names.addAll(INPUTS);
        names.addAll(featureNames);
        return Collections.unmodifiableList(names);
    }

    /**
     * Writes one meta-model input row at {@code out[offset ..]}: the ensemble probability, its edge |p − 0.5|, the
     * agreement, the side (+1, −1, 0), then {@code featureCount} features from {@code features[featureOffset ..]}.
     */
    public static void fillInputs(double probability, double agreement, double[] features, int featureOffset,
                                  int featureCount, double[] out, int offset) {
        out[offset] = probability;
        out[offset + 1] = Math.abs(probability - 0.5);
        out[offset + 2] = agreement;
        out[offset + 3] = probability > 0.5 ? 1 : probability < 0.5 ? -1 : 0;
        System.arraycopy(features, featureOffset, out, offset + INPUTS.size(), featureCount);
    }

    /** Whether the ensemble's side won: the meta label of one observation (a forward return of 0 is not a win). */
    public static int won(double probability, double forwardReturn) {
        int side = probability > 0.5 ? 1 : probability < 0.5 ? -1 : 0;
        return side * forwardReturn > 0 ? 1 : 0;
    }

    /**
     * The bet size of meta probability {@code q}, as meta-labelling sizes a bet: 2Φ(z) − 1 for the test statistic
     * z = (q − 0.5) / √(q(1 − q)), floored at 0; so 0 at q ≤ 0.5, about 0.08 at q = 0.55, 0.44 at q = 0.75, 1 at
     * q = 1. Unknown (NaN) is 0.
     */
    public static double betSize(double q) {
        if (!(q > 0.5)) {
            return 0;
        }
        if (q >= 1) {
            return 1;
        }
        double z = (q - 0.5) / Math.sqrt(q * (1 - q));
        return Math.max(0, Erf.erf(z / Math.sqrt(2)));
    }

    /**
     * The size multiplier of the meta stage: 1 − w + w × bet size, with w = {@code meta.size_weight}; exactly 1 at
     * w = 0.
     */
    public static double sizeFactor(double sizeWeight, double betSize) {
        return 1 - sizeWeight + sizeWeight * betSize;
    }

    /** True when {@code meta.min_probability} switches the gate off (0 or less): then it passes every observation. */
    public static boolean off(double minProbability) {
        return minProbability <= 0;
    }
}
