package dev.arbiter.rules.backtest;

import dev.arbiter.proto.v1.PerformanceMetrics;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The multiple-testing-aware verdict on a backtested proposal: the deflated Sharpe ratio of Bailey and Lopez de Prado
 * (2014), with the live rules' Sharpe ratio as the benchmark. Over T decisions, with N proposals tried on the same
 * window (this one included) whose Sharpe ratios vary by V:
 *
 * <pre>
 *   E[max] = sqrt(V) * ((1 - g) * Q(1 - 1/N) + g * Q(1 - 1/(N e)))     (g: Euler-Mascheroni; 0 when N = 1)
 *   DSR    = P( (SR - SR_live - E[max]) * sqrt(T - 1) / sqrt(1 + SR^2 / 2) )
 * </pre>
 *
 * (P, Q: the standard normal's distribution and quantile functions; returns taken as normal, so skewness 0 and
 * kurtosis 3). V is the sample variance of the Sharpe ratios tried, and never below 1/(T - 1), the variance of one
 * Sharpe ratio's estimate under the null. E[max] is what the best of N useless proposals would beat the live rules by;
 * it grows with every proposal tested on the window, so a thousand proposals cannot pass by chance. Better means a
 * DSR at or above the configured level and, "at equal wins", no more than the tolerated share of the live rules' wins
 * given up.
 */
public final class DeflatedSharpe {

    private static final double EULER_GAMMA = 0.5772156649015329;
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    /** The verdict: better or not, the DSR, and one line saying why. */
    public record Verdict(boolean better, double deflatedSharpe, String verdict) {}

    private DeflatedSharpe() {}

    /**
     * @param tried the Sharpe ratios of the proposals tested on this window before this one
     */
    public static Verdict compare(PerformanceMetrics candidate, PerformanceMetrics live, List<Double> tried,
                                  double winsTolerance, double level) {
        long t = candidate.getDecisionCount();
        double sr = candidate.getSharpe();
        int n = tried.size() + 1;
        double dsr = 0;
        if (t >= 2) {
            double mean = sr;
            for (double x : tried) {
                mean += x;
            }
            mean /= n;
            double v = (sr - mean) * (sr - mean);
            for (double x : tried) {
                v += (x - mean) * (x - mean);
            }
            v = n > 1 ? v / (n - 1) : 0;
            v = Math.max(v, 1.0 / (t - 1));
            double expectedMax = n == 1 ? 0 : Math.sqrt(v) * ((1 - EULER_GAMMA) * NORMAL.inverseCumulativeProbability(1 - 1.0 / n)
                    + EULER_GAMMA * NORMAL.inverseCumulativeProbability(1 - 1.0 / (n * Math.E)));
            dsr = NORMAL.cumulativeProbability((sr - live.getSharpe() - expectedMax) * Math.sqrt(t - 1)
                    / Math.sqrt(1 + sr * sr / 2));
        }
        long wins = wins(candidate);
        long liveWins = wins(live);
        boolean equalWins = wins >= Math.ceil((1 - winsTolerance) * liveWins);
        boolean better = equalWins && dsr >= level && candidate.getActionCount() > 0;
        String verdict = String.format(Locale.ROOT, "deflated Sharpe %.3f (needs %.2f): Sharpe %.4f vs the live rules' %.4f "
                        + "over %d decisions, %d proposal(s) tried on this window before; wins %d vs %d (%s), false positives "
                        + "%d vs %d", dsr, level, sr, live.getSharpe(), t, tried.size(), wins, liveWins,
                equalWins ? "at most " + Math.round(winsTolerance * 100) + "% fewer" : "too many fewer",
                candidate.getFalsePositiveActions(), live.getFalsePositiveActions());
        return new Verdict(better, dsr, verdict);
    }

    /** Acted decisions that did not lose. */
    static long wins(PerformanceMetrics m) {
        return m.getActionCount() - m.getFalsePositiveActions();
    }
}
