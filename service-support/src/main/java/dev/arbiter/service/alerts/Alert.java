package dev.arbiter.service.alerts;

/**
 * One thing a team should hear about.
 *
 * @param event what kind of thing happened
 * @param key what it is about, for deduplication: the same event and key within {@code arbiter.alerts.dedup-window}
 *     is sent once (e.g. "churn v2" for a drift, "feature-service" for a breaker)
 * @param title one line, the email's subject and the webhook message's first line
 * @param text the details, Slack mrkdwn (plain text reads well too)
 */
public record Alert(AlertEvent event, String key, String title, String text) {

    public Alert {
        if (event == null || key == null || title == null || text == null) {
            throw new IllegalArgumentException("an alert needs an event, a key, a title and a text");
        }
    }
}
