package dev.arbiter.engine.study;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * NSGA-II for several objectives, as Optuna's NSGAIISampler with its defaults: generation 0 samples at random;
 * the parents of generation g are the best {@code populationSize} of generation g-1's parents and complete trials
 * by non-domination rank, the last rank cut by crowding distance; a child takes, with probability
 * {@code crossoverProb}, each parameter from one of two parents chosen by binary tournament (uniform crossover,
 * {@code swappingProb}), otherwise copies one random parent; then each parameter is resampled uniformly with
 * probability {@code mutationProb} (default 1 / number of parameters). Constraints are not supported.
 *
 * <p>Unlike Optuna, a trial's generation is its ask number divided by the population size (Optuna counts finished
 * trials of the generation), so the sampler needs no per-trial attributes; {@link #restore} rebuilds it from stored
 * trials. Deterministic given the seed and the sequence of calls.
 */
public final class NsgaIISampler {

    /** Optuna's defaults: population 50, crossover 0.9, swapping 0.5, mutation 1 / number of parameters (NaN). */
    public record Options(int populationSize, double crossoverProb, double swappingProb, double mutationProb) {
        public Options {
            if (populationSize < 2) {
                throw new IllegalArgumentException("populationSize is " + populationSize + "; pass 2 or more");
            }
            if (!(crossoverProb >= 0 && crossoverProb <= 1)) {
                throw new IllegalArgumentException("crossoverProb is " + crossoverProb + "; pass a value in [0, 1]");
            }
            if (!(swappingProb >= 0 && swappingProb <= 1)) {
                throw new IllegalArgumentException("swappingProb is " + swappingProb + "; pass a value in [0, 1]");
            }
            if (!Double.isNaN(mutationProb) && !(mutationProb >= 0 && mutationProb <= 1)) {
                throw new IllegalArgumentException("mutationProb is " + mutationProb
                        + "; pass a value in [0, 1] or NaN for 1 / number of parameters");
            }
        }

        public static Options defaults() {
            return new Options(50, 0.9, 0.5, Double.NaN);
        }
    }

    private final Options options;
    private final List<Direction> directions;
    private final SplittableRandom rng;
    private final List<Trial> complete = new ArrayList<>();
    private final Map<Integer, List<Trial>> parents = new HashMap<>();
    private int nextNumber;

    public NsgaIISampler(Options options, List<Direction> directions, long seed) {
        if (directions.isEmpty()) {
            throw new IllegalArgumentException("directions is empty; pass one direction per objective");
        }
        this.options = options;
        this.directions = List.copyOf(directions);
        this.rng = new SplittableRandom(seed);
    }

    public static NsgaIISampler restore(Options options, List<Direction> directions, long seed, List<Trial> trials) {
        var s = new NsgaIISampler(options, directions, seed);
        trials.stream().sorted(Comparator.comparingInt(Trial::number)).forEach(t -> {
            s.nextNumber = Math.max(s.nextNumber, t.number() + 1);
            if (t.state() == TrialState.COMPLETE) {
                s.tell(t);
            }
        });
        return s;
    }

    /** Records a finished trial; only COMPLETE ones take part in selection. */
    public void tell(Trial trial) {
        if (trial.state() == TrialState.COMPLETE) {
            if (trial.values().length != directions.size()) {
                throw new IllegalArgumentException("trial " + trial.number() + " has " + trial.values().length
                        + " values for " + directions.size() + " objectives; pass one value per objective");
            }
            complete.add(trial);
        }
    }

    /** The parameters of the next trial (its number is the count of asks so far). */
    public Map<String, Double> ask(Map<String, Distribution> space) {
        int generation = nextNumber++ / options.populationSize();
        List<Trial> population = generation == 0 ? List.of() : parents(generation);
        var out = new LinkedHashMap<String, Double>();
        List<String> names = new ArrayList<>();
        for (String name : space.keySet()) {
            boolean everyParentHasIt = !population.isEmpty();
            for (Trial t : population) {
                everyParentHasIt &= t.params().containsKey(name);
            }
            if (everyParentHasIt) {
                names.add(name);
            }
        }
        if (!names.isEmpty()) {
            Map<String, Double> child;
            if (rng.nextDouble() < options.crossoverProb()) {
                Trial a = tournament(population);
                Trial b = tournament(population);
                child = new HashMap<>();
                for (String name : names) {
                    child.put(name, (rng.nextDouble() >= options.swappingProb() ? b : a).params().get(name));
                }
            } else {
                child = population.get(rng.nextInt(population.size())).params();
            }
            double mutation = Double.isNaN(options.mutationProb()) ? 1.0 / Math.max(1, names.size())
                    : options.mutationProb();
            for (String name : names) {
                if (rng.nextDouble() >= mutation) {
                    out.put(name, child.get(name));
                }
            }
        }
        var ordered = new LinkedHashMap<String, Double>();
        for (var e : space.entrySet()) {
            Double v = out.get(e.getKey());
            ordered.put(e.getKey(), v != null ? v : RandomSampler.sample(e.getValue(), rng));
        }
        return ordered;
    }

    private Trial tournament(List<Trial> population) {
        Trial a = population.get(rng.nextInt(population.size()));
        Trial b = population.get(rng.nextInt(population.size()));
        if (Pareto.dominates(loss(a), loss(b))) {
            return a;
        }
        if (Pareto.dominates(loss(b), loss(a))) {
            return b;
        }
        return rng.nextBoolean() ? a : b;
    }

    private double[] loss(Trial t) {
        double[] l = new double[directions.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = directions.get(i).lossSign() * t.values()[i];
        }
        return l;
    }

    private List<Trial> parents(int generation) {
        var cached = parents.get(generation);
        if (cached != null) {
            return cached;
        }
        List<Trial> pool = new ArrayList<>(generation > 1 ? parents(generation - 1) : List.of());
        int p = options.populationSize();
        for (Trial t : complete) {
            if (t.number() / p == generation - 1) {
                pool.add(t);
            }
        }
        List<Trial> selected = pool.isEmpty() ? parents.getOrDefault(generation - 1, List.of()) : select(pool, p);
        parents.put(generation, selected);
        return selected;
    }

    /** Non-dominated sorting, the last front cut by crowding distance (largest first). */
    private List<Trial> select(List<Trial> pool, int size) {
        double[][] losses = new double[pool.size()][];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = loss(pool.get(i));
        }
        int[] rank = Pareto.ranks(losses, pool.size());
        List<Trial> out = new ArrayList<>();
        for (int r = 0; out.size() < size; r++) {
            List<Integer> front = new ArrayList<>();
            for (int i = 0; i < rank.length; i++) {
                if (rank[i] == r) {
                    front.add(i);
                }
            }
            if (front.isEmpty()) {
                break;
            }
            if (out.size() + front.size() > size) {
                double[] crowding = crowding(losses, front);
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < front.size(); i++) {
                    order.add(i);
                }
                order.sort(Comparator.comparingDouble((Integer i) -> -crowding[i]).thenComparingInt(i -> front.get(i)));
                for (int i = 0; out.size() < size; i++) {
                    out.add(pool.get(front.get(order.get(i))));
                }
            } else {
                for (int i : front) {
                    out.add(pool.get(i));
                }
            }
        }
        return out;
    }

    private static double[] crowding(double[][] losses, List<Integer> front) {
        int n = front.size();
        double[] distance = new double[n];
        for (int m = 0; m < losses[front.get(0)].length; m++) {
            final int obj = m;
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingDouble(i -> losses[front.get(i)][obj]));
            double lo = losses[front.get(order.get(0))][obj];
            double hi = losses[front.get(order.get(n - 1))][obj];
            distance[order.get(0)] = Double.POSITIVE_INFINITY;
            distance[order.get(n - 1)] = Double.POSITIVE_INFINITY;
            if (hi == lo) {
                continue;
            }
            for (int i = 1; i < n - 1; i++) {
                distance[order.get(i)] += (losses[front.get(order.get(i + 1))][obj]
                        - losses[front.get(order.get(i - 1))][obj]) / (hi - lo);
            }
        }
        return distance;
    }
}
