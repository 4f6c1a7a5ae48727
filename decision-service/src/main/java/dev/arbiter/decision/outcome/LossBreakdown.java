package dev.arbiter.decision.outcome;

import dev.arbiter.proto.v1.FeatureDecileStatistics;
import dev.arbiter.proto.v1.ObservedRange;
import dev.arbiter.proto.v1.RegimeStatistics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the losing actions are, over a sample of decisions: by market regime (the volatility tercile crossed with the
 * trend strength's half, both cut at the sample's own quantiles) and by decile of each feature (cut at the sample's own
 * deciles, so every decile holds about a tenth of the decisions), with the observed range of every rule variable and
 * feature. What rule-service puts in front of a rule proposer; pure arithmetic over the rows given.
 */
public final class LossBreakdown {

    /**
     * One decision.
     *
     * @param variables    rule variables by name (NaN: not a number for this decision)
     * @param features     feature values by name (NaN values are left out)
     * @param volatility   the volatility rule variable (NaN when unknown)
     * @param trend        the trend_strength rule variable (NaN when unknown)
     * @param result       how its action went: +1 won, -1 lost, 0 not acted, no outcome yet or a zero return
     */
    public record Row(Map<String, Double> variables, Map<String, Double> features, double volatility, double trend, int result) {}

    /** The breakdown: six regimes, ten deciles per feature (by name), observed ranges (variables, then features.*). */
    public record Result(List<RegimeStatistics> regimes, List<FeatureDecileStatistics> deciles, List<ObservedRange> observed) {}

    private static final String[] VOLATILITY = {"low", "mid", "high"};

    private LossBreakdown() {}

    public static Result of(List<Row> rows) {
        return new Result(regimes(rows), deciles(rows), observed(rows));
    }

    private static List<RegimeStatistics> regimes(List<Row> rows) {
        double[] vol = finite(rows.stream().mapToDouble(Row::volatility).toArray());
        double[] trend = finite(rows.stream().mapToDouble(Row::trend).toArray());
        if (vol.length == 0 || trend.length == 0) {
            return List.of();
        }
        double t1 = quantile(vol, 1.0 / 3);
        double t2 = quantile(vol, 2.0 / 3);
        double median = quantile(trend, 0.5);
        long[][] counts = new long[6][3]; // decisions, judged, losing
        for (Row r : rows) {
            if (!Double.isFinite(r.volatility()) || !Double.isFinite(r.trend())) {
                continue;
            }
            int v = r.volatility() < t1 ? 0 : r.volatility() < t2 ? 1 : 2;
            int i = v * 2 + (r.trend() < median ? 0 : 1);
            count(counts[i], r.result());
        }
        List<RegimeStatistics> out = new ArrayList<>();
        for (int v = 0; v < 3; v++) {
            String volBounds = v == 0 ? fmt("volatility < %.4g", t1) : v == 1 ? fmt("%.4g <= volatility < %.4g", t1, t2)
                    : fmt("volatility >= %.4g", t2);
            for (int t = 0; t < 2; t++) {
                long[] c = counts[v * 2 + t];
                out.add(RegimeStatistics.newBuilder()
                        .setRegime("volatility " + VOLATILITY[v] + ", " + (t == 0 ? "choppy" : "trending"))
                        .setDefinition(volBounds + ", " + fmt(t == 0 ? "trend_strength < %.4g" : "trend_strength >= %.4g", median))
                        .setDecisions(c[0]).setJudgedActions(c[1]).setFalsePositiveActions(c[2])
                        .build());
            }
        }
        return out;
    }

    private static List<FeatureDecileStatistics> deciles(List<Row> rows) {
        Map<String, List<Row>> byFeature = new LinkedHashMap<>();
        for (Row r : rows) {
            for (String name : r.features().keySet()) {
                byFeature.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
            }
        }
        List<FeatureDecileStatistics> out = new ArrayList<>();
        for (Map.Entry<String, List<Row>> e : byFeature.entrySet()) {
            String name = e.getKey();
            double[] values = e.getValue().stream().mapToDouble(r -> r.features().get(name)).toArray();
            Arrays.sort(values);
            double[] edges = new double[9];
            for (int k = 1; k <= 9; k++) {
                edges[k - 1] = quantile(values, k / 10.0);
            }
            long[][] counts = new long[10][3];
            for (Row r : e.getValue()) {
                count(counts[decile(edges, r.features().get(name))], r.result());
            }
            for (int d = 0; d < 10; d++) {
                out.add(FeatureDecileStatistics.newBuilder()
                        .setFeature(name)
                        .setDecile(d + 1)
                        .setLow(d == 0 ? values[0] : edges[d - 1])
                        .setHigh(d == 9 ? values[values.length - 1] : edges[d])
                        .setJudgedActions(counts[d][1])
                        .setFalsePositiveActions(counts[d][2])
                        .build());
            }
        }
        return out;
    }

    private static List<ObservedRange> observed(List<Row> rows) {
        Map<String, List<Double>> variables = new TreeMap<>();
        Map<String, List<Double>> features = new TreeMap<>();
        for (Row r : rows) {
            r.variables().forEach((k, v) -> {
                if (Double.isFinite(v)) {
                    variables.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
                }
            });
            r.features().forEach((k, v) -> features.computeIfAbsent("features." + k, x -> new ArrayList<>()).add(v));
        }
        List<ObservedRange> out = new ArrayList<>();
        for (Map<String, List<Double>> m : List.of(variables, features)) {
            m.forEach((name, list) -> {
                double[] v = list.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                out.add(ObservedRange.newBuilder().setName(name).setCount(v.length).setMin(v[0]).setP10(quantile(v, 0.1))
                        .setMedian(quantile(v, 0.5)).setP90(quantile(v, 0.9)).setMax(v[v.length - 1]).build());
            });
        }
        return out;
    }

    /** The decile (0-9) of {@code x}: how many of the nine edges are at or below it. */
    static int decile(double[] edges, double x) {
        int d = 0;
        while (d < edges.length && edges[d] <= x) {
            d++;
        }
        return d;
    }

    private static void count(long[] c, int result) {
        c[0]++;
        if (result != 0) {
            c[1]++;
            if (result < 0) {
                c[2]++;
            }
        }
    }

    /** The sorted finite values. */
    private static double[] finite(double[] values) {
        return Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
    }

    /** The q-quantile of sorted values, by linear interpolation between the closest ranks. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
