package dev.arbiter.model.drift;

import static dev.arbiter.model.drift.Streams.MODEL;
import static dev.arbiter.model.drift.Streams.VERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.arbiter.service.alerts.AlertSender;
import dev.arbiter.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drift alerts posted to a real local HTTP receiver. */
class DriftAlertTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Received> first = new CompletableFuture<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-05T10:00:00Z"));
    private volatile int answer = 200;
    private HttpServer receiver;
    private AlertSender sender;
    private DriftAlerter alerter;
    private DriftMonitor monitor;

    record Received(String method, String contentType, String body) {
    }

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks/drift", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                Received r = new Received(exchange.getRequestMethod(),
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        new String(in.readAllBytes(), StandardCharsets.UTF_8));
                received.add(r);
                first.complete(r);
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        receiver.start();
        TestDriftConfig config = TestDriftConfig.defaults();
        sender = new AlertSender(AlertSender.Settings.webhook(Optional.of(URI.create(
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/drift"))), null, "model-service", clock);
        alerter = new DriftAlerter(sender);
        monitor = new DriftMonitor(config, new SimpleMeterRegistry(), alerter, DriftTables.fresh(), clock);
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
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

        Received r = first.get(10, TimeUnit.SECONDS);
        assertEquals(1, received.size(), () -> "alerts: " + received);
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
        first.get(10, TimeUnit.SECONDS);

        // Back to not drifted, then drifted again 10 minutes after the alert: within the 15-minute cooldown.
        driftAgain(stream, Duration.ofMinutes(10));
        // Still drifted once the cooldown has passed: no transition, so no alert.
        clock.advance(Duration.ofMinutes(10));
        assertTrue(monitor.evaluate().get(0).drifted());
        sender.flush().get(10, TimeUnit.SECONDS);
        assertEquals(1, received.size());

        // A transition after the cooldown is alerted.
        driftAgain(stream, Duration.ofMinutes(1));
        sender.flush().get(10, TimeUnit.SECONDS);
        assertEquals(2, received.size());
        assertTrue(received.get(1).body().contains("score"), received.get(1).body());
    }

    @Test
    void aFailingWebhookIsLoggedNotThrown() throws Exception {
        answer = 500;
        new Streams(42).feed(monitor, 300).shiftFeatureA(1.0).feed(monitor, 300);

        assertTrue(monitor.evaluate().get(0).drifted());
        sender.flush().get(10, TimeUnit.SECONDS);

        assertEquals(1, received.size());
    }

    @Test
    void anUnreachableWebhookIsLoggedNotThrown() throws Exception {
        receiver.stop(0); // nothing listens on the port any more
        new Streams(42).feed(monitor, 300).shiftFeatureA(1.0).feed(monitor, 300);

        assertTrue(monitor.evaluate().get(0).drifted());
        CompletableFuture<Void> sent = sender.flush();
        sent.get(10, TimeUnit.SECONDS);

        assertFalse(sent.isCompletedExceptionally());
        assertTrue(received.isEmpty());
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
