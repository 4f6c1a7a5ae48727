package dev.arbiter.model.drift;

import dev.arbiter.engine.drift.QuantityDrift;
import dev.arbiter.model.config.DriftConfig;
import dev.arbiter.service.WebhookAlerts;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Posts drift alerts to the configured Slack-compatible webhook ({@link WebhookAlerts}: asynchronous with a timeout,
 * a failure logged, never thrown, the URL never logged).
 */
@ApplicationScoped
public class DriftAlerter {

    private final WebhookAlerts webhook;

    @Inject
    public DriftAlerter(DriftConfig config) {
        this.webhook = new WebhookAlerts(config.webhookUrl(), config.webhookTimeout());
    }

    /**
     * Sends one alert about a drifted version; no-op without a webhook. Never throws.
     *
     * @return completes (normally, even on failure) when the webhook answered, failed or timed out
     */
    public CompletableFuture<Void> alert(DriftStatus status) {
        return webhook.send("drift of " + status.modelName() + " v" + status.version(), text(status));
    }

    /** Completes when every alert sent so far has been answered, failed or timed out. */
    public CompletableFuture<Void> flush() {
        return webhook.flush();
    }

    /** Gives alerts still in flight at shutdown their timeout to finish. */
    @PreDestroy
    void drain() {
        webhook.drain();
    }

    /** The webhook body: {@code {"text": ...}}. */
    static String json(DriftStatus status) {
        return WebhookAlerts.json(text(status));
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
