package dev.arbiter.engine.study;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.IntUnaryOperator;

/**
 * The Tree-structured Parzen Estimator, with the semantics of Optuna 5's TPESampler: after
 * {@code nStartupTrials} finished trials, the finished trials are split into the best gamma(n) ("below") and the
 * rest ("above"; running trials join it under the constant liar), a Parzen estimator l(x) is fitted to the below
 * values and g(x) to the above values, {@code nEiCandidates} points are drawn from l and the one with the largest
 * log l(x) - log g(x) is proposed. Univariate mode does this per parameter over the trials that have it
 * (conditional parameters); multivariate mode fits joint estimators over the parameters every finished trial has
 * and samples the others univariately. With several objectives the split ranks trials by non-domination and breaks the
 * last rank's tie by hypervolume contribution (MOTPE), below weights uniform.
 *
 * <p>Incremental: feed each finished trial once with {@link #tell}; the sampler keeps the trials ordered by loss and
 * each parameter's observations ordered ({@link AboveDensity}), so a univariate ask on a continuous parameter costs
 * the same after 10,000 trials as after 300 (see {@link AboveDensity} for how, and for its documented error bound).
 * Multivariate asks evaluate the joint estimators exactly, O(n) per candidate. {@link #restore} rebuilds the state from
 * stored trials. Deterministic given the seed and the sequence of calls. Not thread-safe: one sampler per study, asks
 * and tells serialised by the caller.
 */
public final class TpeSampler {

    /**
     * Options, defaults as Optuna 5: 10 startup trials, 24 candidates, gamma min(ceil(0.1 n), 25) (ceil(0.1 n) with
     * several objectives), prior weight 1, magic clip on, endpoints off, multivariate for one objective only,
     * constant liar on.
     *
     * @param gamma        number of below trials for n finished trials; null for the default
     * @param multivariate null: true for one objective, false for several (as Optuna)
     */
    public record Options(int nStartupTrials, int nEiCandidates, IntUnaryOperator gamma, double priorWeight,
                          boolean considerMagicClip, boolean considerEndpoints, Boolean multivariate,
                          boolean constantLiar) {

        public Options {
            if (nStartupTrials < 0) {
                throw new IllegalArgumentException("nStartupTrials is " + nStartupTrials + "; pass 0 or more");
            }
            if (nEiCandidates < 1) {
                throw new IllegalArgumentException("nEiCandidates is " + nEiCandidates + "; pass 1 or more");
            }
            if (!(priorWeight >= 0)) {
                throw new IllegalArgumentException("priorWeight is " + priorWeight + "; pass a weight >= 0");
            }
        }

        public static Options defaults() {
            return new Options(10, 24, null, 1.0, true, false, null, true);
        }

        public Options withStartupTrials(int n) {
            return new Options(n, nEiCandidates, gamma, priorWeight, considerMagicClip, considerEndpoints,
                    multivariate, constantLiar);
        }

        public Options withCandidates(int n) {
            return new Options(nStartupTrials, n, gamma, priorWeight, considerMagicClip, considerEndpoints,
                    multivariate, constantLiar);
        }

        public Options withGamma(IntUnaryOperator g) {
            return new Options(nStartupTrials, nEiCandidates, g, priorWeight, considerMagicClip, considerEndpoints,
                    multivariate, constantLiar);
        }

        public Options withMultivariate(boolean m) {
            return new Options(nStartupTrials, nEiCandidates, gamma, priorWeight, considerMagicClip,
                    considerEndpoints, m, constantLiar);
        }

        public Options withConstantLiar(boolean liar) {
            return new Options(nStartupTrials, nEiCandidates, gamma, priorWeight, considerMagicClip,
                    considerEndpoints, multivariate, liar);
        }
    }

