package dev.arbiter.cli.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.cli.demo.DemoReport.CalibrationBin;
import dev.arbiter.cli.demo.Svg.Axis;
import dev.arbiter.proto.v1.BacktestComparison;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.ProposalSource;
import dev.arbiter.proto.v1.ProposalState;
import dev.arbiter.proto.v1.ProposeRulesResponse;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.RuleValidation;
import dev.arbiter.proto.v1.ValidationStage;
import dev.arbiter.proto.v1.ValidationStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's HTML report: five plots, a marker per action, the numbers behind the plots, escaping, edge cases. */
class DemoReportTest {

    private static final long T0 = 1_700_000_000_000_000L;
    private static final long MINUTE = 60_000_000L;
    private static final int HORIZON = 5;

    @Test
    void fivePlotsAndOneMarkerPerAction() {
        List<DemoStep> steps = walk(2_000, 42);
        String html = DemoReport.html(summary("EURUSD"), steps, "demo");
        assertEquals(5, count(html, "<svg"));
        assertEquals(steps.stream().filter(s -> s.direction() > 0).count(), count(html, "class=\"long"));
        assertEquals(steps.stream().filter(s -> s.direction() < 0).count(), count(html, "class=\"short"));
        long falsePositives = steps.stream().filter(DemoStep::falsePositive).count();
        assertTrue(falsePositives > 0);
        assertEquals(falsePositives, count(html, " fp\""));
        assertFalse(html.contains("no data"), "every plot has data");
        assertFalse(html.contains("NaN"), "unsettled steps leave no NaN behind");
        assertTrue(html.contains("p50 1.50 ms") && html.contains("p99 9.00 ms"), "latency percentiles are marked");
    }

    @Test
    void calibrationPointsAreTheObservedFrequencies() {
        List<DemoStep> steps = List.of(
                step(0, 1.0, 0.75, 0.01), step(1, 1.0, 0.75, 0.02), step(2, 1.0, 0.75, 0.03), step(3, 1.0, 0.75, -0.01),
                step(4, 1.0, 0.125, 0.01), step(5, 1.0, 0.1875, 0.0), // a zero return is no rise
                step(6, 1.0, 0.95, Double.NaN)); // unsettled: left out
        assertEquals(List.of(new CalibrationBin(0.15625, 0.5, 2), new CalibrationBin(0.75, 0.75, 4)),
                DemoReport.calibration(steps));
        assertTrue(DemoReport.html(summary("s"), steps, "t").contains("predicted 0.750, observed 0.750, n=4"));
    }

    @Test
    void equityIsTheRunningPnlAndDrawdownTheDistanceBelowItsPeak() {
        List<DemoStep> steps = List.of(pnl(0, 1), pnl(1, -2), pnl(2, 0.5));
        DemoReport.Equity e = DemoReport.equity(steps);
        assertArrayEquals(new double[] {1, -1, -0.5}, e.equity());
        assertArrayEquals(new double[] {0, 2, 1.5}, e.drawdown());
        assertArrayEquals(new double[] {1, 0}, DemoReport.equity(List.of(pnl(0, -1), pnl(1, 1))).drawdown(),
                "a loss from the start is a drawdown");

        List<DemoStep> walk = walk(1_000, 7);
        double[] equity = DemoReport.equity(walk).equity();
        assertEquals(walk.stream().mapToDouble(DemoStep::pnl).sum(), equity[equity.length - 1], 1e-9);
    }

    @Test
    void everyTextIsEscaped() {
        DemoSummary s = new DemoSummary("EUR<&\">", HORIZON, 1, 0, 0, 0, 0, "gbt <i>v3</i>", 0, 0, 0, 0, 0, 1, 2, 3,
                List.of("lr v1 <b>logistic</b>"));
        String html = DemoReport.html(s, List.of(step(0, 1.0, 0.5, 0.01)), "<script>alert('x & y')</script>");
        assertFalse(html.contains("<script"), html);
        assertFalse(html.contains("<b>") || html.contains("<i>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x &amp; y&#39;)&lt;/script&gt;"));
        assertTrue(html.contains("EUR&lt;&amp;&quot;&gt;"));
    }

