package dev.arbiter.engine.rules;

import dev.arbiter.engine.policy.PolicyInput;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The variables a rule may read, their CEL types and meaning. The same list type-checks rules when they are
 * loaded and fills them when they are evaluated.
 */
public final class RuleVariables {

    /** Name → description of every scalar variable (all CEL doubles). */
    public static final Map<String, String> SCALARS;

    /** The map of features by name, e.g. {@code features.vol_20} or {@code features["vol_20"]}. */
    public static final String FEATURES = "features";

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("probability", "ensemble probability that the series rises, in [0, 1]");
        m.put("confidence", "confidence score in [0, 1]");
        m.put("agreement", "weighted share of models on the ensemble's side, in [0, 1]");
        m.put("volatility", "standard deviation of log returns per observation");
        m.put("trend_strength", "efficiency ratio in [0, 1]: 1 = clean trend, 0 = noise");
        m.put("drawdown", "portfolio drawdown from its pnl peak, fraction of capital");
        m.put("exposure", "sum of absolute open positions, fraction of capital");
        m.put("series_exposure", "signed open position of this series, fraction of capital");
        m.put("direction", "the side the ensemble leans to: 1 long, -1 short, 0 none");
        SCALARS = java.util.Collections.unmodifiableMap(m);
    }

    private RuleVariables() {
    }

    /**
     * The activation for one decision: scalars from {@code in}, {@code confidence} and {@code direction}, and
     * features by name ({@code in.features} in {@code featureNames} order; NaN features are left out, so a
     * rule reading one fails and therefore blocks).
     */
    public static Map<String, Object> of(PolicyInput in, double confidence, int direction, List<String> featureNames) {
        Map<String, Object> vars = new HashMap<>(16);
        vars.put("probability", in.probability);
        vars.put("confidence", confidence);
        vars.put("agreement", in.agreement);
        vars.put("volatility", in.volatility);
        vars.put("trend_strength", in.trendStrength);
        vars.put("drawdown", in.drawdown);
        vars.put("exposure", in.totalExposure);
        vars.put("series_exposure", in.seriesExposure);
        vars.put("direction", (double) direction);
        Map<String, Double> features = new HashMap<>(featureNames.size() * 2);
        if (in.features != null) {
            for (int i = 0; i < featureNames.size() && i < in.features.length; i++) {
                double v = in.features[i];
                if (v == v) {
                    features.put(featureNames.get(i), v);
                }
            }
        }
        vars.put(FEATURES, features);
        return vars;
    }
}
