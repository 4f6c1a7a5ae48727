package dev.arbiter.cli.options;

import dev.arbiter.proto.v1.ForwardReturnSignLabel;
import dev.arbiter.proto.v1.LabelSpec;
import dev.arbiter.proto.v1.ThresholdEventLabel;
import dev.arbiter.proto.v1.ThresholdSide;
import dev.arbiter.proto.v1.TieHandling;
import picocli.CommandLine.Option;

/** How labels (and a backtest's realised returns) are made: shared by train and backtest. */
public class LabelOptions {

    /** The labelling schemes. */
    public enum Kind {
        SIGN, THRESHOLD;

        @Override
        public String toString() {
            return name().toLowerCase();
        }
    }

    /** What a zero forward return becomes. */
    public enum Tie {
        DROP(TieHandling.TIE_HANDLING_DROP), NEGATIVE(TieHandling.TIE_HANDLING_NEGATIVE),
        POSITIVE(TieHandling.TIE_HANDLING_POSITIVE);

        final TieHandling proto;

        Tie(TieHandling proto) {
            this.proto = proto;
        }

        @Override
        public String toString() {
            return name().toLowerCase();
        }
    }

    /** Which side of the threshold is the event. */
    public enum Side {
        ABOVE(ThresholdSide.THRESHOLD_SIDE_ABOVE), BELOW(ThresholdSide.THRESHOLD_SIDE_BELOW);

        final ThresholdSide proto;

        Side(ThresholdSide proto) {
            this.proto = proto;
        }

        @Override
        public String toString() {
            return name().toLowerCase();
        }
    }

    @Option(names = "--label", paramLabel = "KIND", defaultValue = "sign",
            description = "sign: positive when the value rises over the horizon; threshold: positive when it crosses a "
                    + "percentile of its trailing window within the horizon (default: ${DEFAULT-VALUE}).")
    public Kind kind;

    @Option(names = "--horizon", paramLabel = "N", defaultValue = "1",
            description = "Observations ahead the label looks (default: ${DEFAULT-VALUE}).")
    public int horizon;

    @Option(names = "--tie", paramLabel = "HOW", defaultValue = "drop",
            description = "sign label: a zero return is ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    public Tie tie;

    @Option(names = "--tie-tolerance", paramLabel = "X", defaultValue = "0",
            description = "sign label: |return| at or below this is a tie (default: ${DEFAULT-VALUE}).")
    public double tieTolerance;

    @Option(names = "--window", paramLabel = "N", defaultValue = "336",
            description = "threshold label: trailing window, in observations (default: ${DEFAULT-VALUE}).")
    public int window;

    @Option(names = "--percentile", paramLabel = "P", defaultValue = "95",
            description = "threshold label: the percentile of the window, in (0, 100) (default: ${DEFAULT-VALUE}).")
    public double percentile;

    @Option(names = "--side", paramLabel = "SIDE", defaultValue = "above",
            description = "threshold label: the event is the value going ${COMPLETION-CANDIDATES} it (default: ${DEFAULT-VALUE}).")
    public Side side;

    public LabelSpec toProto() {
        Checks.positive("--horizon", horizon);
        LabelSpec.Builder b = LabelSpec.newBuilder();
        if (kind == Kind.SIGN) {
            b.setForwardReturnSign(ForwardReturnSignLabel.newBuilder().setHorizonObservations(horizon)
                    .setTieHandling(tie.proto).setTieTolerance(tieTolerance));
        } else {
            Checks.positive("--window", window);
            b.setThresholdEvent(ThresholdEventLabel.newBuilder().setHorizonObservations(horizon)
                    .setTrailingWindowObservations(window).setPercentile(percentile).setSide(side.proto));
        }
        return b.build();
    }

    /** One line for humans, e.g. "sign of the return 4 ahead". */
    public String describe() {
        return kind == Kind.SIGN ? "sign of the return " + horizon + " ahead"
                : "value " + side + " its " + number(percentile) + "th percentile of " + window + " within " + horizon + " ahead";
    }

    private static String number(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }
}
