package dev.arbiter.cli.demo;

import dev.arbiter.cli.client.Service;
import dev.arbiter.cli.client.Services;
import dev.arbiter.proto.v1.AbDifference;
import dev.arbiter.proto.v1.AbReadout;
import dev.arbiter.proto.v1.DriftTestResult;
import dev.arbiter.proto.v1.GetDriftStatusRequest;
import dev.arbiter.proto.v1.ModelDriftStatus;
import dev.arbiter.proto.v1.ModelServiceGrpc;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The feedback loop as the demo shows it: the drift status of every served model version after the replay, and the A/B
 * readout of the live policy against a stricter variant ({@link AbRound}).
 *
 * @param drift model-service's GetDriftStatus of every served version
 * @param ab the A/B round, null when it did not run
 */
record FeedbackLoop(List<ModelDriftStatus> drift, AbRound.Result ab) {

    static List<ModelDriftStatus> drift(Services s) {
        return s.call(Service.MODELS, () -> s.unary(Service.MODELS, ModelServiceGrpc::newBlockingStub)
                .getDriftStatus(GetDriftStatusRequest.getDefaultInstance())).getModelsList();
    }

    /** One line per version: its name, then {@link #driftStatus}. */
    static String driftLine(ModelDriftStatus m) {
        return m.getModelName() + " v" + m.getVersion() + ": " + driftStatus(m);
    }

    /** Drifted or not, against which reference, and the three smallest q-values. */
    static String driftStatus(ModelDriftStatus m) {
        StringBuilder b = new StringBuilder();
        if (!m.getEnoughData()) {
            return b.append("not enough predictions yet (reference ").append(m.getReferenceSampleCount())
                    .append(", recent ").append(m.getCurrentSampleCount()).append(')').toString();
        }
        b.append(m.getDrifted() ? "DRIFTED (" + severity(m) + ")" : "no drift")
                .append(" at false discovery rate ").append(m.getPValueThreshold())
                .append("; reference ").append(m.getReferenceSampleCount()).append(" predictions (")
                .append(m.getReferenceReason()).append("), recent ").append(m.getCurrentSampleCount());
        long untested = m.getFeaturesList().stream().filter(f -> !f.getTested()).count();
        b.append("; smallest q: ").append(String.join(", ", smallest(m).stream()
                .map(t -> String.format(Locale.ROOT, "%s %.3g (PSI %.2f)", t.getName(), t.getQValue(), t.getPsi()))
                .toList()));
        return b.append("; ").append(untested).append(" price-level or calendar features not tested").toString();
    }

    static List<DriftTestResult> smallest(ModelDriftStatus m) {
        return java.util.stream.Stream.concat(m.getFeaturesList().stream(), java.util.stream.Stream.of(m.getScore()))
                .filter(DriftTestResult::getTested)
                .sorted(Comparator.comparingDouble(DriftTestResult::getQValue))
                .limit(3)
                .toList();
    }

    private static String severity(ModelDriftStatus m) {
        return m.getSeverity().name().substring("DRIFT_SEVERITY_".length()).toLowerCase(Locale.ROOT);
    }

    /** The readout in one line: the verdict, then B - A in pnl per block with its interval. */
    static String abLine(AbReadout r) {
        return verdict(r) + "; pnl per block B - A " + difference(r.getPnlPerBlock()) + ", false-positive rate "
                + difference(r.getFalsePositiveRate()) + ", hit rate " + difference(r.getHitRate())
                + String.format(Locale.ROOT, "; blocks %d (A) and %d (B); sample-ratio p %.2f",
                r.getControl().getBlocks(), r.getTreatment().getBlocks(), r.getSrmPValue());
    }

    static String verdict(AbReadout r) {
        return r.getVerdict().name().substring("AB_VERDICT_".length()).replace('_', ' ');
    }

    static String difference(AbDifference d) {
        return String.format(Locale.ROOT, "%+.5f [%s, %s]", d.getEstimate(), bound(d.getLower()), bound(d.getUpper()));
    }

    private static String bound(double v) {
        return Double.isInfinite(v) ? (v > 0 ? "+inf" : "-inf") : String.format(Locale.ROOT, "%+.5f", v);
    }
}
