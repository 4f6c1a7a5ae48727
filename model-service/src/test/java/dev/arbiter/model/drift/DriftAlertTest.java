package dev.arbiter.model.drift;

import static dev.arbiter.model.drift.Streams.MODEL;
import static dev.arbiter.model.drift.Streams.VERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arbiter.service.alerts.AlertSender;
import dev.arbiter.testing.MutableClock;
import dev.arbiter.testing.WebhookReceiver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drift alerts posted to a real local HTTP receiver. */
class DriftAlertTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-05T10:00:00Z"));
    private final WebhookReceiver receiver = new WebhookReceiver();
    private AlertSender sender;
    private DriftAlerter alerter;
    private DriftMonitor monitor;

    @BeforeEach
    void start() {
        TestDriftConfig config = TestDriftConfig.defaults();
        sender = new AlertSender(AlertSender.Settings.webhook(Optional.of(URI.create(receiver.url()))), null,
                "model-service", clock);
        alerter = new DriftAlerter(sender);
        monitor = new DriftMonitor(config, new SimpleMeterRegistry(), alerter, DriftTables.fresh(), clock);
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void aDriftedVersionIsAlertedOnceAcrossRepeatedEvaluations() throws Exception {
        Streams stream = new Streams(42).feed(monitor, 450);
        assertFalse(monitor.evaluate().get(0).drifted());

        stream.shiftFeatureA(1.0).feed(monitor, 300);
        for (int i = 0; i < 3; i++) {
            assertTrue(monitor.evaluate().get(0).drifted());
            clock.advance(Duration.ofSeconds(30));
        }
        sender.flush().get(10, TimeUnit.SECONDS);

        assertEquals(1, receiver.posts().size(), () -> "alerts: " + receiver.bodies());
        WebhookReceiver.Post r = receiver.posts().get(0);
        assertEquals("POST", r.method());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        JsonNode body = JSON.readTree(r.body());
        String text = body.get("text").asText();
        assertEquals("drift", body.get("event").asText());
        assertEquals(MODEL + " v" + VERSION, body.get("key").asText());
        assertTrue(text.contains("model `" + MODEL + "` version " + VERSION), text);
        assertTrue(text.contains("feature `a`"), text);
        assertFalse(text.contains("feature `b`") || text.contains("feature `c`") || text.contains("score"), text);
        assertTrue(text.contains("q=") && text.contains("PSI") && text.contains("KS p=") && text.contains("Mann-Whitney p="), text);
        assertTrue(text.contains("arbiter models drift --reset " + MODEL + " " + VERSION), text);
    }

    @Test
    void aNewDriftWithinTheCooldownIsNotAlertedAndOneAfterItIs() throws Exception {
        Streams stream = new Streams(42).feed(monitor, 300).shiftScore(1.0).feed(monitor, 300);
        monitor.evaluate();
        receiver.await(b -> true, 10);

        // Back to not drifted, then drifted again 10 minutes after the alert: within the 15-minute cooldown.
        driftAgain(stream, Duration.ofMinutes(10));
        // Still drifted once the cooldown has passed: no transition, so no alert.
        clock.advance(Duration.ofMinutes(10));
        assertTrue(monitor.evaluate().get(0).drifted());
        sender.flush().get(10, TimeUnit.SECONDS);
        assertEquals(1, receiver.posts().size());

        // A transition after the cooldown is alerted.
        driftAgain(stream, Duration.ofMinutes(1));
        sender.flush().get(10, TimeUnit.SECONDS);
        assertEquals(2, receiver.posts().size());
        assertTrue(receiver.bodies().get(1).contains("score"), receiver.bodies().get(1));
    }

    @Test
    void aFailingWebhookIsLoggedNotThrown() throws Exception {
        receiver.respondWith(500);
        new Streams(42).feed(monitor, 300).shiftFeatureA(1.0).feed(monitor, 300);

        assertTrue(monitor.evaluate().get(0).drifted());
        sender.flush().get(10, TimeUnit.SECONDS);

        assertEquals(1, receiver.posts().size());
    }

    @Test
    void anUnreachableWebhookIsLoggedNotThrown() throws Exception {
        receiver.close(); // nothing listens on the port any more
        new Streams(42).feed(monitor, 300).shiftFeatureA(1.0).feed(monitor, 300);

        assertTrue(monitor.evaluate().get(0).drifted());
        CompletableFuture<Void> sent = sender.flush();
        sent.get(10, TimeUnit.SECONDS);

        assertFalse(sent.isCompletedExceptionally());
        assertTrue(receiver.posts().isEmpty());
    }

    @Test
    void withoutAReceiverNothingIsSent() throws Exception {
        AlertSender none = new AlertSender(AlertSender.Settings.webhook(Optional.empty()), null, "model-service", clock);
        new Streams(1).feed(monitor, 1);
        DriftStatus s = monitor.status(MODEL, VERSION);

        assertEquals(AlertSender.Outcome.NO_RECEIVER, new DriftAlerter(none).alert(s).get(10, TimeUnit.SECONDS));
    }

    /** Resets the reference to the current stream (not drifted), then shifts its score again (drifted). */
    private void driftAgain(Streams stream, Duration after) throws Exception {
        clock.advance(after);
        monitor.reset(MODEL, VERSION, "refresh");
        stream.feed(monitor, 300);
        monitor.evaluate();
        stream.feed(monitor, 300);
        assertFalse(monitor.evaluate().get(0).drifted());
        stream.shiftScore(stream.scoreShift() + 1.0).feed(monitor, 300);
        assertTrue(monitor.evaluate().get(0).drifted());
    }
}
