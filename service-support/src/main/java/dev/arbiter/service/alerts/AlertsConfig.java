package dev.arbiter.service.alerts;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where every service's alerts go ({@code arbiter.alerts.*}, the same keys in every service; see {@link AlertSender}).
 * Email also needs Quarkus' mailer: {@code quarkus.mailer.host}, {@code port}, {@code from}, and credentials.
 */
@ConfigMapping(prefix = "arbiter.alerts")
public interface AlertsConfig {

    /** Slack-compatible incoming webhook (env ARBITER_ALERTS_WEBHOOK_URL); absent: no webhook. Never logged. */
    Optional<URI> webhookUrl();

    /** Connect and response timeout of one webhook call. */
    @WithDefault("5s")
    Duration webhookTimeout();

    /** Email recipients (env ARBITER_ALERTS_EMAIL_TO, comma-separated); absent: no email. */
    Optional<List<String>> emailTo();

    /** Put before every email subject. */
    @WithDefault("[arbiter]")
    String emailSubjectPrefix();

    /** The same event about the same thing is sent once within this window; later ones are counted in the next. */
    @WithDefault("15m")
    Duration dedupWindow();

    /** At most this many alerts a minute leave one process; the rest are counted and reported with the next. */
    @WithDefault("20")
    int maxPerMinute();
}
