package dev.arbiter.cli.demo;

import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.Direction;
import dev.arbiter.proto.v1.Observation;
import dev.arbiter.proto.v1.OutcomeStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Turns a finished replay into the demo's steps and summary. */
final class DemoResults {

    private DemoResults() {
    }

    /** One step per decided observation, in order; refused observations have none. */
    static List<DemoStep> steps(List<Observation> replayed, Replay replay, int[] baseline) {
        List<DemoStep> steps = new ArrayList<>();
        for (int i = 0; i < replayed.size(); i++) {
            Decision d = replay.decisions[i];
            if (d == null) {
                continue;
            }
            boolean joined = replay.outcomes[i] == OutcomeStatus.OUTCOME_STATUS_JOINED;
            steps.add(new DemoStep(d.getTsMicros(), replayed.get(i).getValue(), direction(d.getDirection()), d.getSize(),
                    d.getConfidence(), d.getEnsembleProbability(), d.getDegraded(), replay.latencyMillis[i],
                    replay.realisedReturn[i], joined ? replay.pnl[i] : 0, baseline[i]));
        }
        return steps;
    }

    static int direction(Direction d) {
        return d == Direction.DIRECTION_LONG ? 1 : d == Direction.DIRECTION_SHORT ? -1 : 0;
    }

    /** Counts, hit rate, false positives of both sides on the same settled steps, pnl and latency percentiles. */
    static DemoSummary summary(String series, int horizon, List<DemoStep> steps, Replay replay, String baselineModel,
            List<String> models) {
        long actions = 0;
        long settled = 0;
        long hits = 0;
        long falsePositives = 0;
        long baselineActions = 0;
        long baselineFalse = 0;
        long degraded = 0;
        double pnl = 0;
        for (DemoStep s : steps) {
            actions += s.acted() ? 1 : 0;
            degraded += s.degraded() ? 1 : 0;
            pnl += s.pnl();
            if (!s.settled()) {
                continue;
            }
            if (s.acted()) {
                settled++;
                hits += s.falsePositive() ? 0 : 1;
                falsePositives += s.falsePositive() ? 1 : 0;
            }
            baselineActions += s.baseline() != 0 ? 1 : 0;
            baselineFalse += s.baselineFalsePositive() ? 1 : 0;
        }
        long joined = Arrays.stream(replay.outcomes).filter(o -> o == OutcomeStatus.OUTCOME_STATUS_JOINED).count();
        double[] latencies = steps.stream().mapToDouble(DemoStep::latencyMillis).sorted().toArray();
        return new DemoSummary(series, horizon, steps.size(), actions, settled, hits, falsePositives, baselineModel,
                baselineActions, baselineFalse, degraded, joined, pnl, percentile(latencies, 0.50),
                percentile(latencies, 0.99), latencies.length == 0 ? Double.NaN : latencies[latencies.length - 1], models);
    }

    /** The nearest-rank percentile of sorted values; NaN for none. */
    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
