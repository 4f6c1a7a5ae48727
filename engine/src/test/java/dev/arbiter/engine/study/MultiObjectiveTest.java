package dev.arbiter.engine.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** NSGA-II and MOTPE on ZDT1 (5 variables), against random sampling, by the hypervolume of the front found. */
class MultiObjectiveTest {

    private static final int VARIABLES = 5;
    private static final double[] REF = {1.1, 11};
    private static final List<Direction> BOTH_MIN = List.of(Direction.MINIMIZE, Direction.MINIMIZE);

    private static Map<String, Distribution> space() {
        var out = new LinkedHashMap<String, Distribution>();
        for (int i = 0; i < VARIABLES; i++) {
            out.put("x" + i, FloatDistribution.of(0, 1));
        }
        return out;
    }

    static double[] zdt1(Map<String, Double> p) {
        double f1 = p.get("x0");
        double s = 0;
        for (int i = 1; i < VARIABLES; i++) {
            s += p.get("x" + i);
        }
        double g = 1 + 9 * s / (VARIABLES - 1);
        return new double[]{f1, g * (1 - Math.sqrt(f1 / g))};
    }

    /** Hypervolume of everything evaluated by {@code ask}/{@code tell} over {@code n} trials. */
    private static double hypervolume(Function<Integer, Map<String, Double>> ask, java.util.function.Consumer<Trial> tell,
                                      int n) {
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var p = ask.apply(i);
            double[] v = zdt1(p);
            tell.accept(Trial.complete(i, p, v));
            points.add(v);
        }
        double[][] all = points.toArray(new double[0][]);
        int[] rank = Pareto.ranks(all, 1);
        List<double[]> front = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            if (rank[i] == 0) {
                front.add(all[i]);
            }
        }
        return Pareto.hypervolume(front, REF);
    }

    private static double randomHypervolume(long seed, int n) {
        var r = new RandomSampler(seed);
        return hypervolume(i -> r.ask(space()), t -> { }, n);
    }

    @Test
    void nsgaIiImprovesOnRandomOnZdt1() {
        for (long seed = 0; seed < 3; seed++) {
            var s = new NsgaIISampler(NsgaIISampler.Options.defaults(), BOTH_MIN, seed);
            double nsga = hypervolume(i -> s.ask(space()), s::tell, 1500);
            double random = randomHypervolume(seed + 100, 1500);
            assertTrue(nsga > random + 0.5, "NSGA-II " + nsga + " vs random " + random);
        }
    }

    @Test
    void motpeImprovesOnRandomOnZdt1() {
        for (long seed = 0; seed < 3; seed++) {
            var s = new TpeSampler(TpeSampler.Options.defaults(), BOTH_MIN, seed);
            double tpe = hypervolume(i -> s.ask(space(), List.of()), s::tell, 150);
            double random = randomHypervolume(seed + 100, 150);
            assertTrue(tpe > random + 0.3, "MOTPE " + tpe + " vs random " + random);
        }
    }

    @Test
    void nsgaIiIsDeterministicAndRestores() {
        var a = new NsgaIISampler(NsgaIISampler.Options.defaults(), BOTH_MIN, 7);
        var b = new NsgaIISampler(NsgaIISampler.Options.defaults(), BOTH_MIN, 7);
        List<Trial> stored = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            var p = a.ask(space());
            assertEquals(p, b.ask(space()));
            var t = Trial.complete(i, p, zdt1(p));
            a.tell(t);
            b.tell(t);
            stored.add(t);
            for (var e : space().entrySet()) {
                assertTrue(e.getValue().contains(p.get(e.getKey())));
            }
        }
        var restored = NsgaIISampler.restore(NsgaIISampler.Options.defaults(), BOTH_MIN, 7, stored);
        assertEquals(160 / 50, 3);
        assertTrue(restored.ask(space()).keySet().containsAll(space().keySet()));
    }

    @Test
    void hypervolumeAndRanksAreRight() {
        assertEquals(1.0 * 1 + 0.5 * 1, Pareto.hypervolume(List.of(new double[]{0, 1}, new double[]{1, 0.5}),
                new double[]{2, 2}) - 1.0, 1e-12);
        int[] r = Pareto.ranks(new double[][]{{1, 1}, {0, 2}, {2, 2}, {1, 1}, {3, 3}}, 5);
        assertEquals(List.of(0, 0, 1, 0, 2), List.of(r[0], r[1], r[2], r[3], r[4]));
    }
}
