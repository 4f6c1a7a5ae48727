package dev.arbiter.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arbiter.service.alerts.Alert;
import dev.arbiter.service.alerts.AlertEvent;
import dev.arbiter.service.alerts.AlertSender;
import dev.arbiter.service.alerts.AlertSender.Outcome;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * service-support's shared alert sender against a real local HTTP receiver (here, beside the test clock it needs;
 * email is tested with GreenMail in model-service's DriftStatusRpcTest).
 */
class AlertSenderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final WebhookReceiver receiver = new WebhookReceiver();

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void anAlertArrivesAsSlackCompatibleJson() throws Exception {
        AlertSender sender = sender(Duration.ofMinutes(15), 20);

        Outcome o = sender.send(new Alert(AlertEvent.CIRCUIT_BREAKER_OPEN, "feature-service",
                "circuit to feature-service opened", "5 failures in 10 s")).get(10, TimeUnit.SECONDS);

        assertEquals(Outcome.SENT, o);
        assertEquals(1, receiver.posts().size());
        JsonNode body = JSON.readTree(receiver.bodies().get(0));
        assertEquals("*decision-service: circuit to feature-service opened*\n5 failures in 10 s", body.get("text").asText());
        assertEquals("circuit_breaker_open", body.get("event").asText());
        assertEquals("decision-service", body.get("service").asText());
        assertEquals("feature-service", body.get("key").asText());
    }

    @Test
    void theSameEventAndKeyIsSentOncePerWindowAndTheRepeatsAreCounted() throws Exception {
        AlertSender sender = sender(Duration.ofMinutes(15), 20);
        Alert drift = new Alert(AlertEvent.DRIFT, "churn v2", "drift of churn v2", "vol_10 q=0.001");

        assertEquals(Outcome.SENT, sender.send(drift).get(10, TimeUnit.SECONDS));
        clock.advance(Duration.ofMinutes(5));
        assertEquals(Outcome.DEDUPLICATED, sender.send(drift).get(10, TimeUnit.SECONDS));
        assertEquals(Outcome.DEDUPLICATED, sender.send(drift).get(10, TimeUnit.SECONDS));
        // Another key, or another event about the same key, is not a repeat.
        assertEquals(Outcome.SENT, sender.send(new Alert(AlertEvent.DRIFT, "churn v3", "drift of churn v3", "x"))
                .get(10, TimeUnit.SECONDS));
        assertEquals(Outcome.SENT, sender.send(new Alert(AlertEvent.RETRAINING, "churn v2", "retrained", "x"))
                .get(10, TimeUnit.SECONDS));
        clock.advance(Duration.ofMinutes(10));
        assertEquals(Outcome.SENT, sender.send(drift).get(10, TimeUnit.SECONDS));

        assertEquals(4, receiver.posts().size());
        String last = JSON.readTree(receiver.bodies().get(3)).get("text").asText();
        assertTrue(last.endsWith("(2 more of this alert within 15 min were not sent)"), last);
        assertEquals(2L, sender.counts().get(Outcome.DEDUPLICATED));
        assertEquals(4L, sender.counts().get(Outcome.SENT));
    }

    @Test
    void aBurstIsCutAtTheRateLimitAndTheDropsAreReportedWithTheNextAlert() throws Exception {
        AlertSender sender = sender(Duration.ZERO, 3);

        int sent = 0;
        for (int i = 0; i < 10; i++) {
            Outcome o = sender.send(new Alert(AlertEvent.DRAWDOWN_BRAKE, "series-" + i, "brake", "x")).get(10, TimeUnit.SECONDS);
            sent += o == Outcome.SENT ? 1 : 0;
        }
        assertEquals(3, sent);
        assertEquals(7L, sender.counts().get(Outcome.RATE_LIMITED));
        clock.advance(Duration.ofSeconds(20)); // a third of a minute refills one of three
        assertEquals(Outcome.SENT, sender.send(new Alert(AlertEvent.PROMOTION, "p", "promoted", "v7")).get(10, TimeUnit.SECONDS));
        assertEquals(Outcome.RATE_LIMITED, sender.send(new Alert(AlertEvent.PROMOTION, "q", "promoted", "v8"))
                .get(10, TimeUnit.SECONDS));

        String text = JSON.readTree(receiver.bodies().get(3)).get("text").asText();
        assertTrue(text.endsWith("(7 other alert(s) were dropped over the limit of 3 a minute; see this service's log)"), text);
    }

    @Test
    void aFailingOrUnreachableWebhookIsLoggedNotThrown() throws Exception {
        receiver.respondWith(500);
        AlertSender sender = sender(Duration.ZERO, 20);
        assertEquals(Outcome.SENT, sender.send(new Alert(AlertEvent.ROLLBACK, "a", "rolled back", "x")).get(10, TimeUnit.SECONDS));
        assertEquals(1, receiver.posts().size());

        receiver.close();
        assertEquals(Outcome.SENT, sender.send(new Alert(AlertEvent.ROLLBACK, "b", "rolled back", "x")).get(10, TimeUnit.SECONDS));
    }

    @Test
    void withoutAReceiverAlertsAreLoggedOnly() throws Exception {
        AlertSender sender = new AlertSender(new AlertSender.Settings(Optional.empty(), Duration.ofSeconds(5), List.of(),
                "[arbiter]", Duration.ZERO, 20), null, "model-service", clock);

        assertEquals(Outcome.NO_RECEIVER, sender.send(new Alert(AlertEvent.DRIFT, "a", "t", "x")).get(10, TimeUnit.SECONDS));
        assertTrue(receiver.posts().isEmpty());
    }

    private AlertSender sender(Duration dedup, int perMinute) {
        URI hook = URI.create(receiver.url());
        return new AlertSender(new AlertSender.Settings(Optional.of(hook), Duration.ofSeconds(5), List.of(), "[arbiter]",
                dedup, perMinute), null, "decision-service", clock);
    }
}
