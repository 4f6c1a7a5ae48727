package dev.arbiter.cli.optimizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.Cli;
import dev.arbiter.cli.client.Failures;
import dev.arbiter.cli.client.UsageError;
import dev.arbiter.cli.options.ModelKindOption;
import dev.arbiter.proto.v1.AblationVariant;
import dev.arbiter.proto.v1.BacktestSpec;
import dev.arbiter.proto.v1.FoldScheme;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.RegistrationPolicy;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleSet;
import dev.arbiter.proto.v1.ThresholdSide;
import dev.arbiter.proto.v1.TrainingSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What train, backtest and stress send for their options, and the option mistakes caught before any call. */
class OptimizerOptionsTest {

    @Test
    void trainSendsKindLabelHyperparametersAndRegistration() {
        TrainingSpec s = Cli.<TrainCommand>parse("train", "--kind", "rf", "--series", "Demand UK", "--label", "threshold",
                "--horizon", "4", "--window", "48", "--percentile", "90", "--side", "below", "--param", "n_estimators=30",
                "--param", "subsample=0.5", "--register", "never", "--seed", "7", "--from", "2014-01-01").spec();
        assertEquals("rf-demand-uk", s.getModelName(), "default name: KIND-SERIES in the characters model names allow");
        assertEquals(ModelKind.MODEL_KIND_RANDOM_FOREST, s.getModel().getKind());
        assertEquals(ParameterValue.newBuilder().setIntValue(30).build(), s.getModel().getHyperparametersOrThrow("n_estimators"));
        assertEquals(ParameterValue.newBuilder().setDoubleValue(0.5).build(), s.getModel().getHyperparametersOrThrow("subsample"));
        assertEquals(4, s.getLabel().getThresholdEvent().getHorizonObservations());
        assertEquals(48, s.getLabel().getThresholdEvent().getTrailingWindowObservations());
        assertEquals(ThresholdSide.THRESHOLD_SIDE_BELOW, s.getLabel().getThresholdEvent().getSide());
        assertEquals(RegistrationPolicy.REGISTRATION_POLICY_NEVER, s.getRegistration());
        assertEquals(1388534400_000000L, s.getRange().getStartTsMicros());
        assertEquals(7, s.getSeed());
    }

    @Test
    void retrainSendsTheModelTheEnsembleTheReasonAndAnOptionalChallengerKind() {
        var plain = Cli.<RetrainCommand>parse("retrain", "gbt-demand", "--ensemble", "default", "--reason", "monthly").request();
        assertEquals("gbt-demand", plain.getModelName());
        assertEquals("default", plain.getEnsembleName());
        assertEquals("monthly", plain.getReason());
        assertFalse(plain.hasChallenger(), "the champion's own model");
        var other = Cli.<RetrainCommand>parse("retrain", "logreg-demand", "--ensemble", "e", "--reason", "r", "--kind", "gbt",
                "--param", "max_depth=3").request();
        assertEquals(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES, other.getChallenger().getKind());
        assertEquals(ParameterValue.newBuilder().setIntValue(3).build(), other.getChallenger().getHyperparametersOrThrow("max_depth"));
        UsageError noKind = assertThrows(UsageError.class, () -> Cli.<RetrainCommand>parse("retrain", "m", "--ensemble", "e",
                "--reason", "r", "--param", "max_depth=3").request());
        assertTrue(noKind.getMessage().contains("--kind"), noKind.getMessage());
    }

    @Test
    void trainMetaOfSendsTheLearnedGatesMembers() {
        TrainingSpec s = Cli.<TrainCommand>parse("train", "--kind", "logreg", "--series", "demand", "--horizon", "4",
                "--name", "gate-demand", "--meta-of", "gbt,logreg").spec();
        assertEquals(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION, s.getModel().getKind());
        assertEquals(List.of(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES, ModelKind.MODEL_KIND_LOGISTIC_REGRESSION),
                s.getMeta().getMembersList().stream().map(dev.arbiter.proto.v1.ModelTrainingConfig::getKind).toList());
        assertFalse(Cli.<TrainCommand>parse("train", "--kind", "gbt", "--series", "demand").spec().hasMeta(),
                "without --meta-of: a member");

    }

