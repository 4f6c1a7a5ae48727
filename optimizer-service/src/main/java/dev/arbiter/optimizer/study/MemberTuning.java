package dev.arbiter.optimizer.study;

import static dev.arbiter.service.RequestRefused.precondition;

import dev.arbiter.engine.study.CategoricalDistribution;
import dev.arbiter.engine.study.Distribution;
import dev.arbiter.engine.study.FloatDistribution;
import dev.arbiter.engine.study.IntDistribution;
import dev.arbiter.optimizer.backtest.WalkForwardBacktest;
import dev.arbiter.optimizer.training.Hyperparameters;
import dev.arbiter.optimizer.training.ModelSettings;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RunTrials with the members' hyperparameters in the search space, named {@code members[i].<hyperparameter>} (i
 * indexes the evaluation's {@code backtest.members}, e.g. {@code members[0].max_depth}). A trial's policy parameters
 * are simulated over test-window predictions; its member hyperparameters change those predictions, so each distinct
 * assignment of them gets its own walk-forward preparation (members retrained and test windows predicted in every
 * fold, seconds rather than microseconds), kept for the trials that share it: the most recently used
 * {@code capacity} are kept, and a worker that needs one another worker is preparing waits for it instead of training
 * it twice. The policy parameters of the trials that share an assignment are then evaluated together
 * ({@link TrialEvaluation#evaluateAll}). Without member names there is one preparation, made before the first trial.
 */
final class MemberTuning {

    static final Pattern MEMBER = Pattern.compile("members\\[(\\d+)]\\.([a-z_]+)");

    private final Function<List<ModelSettings>, TrialEvaluation> prepare;
    private final List<ModelSettings> members;
    private final int capacity;
    private final LinkedHashMap<Map<String, Double>, FutureTask<TrialEvaluation>> prepared =
            new LinkedHashMap<>(16, 0.75f, true);

    /**
     * @param members  the evaluation's members as configured (what a trial's member values change)
     * @param prepare  prepares the evaluation for members (blocking; IllegalArgumentException when they do not fit)
     * @param capacity how many preparations to keep
     */
    MemberTuning(List<ModelSettings> members, Function<List<ModelSettings>, TrialEvaluation> prepare, int capacity) {
        this.members = members;
        this.prepare = prepare;
        this.capacity = capacity;
    }

    /** True when the name is a member hyperparameter's ({@code members[i].name}). */
    static boolean isMember(String name) {
        return MEMBER.matcher(name).matches();
    }

    /**
     * Checks a member name of the search space against the evaluation's members: the index exists, the member's kind
     * has the hyperparameter, the distribution is numeric (whole numbers for a whole-number hyperparameter) and lies
     * in the hyperparameter's range. FAILED_PRECONDITION naming the study's field otherwise.
     */
    static void check(String name, Distribution d, List<ModelTrainingConfig> configs) {
        String field = "study.search_space[\"" + name + "\"]";
        Matcher m = MEMBER.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException(name + " is not a member name");
        }
        int index = Integer.parseInt(m.group(1));
        if (index >= configs.size()) {
            throw precondition(field, field + " names member " + index + ", but the evaluation's backtest has "
                    + configs.size() + " member(s) (study.evaluation.backtest.members); index them from 0");
        }
        var kind = configs.get(index).getKind();
        Hyperparameters.Spec spec = Hyperparameters.of(kind).get(m.group(2));
        if (spec == null) {
            throw precondition(field, field + ": " + kind + " (member " + index + ") has no hyperparameter " + m.group(2)
                    + "; its hyperparameters are " + Hyperparameters.of(kind).keySet());
        }
        double low;
        double high;
        if (d instanceof IntDistribution i) {
            low = i.low();
            high = i.high();
        } else if (d instanceof FloatDistribution f && !spec.integer()) {
            low = f.low();
            high = f.high();
        } else if (d instanceof CategoricalDistribution) {
            throw precondition(field, field + " is categorical, but " + m.group(2) + " is a number; give it "
                    + (spec.integer() ? "an int" : "a float or int") + " distribution");
        } else {
            throw precondition(field, field + " is a float distribution, but " + m.group(2) + " (" + spec.description()
                    + ") is a whole number; give it an int distribution");
        }
        boolean lowOut = spec.minExclusive() ? !(low > spec.min()) : !(low >= spec.min());
        if (lowOut || !(high <= spec.max())) {
            throw precondition(field, field + " ranges over [" + low + ", " + high + "], but " + m.group(2) + " of "
                    + kind + " must lie in " + (spec.minExclusive() ? "(" : "[") + spec.min() + ", " + spec.max()
                    + "]; narrow the distribution");
        }
    }

    /** The member part of a trial's params, sorted by name: the key of its preparation. */
    static Map<String, Double> memberPart(Map<String, Double> params) {
        Map<String, Double> out = new TreeMap<>();
        params.forEach((k, v) -> {
            if (isMember(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The members with an assignment's hyperparameters set. */
    List<ModelSettings> members(Map<String, Double> assignment) {
        List<ModelSettings> out = new ArrayList<>(members);
        assignment.forEach((name, value) -> {
            Matcher m = MEMBER.matcher(name);
            if (!m.matches()) {
                throw new IllegalArgumentException(name + " is not a member name");
            }
            int i = Integer.parseInt(m.group(1));
            ModelSettings s = out.get(i);
            Map<String, Double> hyper = new LinkedHashMap<>(s.hyperparameters());
            hyper.put(m.group(2), value);
            out.set(i, new ModelSettings(s.kind(), s.calibration(), java.util.Collections.unmodifiableMap(hyper)));
        });
        return out;
    }

    /** The evaluation for an assignment of member hyperparameters ({} = the members as configured). Blocking. */
    TrialEvaluation evaluation(Map<String, Double> assignment) {
        FutureTask<TrialEvaluation> task;
        boolean mine = false;
        synchronized (prepared) {
            task = prepared.get(assignment);
            if (task == null) {
                Map<String, Double> key = Map.copyOf(assignment);
                task = new FutureTask<>(() -> prepare.apply(members(key)));
                prepared.put(key, task);
                mine = true;
                if (prepared.size() > capacity) {
                    var eldest = prepared.keySet().iterator();
                    eldest.next();
                    eldest.remove();
                }
            }
        }
        if (mine) {
            task.run();
        }
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the members were prepared", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Evaluates a batch: its trials grouped by their member hyperparameters, each group's policy parameters over that
     * group's preparation. A preparation the members refuse (IllegalArgumentException) fails the group's trials with
     * the reason.
     */
    void evaluateAll(List<TrialEvaluation.Candidate> batch) {
        Map<Map<String, Double>, List<TrialEvaluation.Candidate>> groups = new LinkedHashMap<>();
        for (TrialEvaluation.Candidate c : batch) {
            groups.computeIfAbsent(memberPart(c.params), k -> new ArrayList<>()).add(c);
        }
        groups.forEach((assignment, group) -> {
            TrialEvaluation evaluation;
            try {
                evaluation = evaluation(assignment);
            } catch (IllegalArgumentException e) {
                group.forEach(c -> c.refused = "the members " + assignment + " cannot be trained: " + e.getMessage());
                return;
            }
            if (assignment.isEmpty()) {
                evaluation.evaluateAll(group);
                return;
            }
            List<TrialEvaluation.Candidate> policyOnly = new ArrayList<>(group.size());
            for (TrialEvaluation.Candidate c : group) {
                Map<String, Double> policy = new LinkedHashMap<>(c.params);
                policy.keySet().removeIf(MemberTuning::isMember);
                policyOnly.add(new TrialEvaluation.Candidate(policy, c.prune));
            }
            evaluation.evaluateAll(policyOnly);
            for (int i = 0; i < group.size(); i++) {
                group.get(i).outcome = policyOnly.get(i).outcome;
                group.get(i).refused = policyOnly.get(i).refused;
            }
        });
    }

    /** How many preparations are kept now (for tests). */
    int kept() {
        synchronized (prepared) {
            return prepared.size();
        }
    }

    /** The settings of a backtest with other members. */
    static WalkForwardBacktest.Settings withMembers(WalkForwardBacktest.Settings s, List<ModelSettings> members) {
        return new WalkForwardBacktest.Settings(members, s.parameters(), s.rules(), s.expanding(), s.train(), s.test(),
                s.step(), s.gap(), s.maxFolds(), s.costPerTurnover(), s.seed());
    }
}