    @Test
    void theRuleRoundShowsEachProposalsStepsAndBacktestEscaped() {
        RuleProposal backtested = RuleProposal.newBuilder().setProposalId("proposal-7").setState(ProposalState.PROPOSAL_STATE_BACKTESTED)
                .setRule(Rule.newBuilder().setRuleId("calm").setExpression("features.vol_20 < 0.02"))
                .setRationale("<b>losses</b> cluster in turbulent markets").setStateReason("not better than the live rules: DSR 0.4")
                .setValidation(RuleValidation.newBuilder().addSteps(ValidationStep.newBuilder()
                        .setStage(ValidationStage.VALIDATION_STAGE_PARSE).setPassed(true)).addSteps(ValidationStep.newBuilder()
                        .setStage(ValidationStage.VALIDATION_STAGE_LEAKAGE).setPassed(true)))
                .setBacktest(BacktestComparison.newBuilder().setWindow("series s, folds")
                        .setBaseline(PerformanceMetrics.newBuilder().setFalsePositiveActions(30).setActionCount(90).setSharpe(0.1))
                        .setCandidate(PerformanceMetrics.newBuilder().setFalsePositiveActions(21).setActionCount(70).setSharpe(0.12))
                        .setDeflatedSharpe(0.4))
                .build();
        RuleProposal refused = RuleProposal.newBuilder().setProposalId("proposal-8").setState(ProposalState.PROPOSAL_STATE_VALIDATION_FAILED)
                .setRule(Rule.newBuilder().setRuleId("peek").setExpression("next_return > 0.0"))
                .setValidation(RuleValidation.newBuilder().addSteps(ValidationStep.newBuilder()
                        .setStage(ValidationStage.VALIDATION_STAGE_PARSE).setPassed(true)).addSteps(ValidationStep.newBuilder()
                        .setStage(ValidationStage.VALIDATION_STAGE_LEAKAGE).setPassed(false)))
                .setStateReason("reads next_return (look-ahead)").build();
        RuleRound round = new RuleRound(ProposeRulesResponse.newBuilder().setSource(ProposalSource.PROPOSAL_SOURCE_LOCAL_SEARCH)
                .setDegraded(true).setDegradedReason("no LLM is configured").build(), List.of(backtested, refused));
        String html = DemoReport.html(summary("s"), walk(100, 3), round, "t");
        assertTrue(html.contains("<h2>Rule proposals</h2>"));
        assertTrue(html.contains("by the offline search (no LLM is configured)"), html);
        assertTrue(html.contains("<td>proposal-7 (BACKTESTED)</td>"));
        assertTrue(html.contains("<td>PARSE passed, LEAKAGE passed</td>"));
        assertTrue(html.contains("backtest false positives 30 -&gt; 21, actions 90 -&gt; 70, Sharpe 0.1000 -&gt; 0.1200, deflated Sharpe 0.400"),
                html);
        assertTrue(html.contains("<td>PARSE passed, LEAKAGE FAILED</td>"));
        assertTrue(html.contains("reads next_return (look-ahead)"));
        assertFalse(html.contains("<b>losses"), "the rationale is escaped");
        assertEquals(List.of("proposal-7 calm: features.vol_20 < 0.02 -> BACKTESTED; backtest false positives 30 -> 21, actions 90 -> 70, "
                + "Sharpe 0.1000 -> 0.1200, deflated Sharpe 0.400", "proposal-8 peek: next_return > 0.0 -> VALIDATION_FAILED"), round.lines());
        assertFalse(DemoReport.html(summary("s"), walk(100, 3), "t").contains("Rule proposals"), "no round, no section");
    }

