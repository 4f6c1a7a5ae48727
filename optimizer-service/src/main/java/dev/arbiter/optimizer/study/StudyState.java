package dev.arbiter.optimizer.study;

import dev.arbiter.engine.study.Pruner;
import dev.arbiter.engine.study.RandomSampler;
import dev.arbiter.engine.study.StudyView;
import dev.arbiter.engine.study.TpeSampler;
import dev.arbiter.engine.study.Trial;
import dev.arbiter.engine.study.TrialState;
import dev.arbiter.proto.v1.IntermediateValue;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.SamplerKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one process knows of one study: its definition, its sampler fed incrementally with the trials finished so far
 * (read by finish sequence, so nothing is read twice), and its pruner. Used only inside the study's row lock
 * ({@link StudyStore#locked}), which serialises every process and thread that touches it; the monitor adds the
 * memory visibility the database lock does not give.
 */
final class StudyState {

    final long id;
    final StudyDefinition definition;
    private final TpeSampler tpe;
    private final long seed;
    private final Pruner pruner;
    private final Map<Integer, Trial> finished = new HashMap<>();
    private long lastSeq;

    StudyState(long id, StudyDefinition definition, long processSeed) {
        this.id = id;
        this.definition = definition;
        var sampler = definition.study().getSampler();
        this.seed = sampler.hasSeed() ? sampler.getSeed() : processSeed;
        this.tpe = sampler.getKind() == SamplerKind.SAMPLER_KIND_RANDOM ? null
                : new TpeSampler(definition.samplerOptions(), definition.directions(), seed);
        this.pruner = definition.pruner();
    }

    /** Reads what finished since the last look and feeds the sampler. Call inside the study lock. */
    synchronized void sync(Connection c) throws SQLException {
        for (StudyStore.StoredTrial t : StudyStore.finishedSince(c, id, lastSeq)) {
            Trial engine = engine(t.trial());
            finished.put(engine.number(), engine);
            if (tpe != null) {
                tpe.tell(engine);
            }
            lastSeq = Math.max(lastSeq, t.finishSeq());
        }
    }

    /** Parameters for trial {@code number}, given the trials running now. Call inside the study lock after sync. */
    synchronized Map<String, Double> sample(int number, Collection<dev.arbiter.proto.v1.Trial> running) {
        // each trial's draws depend on the study seed and its number only: two processes never repeat each other
        long trialSeed = seed * 0x9E3779B97F4A7C15L + number;
        if (tpe == null) {
            return new RandomSampler(trialSeed).ask(definition.space().distributions());
        }
        List<Trial> liars = new ArrayList<>(running.size());
        for (dev.arbiter.proto.v1.Trial t : running) {
            liars.add(engine(t));
        }
        tpe.reseed(trialSeed);
        return tpe.ask(definition.space().distributions(), liars);
    }

    /** The pruner's verdict on a running trial with its intermediate values. Call inside the study lock after sync. */
    synchronized boolean shouldPrune(dev.arbiter.proto.v1.Trial running) {
        if (pruner == null) {
            return false;
        }
        List<Trial> trials = new ArrayList<>(finished.values());
        Trial current = engine(running);
        trials.add(current);
        return pruner.shouldPrune(new StudyView.Snapshot(definition.directions(), trials), current);
    }

    Trial engine(dev.arbiter.proto.v1.Trial t) {
        return engine(definition, t);
    }

    /** The engine's view of a contract trial: internal parameter values, state, values, intermediate values. */
    static Trial engine(StudyDefinition definition, dev.arbiter.proto.v1.Trial t) {
        Map<String, Double> params = new HashMap<>();
        for (Map.Entry<String, ParameterValue> e : t.getParamsMap().entrySet()) {
            if (definition.space().distributions().containsKey(e.getKey())) {
                params.put(e.getKey(), definition.space().internal("params", e.getKey(), e.getValue()));
            }
        }
        TreeMap<Integer, Double> intermediate = new TreeMap<>();
        for (IntermediateValue v : t.getIntermediateValuesList()) {
            intermediate.put((int) v.getStep(), v.getValue());
        }
        TrialState state = switch (t.getState()) {
            case TRIAL_STATE_COMPLETE -> TrialState.COMPLETE;
            case TRIAL_STATE_PRUNED -> TrialState.PRUNED;
            case TRIAL_STATE_FAIL -> TrialState.FAIL;
            default -> TrialState.RUNNING;
        };
        double[] values = state == TrialState.COMPLETE ? t.getValuesList().stream().mapToDouble(Double::doubleValue).toArray() : null;
        return new Trial(t.getNumber(), state, params, values, intermediate);
    }
}
