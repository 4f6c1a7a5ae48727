package dev.arbiter.optimizer.dataset;

/**
 * How a row's label is derived from the values after it (and, for threshold events, before it). The label of
 * row {@code i} reads values up to index {@code i + horizon()} and never beyond, so a row is labelled only when
 * that index exists: nothing is guessed at the end of a series.
 */
public sealed interface LabelDefinition permits LabelDefinition.ForwardReturnSign, LabelDefinition.ThresholdEvent {

    /** Observations ahead the label looks; at least 1. */
    int horizon();

    /**
     * Positive when the value rises over the next {@code horizon} observations: the forward return
     * {@code value[i + horizon] / value[i] - 1} is above {@code tieTolerance} in absolute value and positive.
     * A forward return whose absolute value is at most {@code tieTolerance} (exactly zero when the tolerance is 0)
     * is a tie, resolved by {@code ties}.
     */
    record ForwardReturnSign(int horizon, TieRule ties, double tieTolerance) implements LabelDefinition {
        public ForwardReturnSign {
            requireHorizon(horizon);
            if (ties == null) {
                throw new IllegalArgumentException("ties is null; pass DROP, NEGATIVE or POSITIVE");
            }
            if (!(tieTolerance >= 0.0) || Double.isInfinite(tieTolerance)) {
                throw new IllegalArgumentException("tieTolerance is " + tieTolerance + "; pass a finite number >= 0");
            }
        }
    }

    /**
     * Positive when, within the next {@code horizon} observations, the value crosses the {@code percentile} of
     * the trailing window of {@code trailingWindow} values that ends at the current observation (inclusive):
     * strictly above it when {@code above}, strictly below it otherwise. Rows before the first full trailing
     * window are unlabelled. The percentile interpolates linearly between order statistics (position
     * {@code percentile / 100 × (trailingWindow − 1)} in the sorted window, as numpy's default and R's type 7).
     */
    record ThresholdEvent(int horizon, int trailingWindow, double percentile, boolean above) implements LabelDefinition {
        public ThresholdEvent {
            requireHorizon(horizon);
            if (trailingWindow < 2) {
                throw new IllegalArgumentException("trailingWindow is " + trailingWindow + "; pass at least 2");
            }
            if (!(percentile > 0.0 && percentile < 100.0)) {
                throw new IllegalArgumentException("percentile is " + percentile + "; pass a number in (0, 100)");
            }
        }
    }

    /** What a tie (a forward return within the tolerance of zero) becomes. */
    enum TieRule {
        /** Ties are left out: the row is unlabelled. */
        DROP,
        /** Ties are negative examples. */
        NEGATIVE,
        /** Ties are positive examples. */
        POSITIVE
    }

    private static void requireHorizon(int horizon) {
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon is " + horizon + "; pass at least 1 observation");
        }
    }
}
