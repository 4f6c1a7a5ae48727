package dev.arbiter.engine.features;

/**
 * Reference computations from plain arrays, written independently of the streaming code: every rolling feature at
 * observation {@code i} recomputed from scratch over its window with two-pass (centred) formulas.
 */
final class TwoPass {

    private TwoPass() {
    }

    /** Mean of {@code close[i-m+1..i]} with {@code m = min(n, i+1)}: sum, then a centring correction pass. */
    static double sma(double[] close, int i, int n) {
        int from = Math.max(0, i - n + 1);
        int m = i - from + 1;
        double s = 0;
        for (int j = from; j <= i; j++) {
            s += close[j];
        }
        double mean = s / m;
        double corr = 0;
        for (int j = from; j <= i; j++) {
            corr += close[j] - mean;
        }
        return mean + corr / m;
    }

    /** Central moments {m2, m3, m4} (population) of the last {@code min(n, i)} log returns ending at {@code i}. */
    static double[] returnMoments(double[] close, int i, int n) {
        int from = Math.max(1, i - n + 1);
        int m = i - from + 1;
        double s = 0;
        for (int j = from; j <= i; j++) {
            s += Math.log(close[j] / close[j - 1]);
        }
        double mean = s / m;
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        for (int j = from; j <= i; j++) {
            double d = Math.log(close[j] / close[j - 1]) - mean;
            m2 += d * d;
            m3 += d * d * d;
            m4 += d * d * d * d;
        }
        return new double[] {m2 / m, m3 / m, m4 / m};
    }

    static double vol(double[] close, int i, int n) {
        return Math.sqrt(returnMoments(close, i, n)[0]);
    }

    static double skew(double[] close, int i, int n) {
        double[] m = returnMoments(close, i, n);
        return m[0] == 0 ? 0 : m[1] / Math.pow(m[0], 1.5);
    }

    static double kurt(double[] close, int i, int n) {
        double[] m = returnMoments(close, i, n);
        return m[0] == 0 ? 0 : m[2] / (m[0] * m[0]) - 3.0;
    }

    /** Short over long volatility; 1 when the long one is 0 (then so is the short one). */
    static double volCluster(double[] close, int i, int shortWindow, int longWindow) {
        double l = vol(close, i, longWindow);
        return l > 0 ? vol(close, i, shortWindow) / l : 1.0;
    }

    static double lagged(double[] close, int i, int n) {
        return close[Math.max(0, i - n)];
    }

    static double efficiencyRatio(double[] close, int i, int n) {
        double path = 0;
        for (int j = Math.max(1, i - n + 1); j <= i; j++) {
            path += Math.abs(close[j] - close[j - 1]);
        }
        return path > 0 ? Math.abs(close[i] - lagged(close, i, n)) / path : 0.0;
    }

    static double drawdown(double[] close, int i) {
        double peak = close[0];
        for (int j = 1; j <= i; j++) {
            peak = Math.max(peak, close[j]);
        }
        return (close[i] - peak) / peak;
    }

    static double trueRange(double[] high, double[] low, double[] close, int i) {
        double h = TestSeries.at(high, i);
        double l = TestSeries.at(low, i);
        if (Double.isNaN(h) || Double.isNaN(l)) {
            return Math.abs(close[i] - close[i - 1]);
        }
        return Math.max(h - l, Math.max(Math.abs(h - close[i - 1]), Math.abs(close[i - 1] - l)));
    }

    /** ta4j-style EMA recursion over the whole array: NaN before index n, seeded with x[n]. */
    static double[] ema(double[] x, int n, double alpha) {
        double[] out = new double[x.length];
        double v = Double.NaN;
        for (int i = 0; i < x.length; i++) {
            if (i < n) {
                out[i] = Double.NaN;
                continue;
            }
            v = i == n ? x[i] : v + alpha * (x[i] - v);
            out[i] = v;
        }
        return out;
    }

    static double[] trueRanges(double[] high, double[] low, double[] close) {
        double[] tr = new double[close.length];
        tr[0] = Double.NaN;
        for (int i = 1; i < close.length; i++) {
            tr[i] = trueRange(high, low, close, i);
        }
        return tr;
    }
}
