package dev.arbiter.decision.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.service.alerts.AlertSender;
import dev.arbiter.testing.WebhookReceiver;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The drawdown brake's alerts, posted to a real HTTP receiver (soft 5 %, limit 15 %: the defaults). */
class DrawdownBrakeAlertsTest {

    private final WebhookReceiver receiver = new WebhookReceiver();
    private final AlertSender sender = new AlertSender(new AlertSender.Settings(Optional.of(URI.create(receiver.url())),
            Duration.ofSeconds(5), List.of(), "[arbiter]", Duration.ZERO, 100), null, "decision-service", Clock.systemUTC());
    private final DrawdownBrakeAlerts brake = new DrawdownBrakeAlerts(sender);
    private final PolicyParameters p = PolicyParameters.defaults();

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void alertsOnceWhenSizesAreCutOnceWhenActionsHaltAndAgainAfterARecovery() throws Exception {
        brake.observe(0.01, p);
        brake.observe(0.05, p);
        assertEquals(DrawdownBrakeAlerts.Level.OFF, brake.level());

        brake.observe(0.08, p);
        brake.observe(0.09, p);
        brake.observe(0.10, p);
        assertEquals(DrawdownBrakeAlerts.Level.CUTTING, brake.level());
        String cut = receiver.await(b -> b.contains("drawdown brake engaged"), 10);
        assertTrue(cut.contains("\"event\":\"drawdown_brake\"") && cut.contains("8.00 %") && cut.contains("multiplied by 0.70"), cut);

        brake.observe(0.16, p);
        brake.observe(0.20, p);
        String halt = receiver.await(b -> b.contains("new actions halted"), 10);
        assertTrue(halt.contains("16.00 %, at or past risk.drawdown_limit (15.00 %)"), halt);

        brake.observe(0.12, p); // partly back: still cutting, nothing new
        brake.observe(0.02, p); // recovered: re-armed
        assertEquals(DrawdownBrakeAlerts.Level.OFF, brake.level());
        brake.observe(0.06, p);
        receiver.await(b -> b.contains("drawdown brake engaged") && b.contains("6.00 %"), 10);
        sender.flush().get();
        assertEquals(3, receiver.bodies().size(), () -> receiver.bodies().toString());
    }
}
