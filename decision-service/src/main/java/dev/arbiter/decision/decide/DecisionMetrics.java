package dev.arbiter.decision.decide;

import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.Direction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The decide path's meters: {@code arbiter.decision.stage} (histogram per stage: features, models, policy, log),
 * {@code arbiter.decision.latency} (request received to decision acknowledged), {@code arbiter.decision.decisions}
 * (by direction and degraded) and {@code arbiter.decision.duplicates}.
 */
@ApplicationScoped
public class DecisionMetrics {

    /** The timed stages of one decision. */
    public enum Stage { FEATURES, MODELS, POLICY, LOG }

    private final Map<Stage, Timer> stages = new EnumMap<>(Stage.class);
    private final Timer total;
    private final Map<Direction, Counter> decided = new EnumMap<>(Direction.class);
    private final Map<Direction, Counter> degraded = new EnumMap<>(Direction.class);
    private final Counter duplicates;

    public DecisionMetrics(MeterRegistry registry) {
        for (Stage s : Stage.values()) {
            stages.put(s, Timer.builder("arbiter.decision.stage")
                    .description("Time spent in one stage of the decision path")
                    .tag("stage", s.name().toLowerCase())
                    .publishPercentileHistogram()
                    .register(registry));
        }
        total = Timer.builder("arbiter.decision.latency")
                .description("From request received to decision acknowledged (logged durably)")
                .publishPercentileHistogram()
                .register(registry);
        for (Direction d : new Direction[] {Direction.DIRECTION_LONG, Direction.DIRECTION_SHORT, Direction.DIRECTION_FLAT}) {
            String name = d.name().substring("DIRECTION_".length()).toLowerCase();
            decided.put(d, counter(registry, name, false));
            degraded.put(d, counter(registry, name, true));
        }
        duplicates = Counter.builder("arbiter.decision.duplicates")
                .description("Observations already decided, answered with the original decision")
                .register(registry);
    }

    private static Counter counter(MeterRegistry registry, String direction, boolean degraded) {
        return Counter.builder("arbiter.decision.decisions")
                .description("Decisions made and logged")
                .tag("direction", direction)
                .tag("degraded", Boolean.toString(degraded))
                .register(registry);
    }

    public void stage(Stage stage, long nanos) {
        stages.get(stage).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void decided(Decision d, long totalNanos) {
        total.record(totalNanos, TimeUnit.NANOSECONDS);
        Counter c = (d.getDegraded() ? degraded : decided).get(d.getDirection());
        if (c != null) {
            c.increment();
        }
    }

    public void duplicate() {
        duplicates.increment();
    }
}