    private final Options options;
    private final List<Direction> directions;
    private SplittableRandom rng;
    private final IntUnaryOperator gamma;
    private final boolean multivariate;
    private final List<Trial> finished = new ArrayList<>();
    private final TreeSet<Trial> completeByLoss;
    private final TreeSet<Trial> prunedByScore;
    private final Map<String, AboveDensity> densities = new HashMap<>();

    public TpeSampler(Options options, List<Direction> directions, long seed) {
        if (directions.isEmpty()) {
            throw new IllegalArgumentException("directions is empty; pass one direction per objective");
        }
        this.options = options;
        this.directions = List.copyOf(directions);
        this.rng = new SplittableRandom(seed);
        boolean single = directions.size() == 1;
        this.gamma = options.gamma() != null ? options.gamma()
                : single ? n -> Math.min((int) Math.ceil(0.1 * n), 25) : n -> (int) Math.ceil(0.1 * n);
        this.multivariate = options.multivariate() != null ? options.multivariate() : single;
        double sign = directions.get(0).lossSign();
        this.completeByLoss = new TreeSet<>(Comparator.comparingDouble((Trial t) -> sign * t.values()[0])
                .thenComparingInt(Trial::number));
        this.prunedByScore = new TreeSet<>(Comparator.comparingDouble((Trial t) -> prunedScore(t)[0])
                .thenComparingDouble(t -> prunedScore(t)[1]).thenComparingInt(Trial::number));
    }

    public TpeSampler(Direction direction, long seed) {
        this(Options.defaults(), List.of(direction), seed);
    }

    /** A sampler whose state is that of having been told every finished trial of {@code trials}. */
    public static TpeSampler restore(Options options, List<Direction> directions, long seed,
                                     Collection<Trial> trials) {
        var sampler = new TpeSampler(options, directions, seed);
        trials.stream().filter(t -> t.state().finished()).sorted(Comparator.comparingInt(Trial::number))
                .forEach(sampler::tell);
        return sampler;
    }

    /** Optuna's score of a pruned trial: (-last step, loss there; NaN last), no steps → (1, 0). */
    private double[] prunedScore(Trial t) {
        if (t.intermediateValues().isEmpty()) {
            return new double[]{1, 0};
        }
        var last = t.intermediateValues().lastEntry();
        double v = last.getValue();
        double loss = Double.isNaN(v) ? Double.POSITIVE_INFINITY
                : directions.size() == 1 ? directions.get(0).lossSign() * v : 0;
        return new double[]{-last.getKey(), loss};
    }

    /** Records a finished trial (COMPLETE or PRUNED; FAIL is ignored, as Optuna ignores failed trials). */
    public void tell(Trial trial) {
        if (!trial.state().finished()) {
            throw new IllegalArgumentException("trial " + trial.number() + " is " + trial.state()
                    + "; tell finished trials, pass running ones to ask");
        }
        if (trial.state() == TrialState.FAIL) {
            return;
        }
        if (trial.state() == TrialState.COMPLETE && trial.values().length != directions.size()) {
            throw new IllegalArgumentException("trial " + trial.number() + " has " + trial.values().length
                    + " values for " + directions.size() + " objectives; pass one value per objective");
        }
        int pos = finished.size();
        while (pos > 0 && finished.get(pos - 1).number() > trial.number()) {
            pos--;
        }
        if (pos > 0 && finished.get(pos - 1).number() == trial.number()) {
            throw new IllegalArgumentException("trial " + trial.number() + " was already told");
        }
        finished.add(pos, trial);
        if (trial.state() == TrialState.COMPLETE) {
            completeByLoss.add(trial);
        } else {
            prunedByScore.add(trial);
        }
        for (var e : densities.entrySet()) {
            Double v = trial.params().get(e.getKey());
            if (v != null) {
                e.getValue().add(trial.number(), v);
            }
        }
    }