    @Test
    void emptySingleAndFlatInputsStillHaveFivePlots() {
        String empty = DemoReport.html(summary("s"), List.of(), "empty");
        assertEquals(5, count(empty, "<svg"));
        assertEquals(5, count(empty, ">no data<"), "a note in every plot");

        String single = DemoReport.html(summary("s"), List.of(step(0, 1.0, 0.6, Double.NaN)), "single");
        assertEquals(5, count(single, "<svg"));
        assertEquals(1, count(single, "class=\"long\""));

        List<DemoStep> flat = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            flat.add(new DemoStep(T0 + i * MINUTE, 3.0, 0, 0, 0.1, 0.5, false, 1, 0, 0, 0));
        }
        String html = DemoReport.html(summary("s"), flat, "flat, no actions");
        assertEquals(5, count(html, "<svg"));
        assertEquals(0, count(html, "class=\"long") + count(html, "class=\"short"));
    }

    @Test
    void aHundredThousandStepsAreThinnedButKeepEveryAction() {
        List<DemoStep> steps = walk(100_000, 3);
        String html = DemoReport.html(summary("s"), steps, "big");
        Matcher m = Pattern.compile("<polyline class=\"series\" points=\"([^\"]*)\"").matcher(html);
        assertTrue(m.find());
        int points = m.group(1).trim().split(" ").length;
        assertTrue(points > 500 && points <= Svg.MAX_POINTS, points + " points");
        assertEquals(steps.stream().filter(DemoStep::acted).count(),
                count(html, "class=\"long") + count(html, "class=\"short"));
    }

    @Test
    void ticksAreRoundNumbers() {
        Axis a = Axis.linear(0, 0.93);
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, a.at());
        assertArrayEquals(new String[] {"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}, a.labels());
        assertArrayEquals(new double[] {-5, 0, 5, 10, 15}, Axis.linear(-3.7, 12).at());
        assertArrayEquals(new double[] {0, 2000, 4000, 6000, 8000}, Axis.linear(0, 7_300).at());
        Axis flat = Axis.linear(2, 2);
        assertTrue(flat.lo() < 2 && flat.hi() > 2);

        Axis days = Axis.time(T0, T0 + 30L * 24 * 60 * MINUTE);
        assertTrue(days.labels()[0].matches("\\d{4}-\\d{2}-\\d{2}"), days.labels()[0]);
        Axis hours = Axis.time(T0, T0 + 36 * 60 * MINUTE);
        assertTrue(hours.labels().length >= 3 && hours.labels()[0].matches("\\d{2}-\\d{2} \\d{2}:00"),
                String.join(",", hours.labels()));
    }

    @Test
    void writeCreatesTheDirectory(@TempDir Path tmp) throws Exception {
        Path file = DemoReport.write(tmp.resolve("out/demo"), summary("s"), walk(10, 1), "t");
        assertEquals(tmp.resolve("out/demo/report.html"), file);
        assertTrue(Files.readString(file).startsWith("<!DOCTYPE html>"));
    }

    /** A random walk with actions on about a third of the steps; the last HORIZON steps are unsettled. */
    private static List<DemoStep> walk(int n, long seed) {
        Random r = new Random(seed);
        double[] values = new double[n];
        values[0] = 100;
        for (int i = 1; i < n; i++) {
            values[i] = values[i - 1] * (1 + r.nextGaussian() * 0.002);
        }
        List<DemoStep> steps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double realised = i + HORIZON < n ? values[i + HORIZON] / values[i] - 1 : Double.NaN;
            double probability = r.nextDouble();
            double confidence = r.nextDouble();
            int direction = confidence < 0.66 ? 0 : probability > 0.5 ? 1 : -1;
            double size = direction == 0 ? 0 : 0.1;
            double pnl = Double.isNaN(realised) ? 0 : size * direction * realised;
            steps.add(new DemoStep(T0 + i * MINUTE, values[i], direction, size, confidence, probability, false,
                    0.2 + r.nextDouble() * 10, realised, pnl, r.nextInt(3) - 1));
        }
        return steps;
    }

    private static DemoStep step(int i, double value, double probability, double realised) {
        return new DemoStep(T0 + i * MINUTE, value, 1, 0.1, 0.8, probability, false, 1.0, realised, 0, 0);
    }

    private static DemoStep pnl(int i, double pnl) {
        return new DemoStep(T0 + i * MINUTE, 1.0, 1, 0.1, 0.8, 0.6, false, 1.0, pnl, pnl, 0);
    }

    private static DemoSummary summary(String series) {
        return new DemoSummary(series, HORIZON, 10, 4, 3, 2, 1, "gbt-demo v3", 5, 2, 0, 3, 0.01, 1.5, 9, 12,
                List.of("gbt-demo v3 gbt: validation Brier 0.24, AUC 0.56"));
    }

    private static long count(String text, String part) {
        long n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            n++;
        }
        return n;
    }
}
