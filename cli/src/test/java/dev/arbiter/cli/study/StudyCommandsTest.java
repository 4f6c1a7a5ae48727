package dev.arbiter.cli.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.Cli;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.proto.v1.Distribution;
import dev.arbiter.proto.v1.FloatDistribution;
import dev.arbiter.proto.v1.IntermediateValue;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.PrunerKind;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.StudyDirection;
import dev.arbiter.proto.v1.StudyObjective;
import dev.arbiter.proto.v1.Trial;
import dev.arbiter.proto.v1.TrialState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What study create sends for its options, its option mistakes, and the HTML report's content. */
class StudyCommandsTest {

    @Test
    void createSendsTheSpaceObjectivesPrunerAndTheBacktestAsEvaluation() throws Exception {
        Study s = Cli.<StudyCreateCommand>parse("study", "create", "--study", "demand-tpe", "--series", "demand", "--train", "1500",
                "--test", "500", "--folds", "4", "--horizon", "4", "--members", "logreg", "--space", "gate.min_edge=0:0.25",
                "--space", "confidence.edge_scale=0.5:10:log", "--space", "risk.cooldown_losses=0:6:int", "--objective",
                "sharpe:max", "--objective", "false_positive_actions:min", "--pruner", "percentile:25", "--seed", "7").study();
        assertEquals("demand-tpe", s.getStudyName());
        assertEquals(FloatDistribution.newBuilder().setLow(0.5).setHigh(10).setLog(true).build(),
                s.getSearchSpaceOrThrow("confidence.edge_scale").getFloatDistribution());
        assertEquals(6, s.getSearchSpaceOrThrow("risk.cooldown_losses").getIntDistribution().getHigh());
        assertEquals(List.of(StudyObjective.newBuilder().setName("sharpe").setDirection(StudyDirection.STUDY_DIRECTION_MAXIMIZE).build(),
                StudyObjective.newBuilder().setName("false_positive_actions").setDirection(StudyDirection.STUDY_DIRECTION_MINIMIZE).build()),
                s.getObjectivesList());
        assertEquals(PrunerKind.PRUNER_KIND_PERCENTILE, s.getPruner().getKind());
        assertEquals(25, s.getPruner().getPercentile());
        assertEquals(7, s.getSampler().getSeed());
        assertEquals("demand", s.getEvaluation().getBacktest().getSeriesIds(0));
        assertEquals(4, s.getEvaluation().getBacktest().getWalkForward().getMaxFolds());
        assertEquals(0, s.getEvaluation().getBacktest().getAblationVariantsCount(), "a trial needs no ablation rows");
    }

    @Test
    void optionMistakesAreCaughtBeforeAnyCall() {
        String[] base = {"study", "create", "--study", "x", "--series", "s", "--train", "10", "--test", "5"};
        for (String[] extra : List.of(new String[] {"--space", "gate.min_edge"}, new String[] {"--space", "gate.min_edge=0"},
                new String[] {"--space", "gate.min_edge=a:b"}, new String[] {"--space", "gate.min_edge=0:1:cubic"},
                new String[] {"--space", "gate.min_edge=0:1", "--objective", "sharpe"},
                new String[] {"--space", "gate.min_edge=0:1", "--pruner", "sometimes"},
                new String[] {"--space", "gate.min_edge=0:1", "--pruner", "percentile:x"})) {
            List<String> args = new ArrayList<>(List.of(base));
            args.addAll(List.of(extra));
            assertThrows(UsageError.class, () -> Cli.<StudyCreateCommand>parse(args.toArray(String[]::new)).study(), String.join(" ", extra));
        }
    }

    static Trial trial(int number, double x, double y, TrialState state, double... values) {
        Trial.Builder t = Trial.newBuilder().setNumber(number).setState(state)
                .putParams("x", ParameterValue.newBuilder().setDoubleValue(x).build())
                .putParams("y", ParameterValue.newBuilder().setDoubleValue(y).build());
        for (double v : values) {
            t.addValues(v);
        }
        return t.build();
    }

    @Test
    void theReportHasTheHistoryTheImportancesAndTheParetoFront() {
        Study study = Study.newBuilder().setStudyName("s<1>")
                .addObjectives(StudyObjective.newBuilder().setName("sharpe").setDirection(StudyDirection.STUDY_DIRECTION_MAXIMIZE))
                .addObjectives(StudyObjective.newBuilder().setName("fp").setDirection(StudyDirection.STUDY_DIRECTION_MINIMIZE))
                .putSearchSpace("x", Distribution.getDefaultInstance()).putSearchSpace("y", Distribution.getDefaultInstance())
                .setCompleteTrials(20).build();
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            double x = i / 20.0;
            double y = ((i * 7) % 20) / 20.0; // unrelated to the value
            trials.add(trial(i, x, y, TrialState.TRIAL_STATE_COMPLETE, 2 * x, 10 - i % 5));
        }
        trials.add(trial(20, 0.5, 0.5, TrialState.TRIAL_STATE_PRUNED).toBuilder()
                .addIntermediateValues(IntermediateValue.newBuilder().setStep(0).setValue(0.1)).build());
        Map<String, Double> importance = StudyReportCommand.importance(study, trials.subList(0, 20));
        assertEquals(List.of("x", "y"), List.copyOf(importance.keySet()), "x drives the value, y does not");
        assertEquals(1.0, importance.get("x") + importance.get("y"), 1e-12);
        assertTrue(importance.get("x") > 0.6 && importance.get("x") > 2 * importance.get("y"), importance.toString());

        String html = StudyReportCommand.html(study, trials, List.of(trials.get(19), trials.get(15)));
        assertTrue(html.contains("Optimisation history: sharpe"), "the history plot");
        assertTrue(html.contains("Method: absolute Spearman rank correlation"), "the importances say their method");
        assertTrue(html.contains("Pareto front: sharpe against fp"), "two objectives: the front");
        assertTrue(html.contains("class=\"front\""), "front points are marked");
        assertTrue(html.contains("class=\"pruned\""), "the pruned trial at its last value");
        assertTrue(html.contains("Study s&lt;1&gt;"), "the name is escaped");
        assertFalse(html.contains("s<1>"));

        Study one = study.toBuilder().removeSearchSpace("y").clearObjectives().addObjectives(study.getObjectives(0)).build();
        assertFalse(StudyReportCommand.html(one, trials, List.of(trials.get(19))).contains("Pareto front"),
                "one objective: no front");
    }
}
