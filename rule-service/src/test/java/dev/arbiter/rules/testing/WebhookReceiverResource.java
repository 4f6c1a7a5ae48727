package dev.arbiter.rules.testing;

import dev.arbiter.testing.WebhookReceiver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A Slack-compatible webhook endpoint for rule-service's alerts (test-support's {@link WebhookReceiver}). Slack itself
 * is out of reach of these machines; what rule-service sends is what is checked.
 */
public class WebhookReceiverResource implements QuarkusTestResourceLifecycleManager {

    private static volatile WebhookReceiver receiver;

    @Override
    public Map<String, String> start() {
        receiver = new WebhookReceiver();
        return Map.of("arbiter.alerts.webhook-url", receiver.url());
    }

    /** The first body posted since the last wait that contains {@code text}; fails after 10 s without. */
    public static String awaitBody(String text) throws InterruptedException {
        return receiver.await(body -> body.contains(text), 10);
    }

    @Override
    public void stop() {
        if (receiver != null) {
            receiver.close();
        }
    }
}
