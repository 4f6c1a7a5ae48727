package dev.arbiter.cli.demo;

import java.util.List;

/**
 * What the demo measured over the replay.
 *
 * @param series            the live series id decided on
 * @param horizon           observations between a decision and its outcome
 * @param decisions         decisions received
 * @param actions           LONG or SHORT decisions
 * @param settledActions    actions whose outcome was known and joined
 * @param hits              settled actions whose direction the realised return confirmed
 * @param falsePositives    settled actions the realised return contradicted
 * @param baselineModel     the single model the baseline acts on ("gbt-demo v3")
 * @param baselineActions   the baseline's actions on the same settled steps
 * @param baselineFalsePositives the baseline's contradicted actions
 * @param degraded          degraded decisions
 * @param outcomesJoined    outcomes decision-service joined
 * @param pnl               sum of joined pnl, fraction of capital
 * @param p50Millis         median client-observed decision latency
 * @param p99Millis         99th percentile client-observed decision latency
 * @param maxMillis         slowest decision
 * @param models            "name vN kind: validation Brier b, AUC a", one per trained member
 */
public record DemoSummary(String series, int horizon, long decisions, long actions, long settledActions, long hits,
        long falsePositives, String baselineModel, long baselineActions, long baselineFalsePositives, long degraded,
        long outcomesJoined, double pnl, double p50Millis, double p99Millis, double maxMillis, List<String> models) {

    /** Hits over settled actions; NaN without any. */
    public double hitRate() {
        return settledActions == 0 ? Double.NaN : (double) hits / settledActions;
    }
}