    @Test
    void backtestSendsFoldsMembersTheirHyperparametersOverridesAndTheAblationRows(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.txt");
        Files.writeString(rules, "# calm markets only\ngate calm: features.vol_20 < 0.03\n\nsizing half: agreement < 0.75 ? 0.5 : 1.0\n");
        BacktestSpec s = Cli.<BacktestCommand>parse("backtest", "--series", "demand", "--train", "1500", "--test", "500",
                "--folds", "3", "--expanding", "--horizon", "4", "--members", "gbt,logreg", "--member-param",
                "gbt.n_estimators=40", "--param", "gate.min_confidence=0.6", "--rules-file", rules.toString(), "--cost", "0.0001",
                "--seed", "3").spec();
        assertEquals(FoldScheme.FOLD_SCHEME_EXPANDING, s.getWalkForward().getScheme());
        assertEquals(1500, s.getWalkForward().getTrainObservations());
        assertEquals(3, s.getWalkForward().getMaxFolds());
        assertEquals(4, s.getLabel().getForwardReturnSign().getHorizonObservations());
        assertEquals(List.of(ModelKind.MODEL_KIND_GRADIENT_BOOSTED_TREES, ModelKind.MODEL_KIND_LOGISTIC_REGRESSION),
                s.getMembersList().stream().map(m -> m.getKind()).toList());
        assertEquals(40, s.getMembers(0).getHyperparametersOrThrow("n_estimators").getIntValue());
        assertEquals(0, s.getMembers(1).getHyperparametersCount());
        assertEquals(0.6, s.getParameterOverridesOrThrow("gate.min_confidence").getDoubleValue());
        assertEquals(List.of(AblationVariant.ABLATION_VARIANT_SINGLE_MODEL_THRESHOLD, AblationVariant.ABLATION_VARIANT_ENSEMBLE,
                AblationVariant.ABLATION_VARIANT_ENSEMBLE_GATED_RISK,
                AblationVariant.ABLATION_VARIANT_ENSEMBLE_GATED_RISK_LEARNED_GATE), s.getAblationVariantsList());
        RuleSet r = s.getInlineRuleSet();
        assertEquals(2, r.getRulesCount());
        assertEquals("calm", r.getRules(0).getRuleId());
        assertEquals("features.vol_20 < 0.03", r.getRules(0).getExpression());
        assertEquals(RuleKind.RULE_KIND_SIZING, r.getRules(1).getKind());
        assertEquals(0.0001, s.getCostPerTurnover());
    }

    @Test
    void optionMistakesAreUsageErrorsBeforeAnyCall() {
        Cli.Result negative = Cli.run("backtest", "--series", "d", "--train", "-5", "--test", "10");
        assertEquals(Failures.USAGE, negative.exitCode());
        assertTrue(negative.err().contains("--train is -5; give a whole number of at least 1"), negative.err());
        Cli.Result notAMember = Cli.run("backtest", "--series", "d", "--train", "5", "--test", "10", "--members", "gbt",
                "--member-param", "rf.max_depth=3");
        assertEquals(Failures.USAGE, notAMember.exitCode());
        assertTrue(notAMember.err().contains("names rf, which is not among --members [gbt]"), notAMember.err());
        Cli.Result badParam = Cli.run("train", "--kind", "gbt", "--series", "d", "--param", "max_depth");
        assertEquals(Failures.USAGE, badParam.exitCode());
        assertTrue(badParam.err().contains("--param 'max_depth' is not name=value"), badParam.err());
        UsageError bad = assertThrows(UsageError.class, () -> RulesFile.parse("r.txt", List.of("gate x < 1")));
        assertTrue(bad.getMessage().startsWith("rules file r.txt, line 1: expected '<gate|sizing> <rule_id>: <CEL expression>'"),
                bad.getMessage());
    }

    @Test
    void winsFollowFromPrecisionAndLosingActions() {
        PerformanceMetrics m = PerformanceMetrics.newBuilder().setActionCount(412).setPrecision(230.0 / 412)
                .setFalsePositiveActions(182).build();
        assertEquals(230, ReportPrinter.wins(m));
        assertEquals(9, ReportPrinter.wins(PerformanceMetrics.newBuilder().setActionCount(9).setPrecision(1).build()));
        assertEquals(0, ReportPrinter.wins(PerformanceMetrics.newBuilder().setActionCount(0).build()));
        assertEquals(0, ReportPrinter.wins(PerformanceMetrics.newBuilder().setActionCount(5).setPrecision(0)
                .setFalsePositiveActions(5).build()));
    }

    @Test
    void everyModelKindPrintsAShortName() {
        for (ModelKind kind : ModelKind.values()) {
            if (kind != ModelKind.MODEL_KIND_UNSPECIFIED && kind != ModelKind.UNRECOGNIZED) {
                String name = ModelKindOption.name(kind);
                assertTrue(name.length() <= 6 && !name.contains("MODEL_KIND"), kind + " prints as " + name);
            }
        }
        assertEquals("logreg", ModelKindOption.name(ModelKind.MODEL_KIND_LOGISTIC_REGRESSION));
        assertEquals("gbt", ModelKindOption.GBT.toString()); // --member takes the same names
    }
}