    /**
     * Makes the following draws depend on {@code seed} (and the trials told) alone. A study shared by several
     * processes reseeds every ask with its seed and the trial number, so two processes never repeat each other's
     * draws and one process reproduces a seeded study.
     */
    public void reseed(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    public int finishedTrials() {
        return finished.size();
    }

    /**
     * Values for every parameter of {@code space} (internal representation): the joint part in multivariate mode,
     * the rest one by one. {@code running}: the other trials still running (not the one being asked for).
     */
    public Map<String, Double> ask(Map<String, Distribution> space, Collection<Trial> running) {
        var out = new LinkedHashMap<String, Double>();
        if (multivariate) {
            out.putAll(sampleRelative(space, running));
        }
        for (var e : space.entrySet()) {
            if (!out.containsKey(e.getKey())) {
                out.put(e.getKey(), sampleIndependent(e.getKey(), e.getValue(), running));
            }
        }
        return out;
    }

    /** One parameter by univariate TPE (random during startup): for define-by-run and conditional parameters. */
    public double sampleIndependent(String name, Distribution distribution, Collection<Trial> running) {
        if (finished.size() < options.nStartupTrials()) {
            return RandomSampler.sample(distribution, rng);
        }
        AboveDensity density = density(name, distribution);
        density.setBelow(belowNumbers());
        var run = runningWith(List.of(name), running);
        int[] runNumbers = new int[run.size()];
        double[] runValues = new double[run.size()];
        for (int i = 0; i < run.size(); i++) {
            runNumbers[i] = run.get(i).number();
            runValues[i] = run.get(i).params().get(name);
        }
        var space = new Distribution[]{distribution};
        var below = new ParzenEstimator(space, new double[][]{density.belowValues()}, belowWeights(density.belowValues().length),
                options.priorWeight(), options.considerMagicClip(), options.considerEndpoints());
        double[][] samples = below.sample(rng, options.nEiCandidates());
        double[] xs = new double[samples.length];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = samples[i][0];
        }
        double[] bounds = new double[xs.length];
        double[] logAbove = density.logAboveFast(xs, runNumbers, runValues, options.priorWeight(),
                options.considerMagicClip(), options.considerEndpoints(), bounds);
        if (logAbove == null) {
            logAbove = density.logAboveExact(xs, runNumbers, runValues, options.priorWeight(),
                    options.considerMagicClip(), options.considerEndpoints());
        }
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < xs.length; i++) {
            double score = below.logPdf(samples[i]) - logAbove[i];
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return xs[best];
    }

    /**
     * Joint TPE over the parameters of {@code space} that every finished trial has (Optuna's intersection search
     * space, single-valued ones left out); empty during startup or when no parameter qualifies.
     */
    public Map<String, Double> sampleRelative(Map<String, Distribution> space, Collection<Trial> running) {
        if (finished.size() < options.nStartupTrials() || finished.isEmpty()) {
            return Map.of();
        }
        List<String> names = new ArrayList<>();
        for (var e : space.entrySet()) {
            if (!e.getValue().single() && density(e.getKey(), e.getValue()).size() == finished.size()) {
                names.add(e.getKey());
            }
        }
        if (names.isEmpty()) {
            return Map.of();
        }
        Distribution[] dists = new Distribution[names.size()];
        for (int d = 0; d < dists.length; d++) {
            dists[d] = space.get(names.get(d));
        }
        Set<Integer> belowSet = new HashSet<>();
        for (int b : belowNumbers()) {
            belowSet.add(b);
        }
        List<Trial> above = new ArrayList<>();
        List<Trial> below = new ArrayList<>();
        for (Trial t : finished) {
            (belowSet.contains(t.number()) ? below : above).add(t);
        }
        above.addAll(runningWith(names, running));
        above.sort(Comparator.comparingInt(Trial::number));
        var l = new ParzenEstimator(dists, columns(below, names), belowWeights(below.size()), options.priorWeight(),
                options.considerMagicClip(), options.considerEndpoints());
        var g = new ParzenEstimator(dists, columns(above, names), null, options.priorWeight(),
                options.considerMagicClip(), options.considerEndpoints());
        double[][] samples = l.sample(rng, options.nEiCandidates());
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < samples.length; i++) {
            double score = l.logPdf(samples[i]) - g.logPdf(samples[i]);
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        var out = new LinkedHashMap<String, Double>();
        for (int d = 0; d < dists.length; d++) {
            out.put(names.get(d), samples[best][d]);
        }
        return out;
    }

