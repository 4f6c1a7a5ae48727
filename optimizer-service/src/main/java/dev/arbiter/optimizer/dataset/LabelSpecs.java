package dev.arbiter.optimizer.dataset;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.proto.v1.ForwardReturnSignLabel;
import dev.arbiter.proto.v1.LabelSpec;
import dev.arbiter.proto.v1.ThresholdEventLabel;
import dev.arbiter.proto.v1.ThresholdSide;
import dev.arbiter.proto.v1.TieHandling;

/** Reads a request's LabelSpec into a {@link LabelDefinition}, refusing what cannot be labelled with the field named. */
public final class LabelSpecs {

    private LabelSpecs() {
    }

    /**
     * @param field the request field of the spec, e.g. "spec.label"
     * @throws dev.arbiter.service.RequestRefused INVALID_ARGUMENT naming the field and the fix
     */
    public static LabelDefinition definition(LabelSpec spec, String field) {
        switch (spec.getLabelCase()) {
            case FORWARD_RETURN_SIGN -> {
                ForwardReturnSignLabel s = spec.getForwardReturnSign();
                String f = field + ".forward_return_sign";
                int horizon = horizon(s.getHorizonObservations(), f);
                double tolerance = s.getTieTolerance();
                if (!(tolerance >= 0.0) || Double.isInfinite(tolerance)) {
                    throw invalid(f + ".tie_tolerance", f + ".tie_tolerance is " + tolerance
                            + "; send a finite number >= 0 (0 = only an exactly zero forward return is a tie)");
                }
                LabelDefinition.TieRule ties = switch (s.getTieHandling()) {
                    case TIE_HANDLING_UNSPECIFIED, TIE_HANDLING_DROP -> LabelDefinition.TieRule.DROP;
                    case TIE_HANDLING_NEGATIVE -> LabelDefinition.TieRule.NEGATIVE;
                    case TIE_HANDLING_POSITIVE -> LabelDefinition.TieRule.POSITIVE;
                    case UNRECOGNIZED -> throw invalid(f + ".tie_handling", f + ".tie_handling is the unknown value "
                            + s.getTieHandlingValue() + "; send DROP, NEGATIVE or POSITIVE");
                };
                return new LabelDefinition.ForwardReturnSign(horizon, ties, tolerance);
            }
            case THRESHOLD_EVENT -> {
                ThresholdEventLabel t = spec.getThresholdEvent();
                String f = field + ".threshold_event";
                int horizon = horizon(t.getHorizonObservations(), f);
                int window = t.getTrailingWindowObservations(); // a uint32: negative above 2^31 - 1
                if (window < 0 || window == Integer.MAX_VALUE) {
                    throw invalid(f + ".trailing_window_observations", f + ".trailing_window_observations is "
                            + Integer.toUnsignedString(window) + ", too large; send a window shorter than the series");
                }
                if (window < 2) {
                    throw invalid(f + ".trailing_window_observations", f + ".trailing_window_observations is "
                            + window + "; send at least 2 observations to take a percentile of");
                }
                double p = t.getPercentile();
                if (!(p > 0.0 && p < 100.0)) {
                    throw invalid(f + ".percentile", f + ".percentile is " + p + "; send a percentile in (0, 100), e.g. 90");
                }
                if (t.getSide() == ThresholdSide.UNRECOGNIZED) {
                    throw invalid(f + ".side", f + ".side is the unknown value " + t.getSideValue()
                            + "; send ABOVE or BELOW");
                }
                return new LabelDefinition.ThresholdEvent(horizon, t.getTrailingWindowObservations(), p,
                        t.getSide() != ThresholdSide.THRESHOLD_SIDE_BELOW);
            }
            default -> throw invalid(field, field + " is missing; send forward_return_sign (the sign of the return over"
                    + " a horizon) or threshold_event (a crossing of a trailing percentile)");
        }
    }

    /** The request field of the label's horizon, e.g. "spec.label.threshold_event.horizon_observations". */
    public static String horizonField(LabelSpec spec, String field) {
        return field + (spec.hasThresholdEvent() ? ".threshold_event" : ".forward_return_sign") + ".horizon_observations";
    }

    private static int horizon(int horizon, String field) {
        // uint32 on the wire: a negative int here is a value above 2^31.
        if (horizon < 1) {
            throw invalid(field + ".horizon_observations", field + ".horizon_observations is "
                    + Integer.toUnsignedString(horizon) + "; send how many observations ahead to look, at least 1 and"
                    + " shorter than the series");
        }
        return horizon;
    }
}
