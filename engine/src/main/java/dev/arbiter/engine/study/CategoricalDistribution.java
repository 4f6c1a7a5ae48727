package dev.arbiter.engine.study;

import java.util.HashSet;
import java.util.List;

/** One of a list of distinct choices; the internal value is the index of the choice. */
public record CategoricalDistribution(List<String> choices) implements Distribution {

    public CategoricalDistribution {
        if (choices == null || choices.isEmpty()) {
            throw new IllegalArgumentException("CategoricalDistribution.choices is empty; pass at least one choice");
        }
        choices = List.copyOf(choices);
        var seen = new HashSet<String>();
        for (String choice : choices) {
            if (!seen.add(choice)) {
                throw new IllegalArgumentException("CategoricalDistribution.choices has \"" + choice
                        + "\" twice; pass each choice once");
            }
        }
    }

    public static CategoricalDistribution of(String... choices) {
        return new CategoricalDistribution(List.of(choices));
    }

    /** The index of {@code choice}, the value a trial stores. */
    public double indexOf(String choice) {
        int index = choices.indexOf(choice);
        if (index < 0) {
            throw new IllegalArgumentException("\"" + choice + "\" is not one of the choices " + choices);
        }
        return index;
    }

    @Override
    public boolean contains(double value) {
        return value >= 0 && value < choices.size() && value == Math.rint(value);
    }

    @Override
    public boolean single() {
        return choices.size() == 1;
    }
}
