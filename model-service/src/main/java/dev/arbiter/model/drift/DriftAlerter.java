package dev.arbiter.model.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arbiter.model.config.DriftConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Posts drift alerts to the configured Slack-compatible webhook as {@code {"text": "..."}} (Slack incoming
 * webhooks, Mattermost, Rocket.Chat and Teams' Slack-compatible endpoints accept it). Asynchronous with a timeout;
 * a failure is logged, never thrown. The webhook URL carries a secret in Slack's case, so it is never logged.
 */
@ApplicationScoped
public class DriftAlerter {

    private static final Logger LOG = Logger.getLogger(DriftAlerter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Optional<URI> webhook;
    private final Duration timeout;
    private final HttpClient http;
    private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();

    @Inject
    public DriftAlerter(DriftConfig config) {
        this.webhook = config.webhookUrl();
        this.timeout = config.webhookTimeout();
        this.http = webhook.isPresent() ? HttpClient.newBuilder().connectTimeout(timeout).build() : null;
    }

    /**
     * Sends one alert about a drifted version; no-op without a webhook. Never throws.
     *
     * @return completes (normally, even on failure) when the webhook answered, failed or timed out
     */
    public CompletableFuture<Void> alert(DriftStatus status) {
        if (webhook.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        String what = status.modelName() + " v" + status.version();
        try {
            HttpRequest request = HttpRequest.newBuilder(webhook.get())
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json(status)))
                    .build();
            CompletableFuture<Void> sent = http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .handle((response, error) -> {
                        if (error != null) {
                            Throwable cause = error instanceof CompletionException && error.getCause() != null
                                    ? error.getCause() : error;
                            LOG.warnf("Drift alert for %s not delivered: %s", what, cause.toString());
                        } else if (response.statusCode() / 100 != 2) {
                            LOG.warnf("Drift alert for %s not delivered: the webhook answered HTTP %d",
                                    what, response.statusCode());
                        } else {
                            LOG.infof("Drift alert for %s delivered", what);
                        }
                        return null;
                    });
            inFlight.add(sent);
            sent.whenComplete((ignored, error) -> inFlight.remove(sent));
            return sent;
        } catch (RuntimeException e) {
            LOG.warnf("Drift alert for %s not sent: %s", what, e.toString());
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Completes when every alert sent so far has been answered, failed or timed out. */
    public CompletableFuture<Void> flush() {
        return CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0]));
    }

    /** Gives alerts still in flight at shutdown their timeout to finish. */
    @PreDestroy
    void drain() {
        try {
            flush().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("%d drift alert(s) still in flight at shutdown", inFlight.size());
        }
    }

    /** The webhook body: {@code {"text": ...}}. */
    static String json(DriftStatus status) {
        try {
            return JSON.writeValueAsString(Map.of("text", text(status)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a one-string map always serialises", e);
        }
    }

    /** Slack mrkdwn: which version drifted, in which features and score, with their p-values and the windows. */
    static String text(DriftStatus s) {
        StringBuilder b = new StringBuilder()
                .append("Drift detected: model `").append(s.modelName()).append("` version ").append(s.version())
                .append('\n');
        for (DriftTest t : s.driftedTests()) {
            b.append("• ").append(t == s.score() ? "score" : "feature `" + t.name() + "`")
                    .append(": KS p=").append(p(t.ksPValue()))
                    .append(", Mann-Whitney p=").append(p(t.mannWhitneyPValue()))
                    .append('\n');
        }
        b.append("p-value threshold ").append(s.pValueThreshold())
                .append("; reference ").append(s.reference().sampleCount())
                .append(" predictions, recent ").append(s.current().sampleCount()).append(" predictions.");
        return b.toString();
    }

    private static String p(double p) {
        return String.format(Locale.ROOT, "%.2g", p);
    }
}
