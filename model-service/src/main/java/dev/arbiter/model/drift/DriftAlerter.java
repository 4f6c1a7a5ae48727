package dev.arbiter.model.drift;

import dev.arbiter.engine.drift.QuantityDrift;
import dev.arbiter.service.alerts.Alert;
import dev.arbiter.service.alerts.AlertEvent;
import dev.arbiter.service.alerts.AlertSender;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Drift alerts, through the shared {@link AlertSender} (webhook and email, deduplicated per version, rate-limited).
 * {@link DriftMonitor} calls it only on the replica that claimed the alert.
 */
@ApplicationScoped
public class DriftAlerter {

    private final AlertSender sender;

    @Inject
    public DriftAlerter(AlertSender sender) {
        this.sender = sender;
    }

    /**
     * Sends one alert about a drifted version. Never throws.
     *
     * @return what became of it, once every receiver answered, failed or timed out
     */
    public CompletableFuture<AlertSender.Outcome> alert(DriftStatus status) {
        return sender.send(new Alert(AlertEvent.DRIFT, status.modelName() + " v" + status.version(),
                "drift of " + status.modelName() + " v" + status.version() + " ("
                        + status.severity().name().toLowerCase(Locale.ROOT) + ")", text(status)));
    }

    /** Slack mrkdwn: which version drifted, how much, in which features and score, with their q-values and PSI. */
    static String text(DriftStatus s) {
        StringBuilder b = new StringBuilder()
                .append("Drift detected (").append(s.severity().name().toLowerCase(Locale.ROOT))
                .append("): model `").append(s.modelName()).append("` version ").append(s.version())
                .append('\n');
        for (QuantityDrift t : s.driftedTests()) {
            b.append("• ").append(t == s.score() ? "score" : "feature `" + t.name() + "`")
                    .append(": q=").append(p(t.qValue()))
                    .append(", PSI ").append(String.format(Locale.ROOT, "%.2f", t.psi()))
                    .append(" (KS p=").append(p(t.ksPValue()))
                    .append(", Mann-Whitney p=").append(p(t.mannWhitneyPValue()))
                    .append(", effective sizes ").append(Math.round(t.referenceEffectiveSize()))
                    .append(" and ").append(Math.round(t.recentEffectiveSize())).append(")\n");
        }
        b.append("false discovery rate ").append(s.falseDiscoveryRate())
                .append("; reference ").append(s.reference().sampleCount())
                .append(" predictions (generation ").append(s.about().generation()).append(", ")
                .append(s.about().reason()).append("), recent ").append(s.current().sampleCount())
                .append(" predictions. If the change is accepted: `arbiter models drift --reset ")
                .append(s.modelName()).append(' ').append(s.version()).append('`');
        return b.toString();
    }

    private static String p(double p) {
        return String.format(Locale.ROOT, "%.2g", p);
    }
}
