package dev.arbiter.decision.risk;

import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.engine.policy.RiskManager;
import dev.arbiter.service.alerts.Alert;
import dev.arbiter.service.alerts.AlertEvent;
import dev.arbiter.service.alerts.AlertSender;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Alerts when the portfolio's drawdown brake engages: once when sizes start being cut (drawdown past
 * {@code risk.drawdown_soft}) and once more when new actions halt ({@code risk.drawdown_limit}); nothing while it
 * stays engaged, and it re-arms when the drawdown falls back below the soft level. Called on the decision path with
 * the drawdown each decision read: O(1), one compare-and-set on a change of level, the alert itself asynchronous.
 * The level is per replica (each replica reads the same portfolio drawdown from Redis), so N replicas send N alerts
 * per engagement, each deduplicated by the shared sender.
 */
@ApplicationScoped
public class DrawdownBrakeAlerts {

    /** How far the brake is engaged. */
    public enum Level {
        /** Drawdown at or below the soft level: full sizes. */
        OFF,
        /** Between soft and limit: sizes cut linearly. */
        CUTTING,
        /** At or past the limit: no new actions. */
        HALTED
    }

    private final AlertSender alerts;
    private final AtomicReference<Level> level = new AtomicReference<>(Level.OFF);

    public DrawdownBrakeAlerts(AlertSender alerts) {
        this.alerts = alerts;
    }

    /** The level the last decision saw. */
    public Level level() {
        return level.get();
    }

    /** Records the drawdown a decision read under its parameters; alerts when the brake engages further. */
    public void observe(double drawdown, PolicyParameters p) {
        double factor = RiskManager.brakeFactor(p, drawdown);
        Level now = factor >= 1 ? Level.OFF : factor <= 0 ? Level.HALTED : Level.CUTTING;
        Level before = level.get();
        if (now == before || !level.compareAndSet(before, now) || now.compareTo(before) < 0) {
            return;
        }
        double soft = p.get(PolicyParameter.RISK_DRAWDOWN_SOFT);
        double limit = p.get(PolicyParameter.RISK_DRAWDOWN_LIMIT);
        String text = String.format(Locale.ROOT, now == Level.HALTED
                        ? "The portfolio's drawdown is %.2f %%, at or past risk.drawdown_limit (%.2f %%): no new actions"
                        + " until it recovers below the limit. Open positions are untouched."
                        : "The portfolio's drawdown is %.2f %%, past risk.drawdown_soft (%.2f %%, limit %.2f %%):"
                        + " new sizes are multiplied by %.2f, falling to 0 at the limit.",
                100 * drawdown, 100 * (now == Level.HALTED ? limit : soft), 100 * limit, factor);
        alerts.send(new Alert(AlertEvent.DRAWDOWN_BRAKE, "portfolio " + now.name().toLowerCase(Locale.ROOT),
                now == Level.HALTED ? "drawdown brake: new actions halted" : "drawdown brake engaged", text));
    }
}
