package dev.arbiter.engine.study;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Test objectives and a sequential study loop. */
final class Studies {

    private Studies() {
    }

    static final Map<String, Distribution> BRANIN_SPACE = space("x", FloatDistribution.of(-5, 10), "y",
            FloatDistribution.of(0, 15));

    static Map<String, Distribution> space(Object... nameThenDistribution) {
        var out = new LinkedHashMap<String, Distribution>();
        for (int i = 0; i < nameThenDistribution.length; i += 2) {
            out.put((String) nameThenDistribution[i], (Distribution) nameThenDistribution[i + 1]);
        }
        return out;
    }

    /** Branin, minimum 0.397887. */
    static double branin(Map<String, Double> p) {
        double x = p.get("x");
        double y = p.get("y");
        double b = 5.1 / (4 * Math.PI * Math.PI);
        double c = 5 / Math.PI;
        double t = 1 / (8 * Math.PI);
        return Math.pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * Math.cos(x) + 10;
    }

    /** A shifted sphere over every parameter: minimum 0 at 1.5. */
    static double sphere(Map<String, Double> p) {
        double s = 0;
        for (double v : p.values()) {
            s += (v - 1.5) * (v - 1.5);
        }
        return s;
    }

    /** The best value after {@code n} sequential trials with ask {@code ask}. */
    interface Asker {
        Map<String, Double> ask(int number);
    }

    static double[] run(Asker asker, java.util.function.Consumer<Trial> tell, ToDoubleFunction<Map<String, Double>> f,
                        int n) {
        double[] best = new double[n];
        double b = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            var params = asker.ask(i);
            double v = f.applyAsDouble(params);
            tell.accept(Trial.complete(i, params, v));
            b = Math.min(b, v);
            best[i] = b;
        }
        return best;
    }

    static double tpeBest(TpeSampler.Options options, long seed, Map<String, Distribution> space,
                          ToDoubleFunction<Map<String, Double>> f, int n) {
        var s = new TpeSampler(options, List.of(Direction.MINIMIZE), seed);
        return run(i -> s.ask(space, List.of()), s::tell, f, n)[n - 1];
    }

    static double randomBest(long seed, Map<String, Distribution> space, ToDoubleFunction<Map<String, Double>> f,
                             int n) {
        var r = new RandomSampler(seed);
        return run(i -> r.ask(space), t -> { }, f, n)[n - 1];
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }
}