    private static double[][] columns(List<Trial> trials, List<String> names) {
        double[][] out = new double[names.size()][trials.size()];
        for (int i = 0; i < trials.size(); i++) {
            for (int d = 0; d < names.size(); d++) {
                out[d][i] = trials.get(i).params().get(names.get(d));
            }
        }
        return out;
    }

    /** Below weights: Optuna's default for one objective, uniform for several. */
    private double[] belowWeights(int n) {
        if (directions.size() == 1) {
            return null;
        }
        double[] w = new double[n];
        Arrays.fill(w, 1.0);
        return w;
    }

    /** Running trials having every name, sorted by number (none without the constant liar). */
    private List<Trial> runningWith(List<String> names, Collection<Trial> running) {
        if (!options.constantLiar() || running == null) {
            return List.of();
        }
        List<Trial> out = new ArrayList<>();
        for (Trial t : running) {
            if (t.state() == TrialState.RUNNING && t.params().keySet().containsAll(names)) {
                out.add(t);
            }
        }
        out.sort(Comparator.comparingInt(Trial::number));
        return out;
    }

    AboveDensity density(String name, Distribution distribution) {
        AboveDensity d = densities.get(name);
        if (d == null || !d.distribution.equals(distribution)) {
            d = new AboveDensity(distribution);
            for (Trial t : finished) {
                Double v = t.params().get(name);
                if (v != null) {
                    d.add(t.number(), v);
                }
            }
            densities.put(name, d);
        }
        return d;
    }

    /** Numbers of the below trials: the best gamma(n) complete ones, then pruned ones by their score. */
    int[] belowNumbers() {
        int k = gamma.applyAsInt(finished.size());
        List<Integer> out = new ArrayList<>();
        if (directions.size() == 1) {
            for (Trial t : completeByLoss) {
                if (out.size() >= k) {
                    break;
                }
                out.add(t.number());
            }
        } else {
            out.addAll(belowMultiObjective(k));
        }
        for (Trial t : prunedByScore) {
            if (out.size() >= k) {
                break;
            }
            out.add(t.number());
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private List<Integer> belowMultiObjective(int k) {
        List<Trial> complete = new ArrayList<>(completeByLoss);
        complete.sort(Comparator.comparingInt(Trial::number));
        int n = complete.size();
        k = Math.min(k, n);
        List<Integer> out = new ArrayList<>();
        if (k == 0) {
            return out;
        }
        double[][] losses = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] v = complete.get(i).values();
            losses[i] = new double[v.length];
            for (int j = 0; j < v.length; j++) {
                losses[i][j] = directions.get(j).lossSign() * v[j];
            }
        }
        int[] rank = Pareto.ranks(losses, k);
        int maxRank = 0;
        for (int r : rank) {
            if (r != Integer.MAX_VALUE) {
                maxRank = Math.max(maxRank, r);
            }
        }
        List<Integer> tie = new ArrayList<>();
        for (int r = 0; r <= maxRank; r++) {
            List<Integer> atRank = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (rank[i] == r) {
                    atRank.add(i);
                }
            }
            if (out.size() + atRank.size() <= k) {
                for (int i : atRank) {
                    out.add(complete.get(i).number());
                }
            } else {
                tie = atRank;
                break;
            }
        }
        if (out.size() < k && !tie.isEmpty()) {
            for (int i : Pareto.selectByHypervolume(losses, tie, k - out.size())) {
                out.add(complete.get(i).number());
            }
        }
        return out;
    }
}
