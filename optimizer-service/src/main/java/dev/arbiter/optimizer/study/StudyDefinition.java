package dev.arbiter.optimizer.study;

import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.engine.study.Direction;
import dev.arbiter.engine.study.MedianPruner;
import dev.arbiter.engine.study.PercentilePruner;
import dev.arbiter.engine.study.Pruner;
import dev.arbiter.engine.study.SuccessiveHalvingPruner;
import dev.arbiter.engine.study.TpeSampler;
import dev.arbiter.engine.study.WilcoxonPruner;
import dev.arbiter.proto.v1.PrunerConfig;
import dev.arbiter.proto.v1.SamplerConfig;
import dev.arbiter.proto.v1.SamplerKind;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.StudyDirection;
import dev.arbiter.proto.v1.StudyObjective;
import dev.arbiter.service.Identifiers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A study definition as CreateStudy takes it, checked field by field: the name, the objectives and their
 * directions, the search space, the sampler and the pruner. What the engine needs is built from it here.
 */
public record StudyDefinition(Study study, SearchSpace space, List<Direction> directions) {

    /** Checks a CreateStudy request's study and keeps only the fields a definition has. */
    public static StudyDefinition check(Study s, int maxNameLength) {
        Identifiers.requireIdentifier("study.study_name", s.getStudyName(), maxNameLength, "the study");
        if (s.getObjectivesCount() == 0) {
            throw invalid("study.objectives", "study.objectives is empty; give at least one objective with its direction");
        }
        List<Direction> directions = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < s.getObjectivesCount(); i++) {
            StudyObjective o = s.getObjectives(i);
            String field = "study.objectives[" + i + "]";
            if (o.getDirection() == StudyDirection.STUDY_DIRECTION_UNSPECIFIED || o.getDirection() == StudyDirection.UNRECOGNIZED) {
                throw invalid(field + ".direction", field + ".direction is not set; choose STUDY_DIRECTION_MINIMIZE or"
                        + " STUDY_DIRECTION_MAXIMIZE");
            }
            if (!o.getName().isEmpty() && !names.add(o.getName())) {
                throw invalid(field + ".name", field + ".name \"" + o.getName() + "\" names another objective too; give each"
                        + " objective its own name");
            }
            directions.add(o.getDirection() == StudyDirection.STUDY_DIRECTION_MINIMIZE ? Direction.MINIMIZE : Direction.MAXIMIZE);
        }
        SearchSpace space = SearchSpace.of(s.getSearchSpaceMap());
        sampler(s.getSampler(), directions.size());
        pruner(s.getPruner());
        Study kept = Study.newBuilder()
                .setStudyName(s.getStudyName())
                .addAllObjectives(s.getObjectivesList())
                .putAllSearchSpace(s.getSearchSpaceMap())
                .setSampler(s.getSampler())
                .setPruner(s.getPruner())
                .setDescription(s.getDescription())
                .putAllUserAttrs(s.getUserAttrsMap())
                .build();
        if (s.hasEvaluation()) {
            kept = kept.toBuilder().setEvaluation(s.getEvaluation()).build();
        }
        return new StudyDefinition(kept, space, List.copyOf(directions));
    }

    /** A stored definition, trusted. */
    public static StudyDefinition of(Study stored) {
        return check(stored, Integer.MAX_VALUE);
    }

    /** The sampler's options; the TPE kinds need n_startup_trials within reason. */
    static TpeSampler.Options sampler(SamplerConfig c, int objectives) {
        if (c.getKind() == SamplerKind.UNRECOGNIZED) {
            throw invalid("study.sampler.kind", "study.sampler.kind is the unknown value " + c.getKindValue()
                    + "; choose SAMPLER_KIND_TPE or SAMPLER_KIND_RANDOM");
        }
        TpeSampler.Options o = TpeSampler.Options.defaults();
        if (c.hasNStartupTrials()) {
            o = o.withStartupTrials(c.getNStartupTrials());
        }
        // Several workers share a study: by default the running trials count as "bad" (Optuna's constant liar), so
        // concurrent asks spread out instead of sampling the same spot.
        o = o.withConstantLiar(!c.hasConstantLiar() || c.getConstantLiar());
        return o.withMultivariate(c.getMultivariate());
    }

    public TpeSampler.Options samplerOptions() {
        return sampler(study.getSampler(), directions.size());
    }

    /** The pruner, or null for none. */
    static Pruner pruner(PrunerConfig c) {
        int startup = c.hasNStartupTrials() ? c.getNStartupTrials() : 5;
        int warmup = c.hasNWarmupSteps() ? c.getNWarmupSteps() : 0;
        int interval = c.hasIntervalSteps() ? c.getIntervalSteps() : 1;
        if (interval < 1) {
            throw invalid("study.pruner.interval_steps", "study.pruner.interval_steps is 0; give 1 or more, or leave it unset for 1");
        }
        try {
            return switch (c.getKind()) {
                case PRUNER_KIND_UNSPECIFIED, PRUNER_KIND_MEDIAN -> new MedianPruner(startup, warmup, interval, 1);
                case PRUNER_KIND_NONE -> null;
                case PRUNER_KIND_PERCENTILE -> {
                    if (!c.hasPercentile()) {
                        throw invalid("study.pruner.percentile", "study.pruner.percentile is not set; give a percentile in [0, 100]"
                                + " (25 keeps the best quarter)");
                    }
                    yield new PercentilePruner(c.getPercentile(), startup, warmup, interval, 1);
                }
                case PRUNER_KIND_SUCCESSIVE_HALVING -> new SuccessiveHalvingPruner(
                        c.hasMinResource() ? c.getMinResource() : 0, c.hasReductionFactor() ? c.getReductionFactor() : 4,
                        c.getMinEarlyStoppingRate(), 0);
                case PRUNER_KIND_WILCOXON -> new WilcoxonPruner(c.hasPThreshold() ? c.getPThreshold() : 0.1,
                        c.hasNStartupSteps() ? c.getNStartupSteps() : 2);
                case UNRECOGNIZED -> throw invalid("study.pruner.kind", "study.pruner.kind is the unknown value "
                        + c.getKindValue() + "; choose one of the PrunerKind values");
            };
        } catch (IllegalArgumentException e) {
            throw invalid("study.pruner", "study.pruner: " + e.getMessage());
        }
    }

    public Pruner pruner() {
        return pruner(study.getPruner());
    }
}
