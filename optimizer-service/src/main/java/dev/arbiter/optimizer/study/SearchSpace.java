package dev.arbiter.optimizer.study;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.engine.study.CategoricalDistribution;
import dev.arbiter.engine.study.Distribution;
import dev.arbiter.engine.study.FloatDistribution;
import dev.arbiter.engine.study.IntDistribution;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.service.Identifiers;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A study's search space: the contract's distributions checked and turned into the engine's, and parameter values
 * between the contract (typed {@link ParameterValue}s) and the sampler's internal doubles (a categorical value is the
 * index of its choice).
 */
public final class SearchSpace {

    /** Longest parameter name. */
    static final int MAX_NAME = 200;

    private final Map<String, Distribution> distributions;

    private SearchSpace(Map<String, Distribution> distributions) {
        this.distributions = distributions;
    }

    public Map<String, Distribution> distributions() {
        return distributions;
    }

    /** Checks every distribution (field {@code study.search_space["name"]}); names in sorted order. */
    public static SearchSpace of(Map<String, dev.arbiter.proto.v1.Distribution> space) {
        if (space.isEmpty()) {
            throw invalid("study.search_space", "study.search_space is empty; give at least one parameter and its distribution");
        }
        Map<String, Distribution> out = new LinkedHashMap<>();
        for (Map.Entry<String, dev.arbiter.proto.v1.Distribution> e : new TreeMap<>(space).entrySet()) {
            String field = "study.search_space[\"" + e.getKey() + "\"]";
            Identifiers.requireIdentifier(field, e.getKey(), MAX_NAME, "the parameter");
            out.put(e.getKey(), distribution(field, e.getValue()));
        }
        return new SearchSpace(out);
    }

    private static Distribution distribution(String field, dev.arbiter.proto.v1.Distribution d) {
        try {
            return switch (d.getKindCase()) {
                case FLOAT_DISTRIBUTION -> {
                    var f = d.getFloatDistribution();
                    if (f.hasStep() && !(f.getStep() > 0)) {
                        throw new IllegalArgumentException("step is " + f.getStep() + "; give a positive step, or leave it unset");
                    }
                    yield new FloatDistribution(f.getLow(), f.getHigh(), f.getLog(), f.hasStep() ? f.getStep() : 0);
                }
                case INT_DISTRIBUTION -> {
                    var i = d.getIntDistribution();
                    long step = i.getStep() == 0 ? 1 : i.getStep();
                    if (i.getLog() && step != 1) {
                        throw new IllegalArgumentException("step is " + step + " with log = true; a log scale takes step 1 (or 0)");
                    }
                    if (i.getLog() && i.getLow() < 1) {
                        throw new IllegalArgumentException("low is " + i.getLow() + " with log = true; a log scale needs low >= 1");
                    }
                    yield new IntDistribution(i.getLow(), i.getHigh(), i.getLog(), step);
                }
                case CATEGORICAL_DISTRIBUTION -> new CategoricalDistribution(d.getCategoricalDistribution().getChoicesList());
                case KIND_NOT_SET -> throw new IllegalArgumentException(
                        "no kind is set; set float_distribution, int_distribution or categorical_distribution");
            };
        } catch (IllegalArgumentException e) {
            throw invalid(field, field + ": " + e.getMessage());
        }
    }

    /** A parameter's internal value from the contract's; INVALID_ARGUMENT when it does not fit the distribution. */
    public double internal(String field, String name, ParameterValue value) {
        Distribution d = distributions.get(name);
        if (d == null) {
            throw invalid(field, field + " names parameter \"" + name + "\", which is not in the study's search space ("
                    + String.join(", ", distributions.keySet()) + ")");
        }
        double x = Double.NaN;
        if (d instanceof CategoricalDistribution c && value.hasStringValue()) {
            x = c.choices().indexOf(value.getStringValue());
        } else if (d instanceof IntDistribution && value.hasIntValue()) {
            x = value.getIntValue();
        } else if (d instanceof FloatDistribution && (value.hasDoubleValue() || value.hasIntValue())) {
            x = value.hasDoubleValue() ? value.getDoubleValue() : value.getIntValue();
        }
        if (Double.isNaN(x) || !d.contains(x)) {
            throw invalid(field, field + " (" + value.toString().trim() + ") is not a value of parameter \"" + name + "\"'s " + d);
        }
        return x;
    }

    /** The contract's value of a parameter's internal value. */
    public ParameterValue external(String name, double internal) {
        Distribution d = distributions.get(name);
        if (d instanceof CategoricalDistribution c) {
            return ParameterValue.newBuilder().setStringValue(c.choices().get((int) internal)).build();
        }
        if (d instanceof IntDistribution) {
            return ParameterValue.newBuilder().setIntValue(Math.round(internal)).build();
        }
        return ParameterValue.newBuilder().setDoubleValue(internal).build();
    }

    /** All parameters of a trial in the contract's form. */
    public Map<String, ParameterValue> external(Map<String, Double> internal) {
        Map<String, ParameterValue> out = new TreeMap<>();
        internal.forEach((k, v) -> {
            if (distributions.containsKey(k)) {
                out.put(k, external(k, v));
            }
        });
        return out;
    }
}
