package dev.arbiter.engine.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TpeSamplerTest {

    private static final TpeSampler.Options UNIVARIATE = TpeSampler.Options.defaults().withMultivariate(false);
    private static final TpeSampler.Options MULTIVARIATE = TpeSampler.Options.defaults().withMultivariate(true);

    private static final Map<String, Distribution> MIXED = Studies.space(
            "f", FloatDistribution.of(-2, 3),
            "flog", FloatDistribution.log(1e-4, 1),
            "fstep", FloatDistribution.stepped(0, 1, 0.1),
            "i", IntDistribution.of(-3, 7),
            "ilog", IntDistribution.log(1, 1024),
            "istep", IntDistribution.stepped(0, 100, 5),
            "c", CategoricalDistribution.of("relu", "tanh", "gelu"));

    private static double mixedObjective(Map<String, Double> p) {
        return Math.pow(p.get("f") - 1, 2) + Math.abs(Math.log10(p.get("flog")) + 2) + Math.abs(p.get("fstep") - 0.3)
                + Math.abs(p.get("i") - 2) + Math.abs(Math.log(p.get("ilog") / 32)) + Math.abs(p.get("istep") - 40) / 10
                + (p.get("c") == 1 ? 0 : 1);
    }

    private static List<Map<String, Double>> history(TpeSampler.Options options, long seed, int n) {
        var s = new TpeSampler(options, List.of(Direction.MINIMIZE), seed);
        List<Map<String, Double>> asked = new ArrayList<>();
        Studies.run(i -> {
            var p = s.ask(MIXED, List.of());
            asked.add(p);
            return p;
        }, s::tell, TpeSamplerTest::mixedObjective, n);
        return asked;
    }

    @Test
    void sameSeedSameSamplesAndOtherSeedOtherSamples() {
        for (var options : List.of(UNIVARIATE, MULTIVARIATE)) {
            assertEquals(history(options, 42, 40), history(options, 42, 40));
            assertNotEquals(history(options, 42, 40), history(options, 43, 40));
        }
    }

    @Test
    void everySampleLiesInItsDistribution() {
        for (var options : List.of(UNIVARIATE, MULTIVARIATE)) {
            for (var p : history(options, 7, 80)) {
                for (var e : MIXED.entrySet()) {
                    assertTrue(e.getValue().contains(p.get(e.getKey())), e.getKey() + " = " + p.get(e.getKey()));
                }
            }
        }
    }

    @Test
    void findsTheRightCategorical() {
        var space = Studies.space("c", CategoricalDistribution.of("relu", "tanh", "gelu"), "f",
                FloatDistribution.of(-2, 3));
        for (var options : List.of(UNIVARIATE, MULTIVARIATE)) {
            var s = new TpeSampler(options, List.of(Direction.MINIMIZE), 3);
            int good = 0;
            for (int i = 0; i < 100; i++) {
                var p = s.ask(space, List.of());
                good += i >= 50 && p.get("c") == 1 ? 1 : 0;
                s.tell(Trial.complete(i, p, (p.get("c") == 1 ? 0 : 1) + Math.pow(p.get("f") - 1, 2)));
            }
            assertTrue(good > 30, "the good choice in " + good + " of the last 50");
        }
    }

    private static void assertBeatsRandom(TpeSampler.Options options, Map<String, Distribution> space,
                                          java.util.function.ToDoubleFunction<Map<String, Double>> f, double factor) {
        double[] tpe = new double[15];
        double[] random = new double[15];
        for (int seed = 0; seed < 15; seed++) {
            tpe[seed] = Studies.tpeBest(options, seed, space, f, 100);
            random[seed] = Studies.randomBest(seed + 1000, space, f, 100);
        }
        double mt = Studies.median(tpe);
        double mr = Studies.median(random);
        assertTrue(mt * factor < mr, "median best TPE " + mt + " vs random " + mr);
    }

    @Test
    void beatsRandomOnAQuadratic() {
        var space = Studies.space("a", FloatDistribution.of(-10, 10), "b", FloatDistribution.of(-10, 10), "c",
                FloatDistribution.of(-10, 10));
        assertBeatsRandom(UNIVARIATE, space, Studies::sphere, 3);
        assertBeatsRandom(MULTIVARIATE, space, Studies::sphere, 3);
    }

    @Test
    void beatsRandomOnBranin() {
        // gaps above the minimum 0.397887
        assertBeatsRandom(UNIVARIATE, Studies.BRANIN_SPACE, p -> Studies.branin(p) - 0.397887, 2);
        assertBeatsRandom(MULTIVARIATE, Studies.BRANIN_SPACE, p -> Studies.branin(p) - 0.397887, 2);
    }

    /** Mean over seeds of the smallest distance between 8 points asked while all 8 run. */
    private static double spreadOfConcurrentAsks(boolean liar, boolean multivariate) {
        double total = 0;
        for (int seed = 0; seed < 10; seed++) {
            var options = TpeSampler.Options.defaults().withConstantLiar(liar).withMultivariate(multivariate);
            var s = new TpeSampler(options, List.of(Direction.MINIMIZE), seed);
            var rng = new SplittableRandom(seed);
            for (int i = 0; i < 30; i++) {
                var p = RandomSampler.sample(FloatDistribution.of(-5, 10), rng);
                var q = RandomSampler.sample(FloatDistribution.of(0, 15), rng);
                var params = Map.of("x", p, "y", q);
                s.tell(Trial.complete(i, params, Studies.branin(params)));
            }
            List<Trial> running = new ArrayList<>();
            for (int i = 30; i < 38; i++) {
                running.add(Trial.running(i, s.ask(Studies.BRANIN_SPACE, running)));
            }
            double min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < running.size(); i++) {
                for (int j = 0; j < i; j++) {
                    var a = running.get(i).params();
                    var b = running.get(j).params();
                    min = Math.min(min, Math.hypot((a.get("x") - b.get("x")) / 15, (a.get("y") - b.get("y")) / 15));
                }
            }
            total += min;
        }
        return total / 10;
    }

    @Test
    void constantLiarSpreadsConcurrentAsks() {
        for (boolean multivariate : new boolean[]{false, true}) {
            double with = spreadOfConcurrentAsks(true, multivariate);
            double without = spreadOfConcurrentAsks(false, multivariate);
            assertTrue(with > 1.5 * without, "closest pair with the liar " + with + ", without " + without);
        }
    }

    @Test
    void conditionalParametersAreSampledFromTheTrialsThatHaveThem() {
        var model = CategoricalDistribution.of("linear", "tree");
        var rate = FloatDistribution.log(1e-5, 1);
        var depth = IntDistribution.of(1, 12);
        for (var options : List.of(UNIVARIATE, MULTIVARIATE)) {
            var s = new TpeSampler(options, List.of(Direction.MINIMIZE), 5);
            double best = Double.POSITIVE_INFINITY;
            int treeLate = 0;
            for (int i = 0; i < 120; i++) {
                var params = new HashMap<String, Double>();
                params.putAll(s.ask(Studies.space("model", model), List.of()));
                double v;
                if (params.get("model") == 0) {
                    double r = s.sampleIndependent("rate", rate, List.of());
                    assertTrue(rate.contains(r));
                    params.put("rate", r);
                    v = 1 + Math.abs(Math.log10(r) + 3);
                } else {
                    double d = s.sampleIndependent("depth", depth, List.of());
                    assertTrue(depth.contains(d));
                    params.put("depth", d);
                    v = Math.abs(d - 7) / 3;
                    treeLate += i >= 60 ? 1 : 0;
                }
                best = Math.min(best, v);
                s.tell(Trial.complete(i, params, v));
            }
            assertTrue(best <= 0.34, "best " + best);
            assertTrue(treeLate > 40, "the better branch in " + treeLate + " of the last 60");
        }
    }

    @Test
    void multivariateUsesOnlyParametersEveryTrialHas() {
        var s = new TpeSampler(MULTIVARIATE, List.of(Direction.MINIMIZE), 1);
        for (int i = 0; i < 20; i++) {
            var params = new HashMap<String, Double>(Map.of("x", i / 20.0));
            if (i % 2 == 0) {
                params.put("y", 0.5);
            }
            s.tell(Trial.complete(i, params, i));
        }
        var space = Studies.space("x", FloatDistribution.of(0, 1), "y", FloatDistribution.of(0, 1));
        assertEquals(List.of("x"), List.copyOf(s.sampleRelative(space, List.of()).keySet()));
        assertEquals(List.of("x", "y"), List.copyOf(s.ask(space, List.of()).keySet()));
    }

    @Test
    void maximizeIsMinimizeOfTheNegative() {
        var space = Studies.space("x", FloatDistribution.of(-3, 3));
        var min = new TpeSampler(UNIVARIATE, List.of(Direction.MINIMIZE), 9);
        var max = new TpeSampler(UNIVARIATE, List.of(Direction.MAXIMIZE), 9);
        for (int i = 0; i < 40; i++) {
            var a = min.ask(space, List.of());
            var b = max.ask(space, List.of());
            assertEquals(a, b);
            double v = Math.pow(a.get("x") - 1, 2);
            min.tell(Trial.complete(i, a, v));
            max.tell(Trial.complete(i, b, -v));
        }
    }

    @Test
    void restoreFromStoredTrialsEqualsTellingThem() {
        var told = new TpeSampler(MULTIVARIATE, List.of(Direction.MINIMIZE), 4);
        List<Trial> stored = new ArrayList<>();
        var rng = new SplittableRandom(8);
        for (int i = 0; i < 50; i++) {
            var p = Map.of("x", RandomSampler.sample(FloatDistribution.of(-5, 10), rng), "y",
                    RandomSampler.sample(FloatDistribution.of(0, 15), rng));
            Trial t = i % 7 == 3 ? new Trial(i, TrialState.PRUNED, p, null, null).withIntermediate(1, 50)
                    : i % 11 == 5 ? new Trial(i, TrialState.FAIL, p, null, null) : Trial.complete(i, p, Studies.branin(p));
            told.tell(t);
            stored.add(t);
        }
        Collections.shuffle(stored, new java.util.Random(1));
        stored.add(Trial.running(50, Map.of("x", 1.0, "y", 2.0)));
        var restored = TpeSampler.restore(MULTIVARIATE, List.of(Direction.MINIMIZE), 4, stored);
        assertEquals(told.ask(Studies.BRANIN_SPACE, List.of()), restored.ask(Studies.BRANIN_SPACE, List.of()));
        assertEquals(46, restored.finishedTrials()); // 50 less the 4 failed
    }

    @Test
    void validationNamesTheFieldAndTheFix() {
        var e = assertThrows(IllegalArgumentException.class, () -> FloatDistribution.of(2, 1));
        assertTrue(e.getMessage().contains("FloatDistribution.low") && e.getMessage().contains("low <= high"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FloatDistribution.log(0, 1));
        assertTrue(e.getMessage().contains("FloatDistribution.low") && e.getMessage().contains("low > 0"));
        e = assertThrows(IllegalArgumentException.class, () -> new FloatDistribution(1, 2, true, 0.5));
        assertTrue(e.getMessage().contains("FloatDistribution.step") && e.getMessage().contains("log"));
        e = assertThrows(IllegalArgumentException.class, () -> new IntDistribution(1, 10, true, 2));
        assertTrue(e.getMessage().contains("IntDistribution.step"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> IntDistribution.of(5, 1));
        assertTrue(e.getMessage().contains("IntDistribution.low"));
        e = assertThrows(IllegalArgumentException.class, () -> CategoricalDistribution.of());
        assertTrue(e.getMessage().contains("CategoricalDistribution.choices is empty"));
        e = assertThrows(IllegalArgumentException.class, () -> CategoricalDistribution.of("a", "b", "a"));
        assertTrue(e.getMessage().contains("\"a\" twice"));
        e = assertThrows(IllegalArgumentException.class, () -> TpeSampler.Options.defaults().withCandidates(0));
        assertTrue(e.getMessage().contains("nEiCandidates"));
        var s = new TpeSampler(Direction.MINIMIZE, 1);
        e = assertThrows(IllegalArgumentException.class, () -> s.tell(Trial.running(0, Map.of())));
        assertTrue(e.getMessage().contains("RUNNING"));
        e = assertThrows(IllegalArgumentException.class, () -> Trial.complete(0, Map.of(), Double.NaN));
        assertTrue(e.getMessage().contains("trial.values has NaN"));
    }
}
