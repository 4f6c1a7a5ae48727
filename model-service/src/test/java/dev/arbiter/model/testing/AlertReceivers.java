package dev.arbiter.model.testing;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.arbiter.testing.WebhookReceiver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Real alert receivers for every Quarkus test of model-service: an SMTP server (GreenMail) and an HTTP receiver for the
 * Slack-compatible webhook, on free ports, wired in through {@code quarkus.mailer.*} and {@code arbiter.alerts.*}.
 * Registered once for the whole module ({@code @QuarkusTestResource} on {@link AlertReceiversResource}).
 */
public final class AlertReceivers implements QuarkusTestResourceLifecycleManager {

    public static final String TEAM = "team@arbiter.test";

    private static GreenMail smtp;
    private static WebhookReceiver webhook;

    @Override
    public Map<String, String> start() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        webhook = new WebhookReceiver();
        return Map.of(
                "quarkus.mailer.mock", "false",
                "quarkus.mailer.host", "127.0.0.1",
                "quarkus.mailer.port", Integer.toString(smtp.getSmtp().getPort()),
                "quarkus.mailer.from", "arbiter@arbiter.test",
                "quarkus.mailer.start-tls", "DISABLED",
                "quarkus.mailer.tls", "false",
                "arbiter.alerts.email-to", TEAM,
                "arbiter.alerts.webhook-url", webhook.url());
    }

    @Override
    public void stop() {
        if (webhook != null) {
            webhook.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    /** Waits for an email matching {@code matches}, or fails after {@code seconds}. */
    public static MimeMessage awaitEmail(Predicate<MimeMessage> matches, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int seen = 0;
        while (System.nanoTime() < end) {
            // blocks until one more message arrived (or 200 ms passed), then looks at the new ones
            smtp.waitForIncomingEmail(200, seen + 1);
            MimeMessage[] all = smtp.getReceivedMessages();
            for (int i = seen; i < all.length; i++) {
                if (matches.test(all[i])) {
                    return all[i];
                }
            }
            seen = all.length;
        }
        throw new AssertionError("no matching email within " + seconds + " s; received "
                + List.of(smtp.getReceivedMessages()).size());
    }

    /** Waits for a webhook body matching {@code matches}, or fails after {@code seconds}. */
    public static String awaitPost(Predicate<String> matches, int seconds) throws InterruptedException {
        return webhook.await(matches, seconds);
    }
}
