package dev.arbiter.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
 * The webhook half of {@link dev.arbiter.service.alerts.AlertSender}: posts JSON bodies with a {@code "text"} field to a
 * Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat and Teams' Slack-compatible endpoints accept it). Asynchronous with a timeout; a failure is logged, never thrown.
 * The webhook URL carries a secret in Slack's case, so it is never logged. Without a URL every alert is a no-op
 * (the caller still logs what happened).
 */
public final class WebhookAlerts {

    private static final Logger LOG = Logger.getLogger(WebhookAlerts.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Optional<URI> webhook;
    private final Duration timeout;
    private final HttpClient http;
    private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();

    public WebhookAlerts(Optional<URI> webhook, Duration timeout) {
        this.webhook = webhook;
        this.timeout = timeout;
        this.http = webhook.isPresent() ? HttpClient.newBuilder().connectTimeout(timeout).build() : null;
    }

    /**
     * Posts a JSON body already made ({@link #json(Map)}); no-op without a webhook. Never throws.
     *
     * @return completes (normally, even on failure) when the webhook answered, failed or timed out
     */
    public CompletableFuture<Void> post(String what, String body) {
        if (webhook.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(webhook.get())
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            CompletableFuture<Void> sent = http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .handle((response, error) -> {
                        if (error != null) {
                            Throwable cause = error instanceof CompletionException && error.getCause() != null
                                    ? error.getCause() : error;
                            LOG.warnf("Alert (%s) not delivered: %s", what, cause.toString());
                        } else if (response.statusCode() / 100 != 2) {
                            LOG.warnf("Alert (%s) not delivered: the webhook answered HTTP %d", what, response.statusCode());
                        } else {
                            LOG.infof("Alert (%s) delivered", what);
                        }
                        return null;
                    });
            inFlight.add(sent);
            sent.whenComplete((ignored, error) -> inFlight.remove(sent));
            return sent;
        } catch (RuntimeException e) {
            LOG.warnf("Alert (%s) not sent: %s", what, e.toString());
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Completes when every alert sent so far has been answered, failed or timed out. */
    public CompletableFuture<Void> flush() {
        return CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0]));
    }

    /** Gives alerts still in flight their timeout to finish (call at shutdown). */
    public void drain() {
        try {
            flush().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("%d alert(s) still in flight at shutdown", inFlight.size());
        }
    }

    /** A webhook body of string fields, e.g. {@code {"text": ..., "event": ...}}. */
    public static String json(Map<String, String> fields) {
        try {
            return JSON.writeValueAsString(new java.util.TreeMap<>(fields));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }
}
