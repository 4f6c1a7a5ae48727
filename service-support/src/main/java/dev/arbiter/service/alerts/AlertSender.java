package dev.arbiter.service.alerts;

import dev.arbiter.service.WebhookAlerts;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The one alert sender of every Arbiter service: drift, circuit breakers, the drawdown brake, promotions and
 * rollbacks, retraining results, the decision log and rule proposals all go through it to a Slack-compatible webhook
 * ({@code {"text": ..., "event": ..., "service": ..., "key": ...}}) and by email (Quarkus' mailer), as configured
 * ({@link AlertsConfig}).
 *
 * <ul>
 *   <li><b>Deduplicated</b>: the same event and key within {@code dedup-window} is sent once; the suppressed ones are
 *       counted and the count is said in the next one sent for that key.</li>
 *   <li><b>Rate-limited</b>: at most {@code max-per-minute} alerts leave the process a minute (a token bucket); the
 *       ones over it are dropped, logged and reported in the next one sent.</li>
 *   <li>Asynchronous with a timeout, never throws; a failure is logged without the webhook URL (a secret in Slack's
 *       case) or the recipients.</li>
 * </ul>
 * Deduplication is per process. Where several replicas see the same event the caller claims it first (drift is
 * claimed in PostgreSQL by one replica).
 */
@ApplicationScoped
public class AlertSender {

    private static final Logger LOG = Logger.getLogger(AlertSender.class);

    /** What became of one alert. */
    public enum Outcome {
        /** Handed to every configured receiver. */
        SENT,
        /** The same event and key was sent within the dedup window. */
        DEDUPLICATED,
        /** Over the rate limit. */
        RATE_LIMITED,
        /** Neither a webhook nor email is configured; logged only. */
        NO_RECEIVER
    }

    /**
     * Plain settings, so the sender runs outside Quarkus too (tests, the CLI).
     *
     * @param emailTo empty: no email
     */
    public record Settings(
            Optional<URI> webhookUrl, Duration webhookTimeout, List<String> emailTo, String emailSubjectPrefix,
            Duration dedupWindow, int maxPerMinute) {

        public Settings {
            emailTo = List.copyOf(emailTo);
            if (maxPerMinute < 1) {
                throw new IllegalArgumentException("arbiter.alerts.max-per-minute is " + maxPerMinute + "; set at least 1");
            }
            if (dedupWindow.isNegative()) {
                throw new IllegalArgumentException("arbiter.alerts.dedup-window is " + dedupWindow
                        + "; set a duration, 0 to send every alert");
            }
        }

        /** A webhook (or none) and the defaults: 5 s timeout, no email, a 15-minute dedup window, 20 a minute. */
        public static Settings webhook(Optional<URI> url) {
            return new Settings(url, Duration.ofSeconds(5), List.of(), "[arbiter]", Duration.ofMinutes(15), 20);
        }

        static Settings of(AlertsConfig c) {
            return new Settings(c.webhookUrl(), c.webhookTimeout(), c.emailTo().orElse(List.of()), c.emailSubjectPrefix(),
                    c.dedupWindow(), c.maxPerMinute());
        }
    }

    private final Settings settings;
    private final String service;
    private final WebhookAlerts webhook;
    private final ReactiveMailer mailer;
    private final Clock clock;
    private final Map<String, Long> lastSentMillis = new HashMap<>();
    private final Map<String, Integer> suppressed = new HashMap<>();
    private final Map<Outcome, Long> counts = new LinkedHashMap<>();
    private double tokens;
    private long tokensAtMillis;
    private int rateLimited;

    @Inject
    public AlertSender(AlertsConfig config, ReactiveMailer mailer,
                       @ConfigProperty(name = "quarkus.application.name", defaultValue = "arbiter") String service) {
        this(Settings.of(config), mailer, service, Clock.systemUTC());
    }

    /**
     * @param mailer null when email is not configured
     */
    public AlertSender(Settings settings, ReactiveMailer mailer, String service, Clock clock) {
        if (!settings.emailTo().isEmpty() && mailer == null) {
            throw new IllegalArgumentException("arbiter.alerts.email-to is set but no mailer is available");
        }
        this.settings = settings;
        this.service = service;
        this.webhook = new WebhookAlerts(settings.webhookUrl(), settings.webhookTimeout());
        this.mailer = mailer;
        this.clock = clock;
        this.tokens = settings.maxPerMinute();
        this.tokensAtMillis = clock.millis();
        for (Outcome o : Outcome.values()) {
            counts.put(o, 0L);
        }
    }

    /**
     * Sends one alert, unless it repeats one sent within the dedup window or the rate limit is spent. Never throws.
     *
     * @return what became of it; the future completes when every receiver answered, failed or timed out
     */
    public CompletableFuture<Outcome> send(Alert alert) {
        String text;
        synchronized (this) {
            long now = clock.millis();
            String key = alert.event() + " " + alert.key();
            Long last = lastSentMillis.get(key);
            if (last != null && now - last < settings.dedupWindow().toMillis()) {
                suppressed.merge(key, 1, Integer::sum);
                return done(Outcome.DEDUPLICATED);
            }
            refill(now);
            if (tokens < 1.0) {
                rateLimited++;
                LOG.warnf("Alert not sent (over %d a minute): %s %s: %s", settings.maxPerMinute(),
                        name(alert.event()), alert.key(), alert.title());
                return done(Outcome.RATE_LIMITED);
            }
            tokens -= 1.0;
            lastSentMillis.put(key, now);
            text = alert.text() + notes(suppressed.remove(key));
        }
        if (settings.webhookUrl().isEmpty() && settings.emailTo().isEmpty()) {
            LOG.infof("Alert (no receiver configured): %s: %s", name(alert.event()), alert.title());
            return done(Outcome.NO_RECEIVER);
        }
        String what = name(alert.event()) + " " + alert.key();
        CompletableFuture<Void> posted = webhook.post(what, WebhookAlerts.json(Map.of(
                "text", "*" + service + ": " + alert.title() + "*\n" + text,
                "event", name(alert.event()),
                "service", service,
                "key", alert.key())));
        CompletableFuture<Void> mailed = email(what, alert, text);
        return CompletableFuture.allOf(posted, mailed).thenApply(ignored -> count(Outcome.SENT));
    }

    /** How many alerts ended each way since start. */
    public synchronized Map<Outcome, Long> counts() {
        return Map.copyOf(counts);
    }

    /** Completes when every webhook call made so far has been answered, failed or timed out. */
    public CompletableFuture<Void> flush() {
        return webhook.flush();
    }

    /** Gives alerts still in flight their timeout to finish. */
    @PreDestroy
    void drain() {
        webhook.drain();
    }

    private CompletableFuture<Void> email(String what, Alert alert, String text) {
        if (settings.emailTo().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            Mail mail = new Mail()
                    .setTo(settings.emailTo())
                    .setSubject(settings.emailSubjectPrefix() + " " + service + ": " + alert.title())
                    .setText(text + "\n\n-- \nevent " + name(alert.event()) + ", about " + alert.key() + ", from " + service);
            return mailer.send(mail)
                    .ifNoItem().after(settings.webhookTimeout()).fail()
                    .subscribeAsCompletionStage()
                    .handle((ok, error) -> {
                        if (error != null) {
                            LOG.warnf("Alert (%s) not emailed: %s", what, error.toString());
                        } else {
                            LOG.infof("Alert (%s) emailed", what);
                        }
                        return (Void) null;
                    })
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            LOG.warnf("Alert (%s) not emailed: %s", what, e.toString());
            return CompletableFuture.completedFuture(null);
        }
    }

    /** What was held back before this alert, said at its end. */
    private String notes(Integer suppressedForKey) {
        StringBuilder b = new StringBuilder();
        if (suppressedForKey != null) {
            b.append("\n(").append(suppressedForKey).append(" more of this alert within ")
                    .append(human(settings.dedupWindow())).append(" were not sent)");
        }
        if (rateLimited > 0) {
            b.append("\n(").append(rateLimited).append(" other alert(s) were dropped over the limit of ")
                    .append(settings.maxPerMinute()).append(" a minute; see this service's log)");
            rateLimited = 0;
        }
        return b.toString();
    }

    private void refill(long now) {
        double perMilli = settings.maxPerMinute() / (double) TimeUnit.MINUTES.toMillis(1);
        tokens = Math.min(settings.maxPerMinute(), tokens + (now - tokensAtMillis) * perMilli);
        tokensAtMillis = now;
    }

    private CompletableFuture<Outcome> done(Outcome o) {
        return CompletableFuture.completedFuture(count(o));
    }

    private synchronized Outcome count(Outcome o) {
        counts.merge(o, 1L, Long::sum);
        return o;
    }

    private static String name(AlertEvent e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static String human(Duration d) {
        return d.toMinutes() > 0 && d.toSecondsPart() == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
