package dev.arbiter.bench.study;

import dev.arbiter.engine.study.Direction;
import dev.arbiter.engine.study.Distribution;
import dev.arbiter.engine.study.FloatDistribution;
import dev.arbiter.engine.study.TpeSampler;
import dev.arbiter.engine.study.Trial;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The engine's TPE sampler on the problems of {@code bench/optuna/sampler_bench.py}, printing the same CSV lines, so
 * that {@code bench/optuna/compare.sh} can put both in one table.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.arbiter.bench.study.SamplerBench speed [trials=10000]
 * java -cp bench/target/benchmarks.jar dev.arbiter.bench.study.SamplerBench quality [seeds=30]
 * </pre>
 *
 * speed: sphere over d float parameters in [-5, 5] (d = 4, 16), univariate and multivariate, seed 0: the mean time of
 * {@code ask} over each block of 100 asks ending at 1,000, 2,000, ... trials. quality: default options on Branin,
 * Hartmann-6 and Rosenbrock-4D, seeds 0..n-1: median and quartiles of the best value after 100 and 200 trials.
 */
public final class SamplerBench {

    private static final double[] HARTMANN_ALPHA = {1.0, 1.2, 3.0, 3.2};
    private static final double[][] HARTMANN_A = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14},
            {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
    private static final double[][] HARTMANN_P = {{1312, 1696, 5569, 124, 8283, 5886},
            {2329, 4135, 8307, 3736, 1004, 9991}, {2348, 1451, 3522, 2883, 3047, 6650},
            {4047, 8828, 8732, 5743, 1091, 381}};

    private SamplerBench() {
    }

    public static void main(String[] args) {
        String what = args.length > 0 ? args[0] : "speed";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : what.equals("speed") ? 10_000 : 30;
        if (what.equals("speed")) {
            for (int d : new int[]{4, 16}) {
                for (boolean multivariate : new boolean[]{false, true}) {
                    speed(d, multivariate, n);
                }
            }
        } else {
            quality("branin", SamplerBench::branin, space(new double[][]{{-5, 10}, {0, 15}}), n);
            quality("hartmann6", SamplerBench::hartmann6, space(repeat(new double[]{0, 1}, 6)), n);
            quality("rosenbrock4", SamplerBench::rosenbrock4, space(repeat(new double[]{-2.048, 2.048}, 4)), n);
        }
    }

    private static double[][] repeat(double[] bounds, int times) {
        double[][] out = new double[times][];
        Arrays.fill(out, bounds);
        return out;
    }

    private static Map<String, Distribution> space(double[][] bounds) {
        var out = new LinkedHashMap<String, Distribution>();
        for (int i = 0; i < bounds.length; i++) {
            out.put("x" + i, FloatDistribution.of(bounds[i][0], bounds[i][1]));
        }
        return out;
    }

    private static double x(Map<String, Double> p, int i) {
        return p.get("x" + i);
    }

    static double branin(Map<String, Double> p) {
        double x = x(p, 0);
        double y = x(p, 1);
        double b = 5.1 / (4 * Math.PI * Math.PI);
        double c = 5 / Math.PI;
        double t = 1 / (8 * Math.PI);
        return Math.pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * Math.cos(x) + 10;
    }

    static double hartmann6(Map<String, Double> p) {
        double f = 0;
        for (int i = 0; i < 4; i++) {
            double s = 0;
            for (int j = 0; j < 6; j++) {
                double diff = x(p, j) - 1e-4 * HARTMANN_P[i][j];
                s += HARTMANN_A[i][j] * diff * diff;
            }
            f -= HARTMANN_ALPHA[i] * Math.exp(-s);
        }
        return f;
    }

    static double rosenbrock4(Map<String, Double> p) {
        double f = 0;
        for (int i = 0; i < 3; i++) {
            double a = x(p, i + 1) - x(p, i) * x(p, i);
            double b = 1 - x(p, i);
            f += 100 * a * a + b * b;
        }
        return f;
    }

    private static void speed(int d, boolean multivariate, int trials) {
        var options = TpeSampler.Options.defaults().withMultivariate(multivariate);
        var sampler = new TpeSampler(options, List.of(Direction.MINIMIZE), 0);
        var space = space(repeat(new double[]{-5, 5}, d));
        long block = 0;
        for (int n = 1; n <= trials; n++) {
            long t0 = System.nanoTime();
            var params = sampler.ask(space, List.of());
            block += System.nanoTime() - t0;
            double v = 0;
            for (double x : params.values()) {
                v += (x - 1.5) * (x - 1.5);
            }
            sampler.tell(Trial.complete(n - 1, params, v));
            if (n % 100 == 0) {
                if (n % 1000 == 0) {
                    System.out.printf("speed,arbiter,%d,%s,%d,%.4f%n", d, multivariate ? "multivariate" : "univariate",
                            n, block / 100 / 1e6);
                }
                block = 0;
            }
        }
    }

    private static void quality(String name, ToDoubleFunction<Map<String, Double>> f, Map<String, Distribution> space,
                                int seeds) {
        double[][] best = new double[2][seeds];
        for (int seed = 0; seed < seeds; seed++) {
            var sampler = new TpeSampler(TpeSampler.Options.defaults(), List.of(Direction.MINIMIZE), seed);
            double b = Double.POSITIVE_INFINITY;
            for (int n = 1; n <= 200; n++) {
                var params = sampler.ask(space, List.of());
                double v = f.applyAsDouble(params);
                sampler.tell(Trial.complete(n - 1, params, v));
                b = Math.min(b, v);
                if (n == 100) {
                    best[0][seed] = b;
                } else if (n == 200) {
                    best[1][seed] = b;
                }
            }
        }
        for (int k = 0; k < 2; k++) {
            double[] s = best[k].clone();
            Arrays.sort(s);
            System.out.printf("quality,arbiter,%s,%d,%.6g,%.6g,%.6g%n", name, (k + 1) * 100, percentile(s, 50),
                    percentile(s, 25), percentile(s, 75));
        }
    }

    /** numpy's default (linear) percentile of sorted values. */
    private static double percentile(double[] sorted, double q) {
        double index = q / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(index);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (index - lo);
    }
}
