package dev.arbiter.model.runtime;

/** A tree ensemble laid out for evaluation: sums the leaf each tree reaches, the way XGBoost's CPU predictor does. */
interface Trees {

    /**
     * {@code baseMargin} plus the leaf value of every tree, added in float32 in tree order, for the row that starts
     * at {@code rows[offset]}. NaN is a missing value.
     */
    float margin(double[] rows, int offset, float baseMargin);

    int count();
}
