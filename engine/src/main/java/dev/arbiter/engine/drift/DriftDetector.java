package dev.arbiter.engine.drift;

import dev.arbiter.engine.stats.Autocorrelation;
import dev.arbiter.engine.stats.BenjaminiHochberg;
import dev.arbiter.engine.stats.PopulationStability;
import dev.arbiter.engine.stats.TwoSampleTests;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Drift of a model version's inputs and score, decided so that it does not cry wolf on real series:
 * <ol>
 *   <li>only quantities at the scale of returns are tested ({@link FeatureScale}): a price level always "drifts";</li>
 *   <li>each is tested with two-sided Kolmogorov-Smirnov and Mann-Whitney U at its <em>effective</em> sample sizes,
 *       n / τ with τ the integrated autocorrelation time of the window in arrival order ({@link Autocorrelation}),
 *       and never below the feature's rolling window ({@link FeatureScale#rollingWindow}) or, for a quantity with none,
 *       the AR(1) reading of its lag-1 correlation, because rolling-window
 *       features repeat themselves and the tests assume independent values;</li>
 *   <li>the quantity's p-value is twice the smaller of the two (Bonferroni over the pair);</li>
 *   <li>the p-values of all tested quantities are adjusted by Benjamini–Hochberg, and a quantity drifted when its
 *       adjusted value is below the false discovery rate: 21 features and a score tested at 1 % each would
 *       otherwise alarm about one evaluation in five with nothing changed;</li>
 *   <li>PSI over the reference's deciles says how large each shift is ({@link PopulationStability}).</li>
 * </ol>
 * Non-finite values (missing features) are left out. Stateless and thread-safe.
 */
public final class DriftDetector {

    private final double falseDiscoveryRate;
    private final int minSamples;

    /**
     * @param falseDiscoveryRate the Benjamini–Hochberg level, in (0, 1)
     * @param minSamples fewest finite values per window for a quantity to be tested, at least 2
     */
    public DriftDetector(double falseDiscoveryRate, int minSamples) {
        if (!(falseDiscoveryRate > 0.0 && falseDiscoveryRate < 1.0)) {
            throw new IllegalArgumentException("false discovery rate " + falseDiscoveryRate + " is not in (0, 1)");
        }
        if (minSamples < TwoSampleTests.MIN_SAMPLE) {
            throw new IllegalArgumentException("min samples " + minSamples + " is below " + TwoSampleTests.MIN_SAMPLE);
        }
        this.falseDiscoveryRate = falseDiscoveryRate;
        this.minSamples = minSamples;
    }

    public double falseDiscoveryRate() {
        return falseDiscoveryRate;
    }

    /**
     * Tests every quantity: {@code reference[i]} against {@code recent[i]}, each in arrival order.
     *
     * @return one result per name, in the given order
     */
    public List<QuantityDrift> detect(List<String> names, double[][] reference, double[][] recent) {
        if (names.size() != reference.length || names.size() != recent.length) {
            throw new IllegalArgumentException(names.size() + " names for " + reference.length + " reference and "
                    + recent.length + " recent windows");
        }
        List<QuantityDrift> raw = new ArrayList<>(names.size());
        double[] p = new double[names.size()];
        for (int i = 0; i < names.size(); i++) {
            QuantityDrift d = test(names.get(i), reference[i], recent[i]);
            raw.add(d);
            p[i] = d.pValue();
        }
        double[] q = BenjaminiHochberg.adjust(p);
        List<QuantityDrift> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            QuantityDrift d = raw.get(i);
            out.add(d.tested() ? d.withQValue(q[i], falseDiscoveryRate) : d);
        }
        return out;
    }

    private QuantityDrift test(String name, double[] reference, double[] recent) {
        FeatureScale scale = FeatureScale.of(name);
        if (!scale.tested()) {
            return QuantityDrift.untested(name, scale);
        }
        double[] x = finite(reference);
        double[] y = finite(recent);
        if (x.length < minSamples || y.length < minSamples) {
            return QuantityDrift.untested(name, scale);
        }
        double tauX = dependence(name, x);
        double tauY = dependence(name, y);
        TwoSampleTests.Result ks = TwoSampleTests.kolmogorovSmirnov(x, y, tauX, tauY);
        TwoSampleTests.Result mw = TwoSampleTests.mannWhitneyU(x, y, tauX, tauY);
        if (!ks.tested() || !mw.tested()) {
            return QuantityDrift.untested(name, scale);
        }
        double p = Math.min(1.0, 2.0 * Math.min(ks.pValue(), mw.pValue()));
        double psi = PopulationStability.psi(x, y);
        return new QuantityDrift(name, scale, ks.statistic(), ks.pValue(), mw.statistic(), mw.pValue(),
                x.length / tauX, y.length / tauY, p, Double.NaN, psi, PopulationStability.Severity.of(psi), false);
    }

    /**
     * τ of one window: Sokal's estimate, and at least the feature's rolling window when its name has one (the
     * structure is known); without one (the score, other schemas), at least the AR(1) reading of ρ(1), since a short
     * window underestimates a long τ. On the real series of the measurements the window floor keeps false alarms
     * at or below the nominal rate while the AR(1) floor, applied to them too, would have hidden four of the five
     * market changes (model-service/README.md, "Drift").
     */
    private static double dependence(String name, double[] values) {
        int span = FeatureScale.rollingWindow(name);
        double floor = span > 1 ? span : Autocorrelation.lagOneTime(values);
        return Math.max(floor, Autocorrelation.integratedTime(values));
    }

    private static double[] finite(double[] values) {
        int n = 0;
        double[] out = new double[values.length];
        for (double v : values) {
            if (Double.isFinite(v)) {
                out[n++] = v;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }
}
