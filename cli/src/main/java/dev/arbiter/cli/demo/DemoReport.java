package dev.arbiter.cli.demo;

import dev.arbiter.cli.demo.Svg.Axis;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.proto.v1.BacktestComparison;
import dev.arbiter.proto.v1.RuleProposal;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.LongSummaryStatistics;
import java.util.function.ToDoubleFunction;
import java.util.stream.DoubleStream;

/**
 * The HTML report of {@code arbiter demo}: one self-contained file (inline CSS and SVG, no script, nothing fetched)
 * that opens offline. It holds the summary as a table (decisions, actions, hit rate, false-positive actions against
 * the single-model baseline's, degraded decisions, joined outcomes, pnl, latency percentiles, horizon, trained
 * models), then five plots, each with a line on how to read it: the series with Arbiter's actions, the equity curve
 * with its drawdown, the confidence histogram, the calibration curve and the latency histogram.
 */
public final class DemoReport {

    /** The file {@link #write} writes. */
    public static final String FILE_NAME = "report.html";

    private static final int CONFIDENCE_BINS = 20;
    private static final int CALIBRATION_BINS = 10;
    /** Latency bins: ten per decade over [10^-1, 10^4] ms, 0.1 ms to 10 s; values outside go to the end bins. */
    private static final int LATENCY_BINS_PER_DECADE = 10;
    private static final int LATENCY_FIRST_DECADE = -1;
    private static final int LATENCY_LAST_DECADE = 4;
    private static final int EQUITY_HEIGHT = 190;
    private static final int DRAWDOWN_HEIGHT = 100;
    private static final int PANEL_GAP = 12;
    private static final String NO_DATA = "no data";
    private static final DateTimeFormatter GENERATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);
    public static final String CSS = """
            body { font: 14px/1.4 system-ui, sans-serif; color: #222; max-width: 900px; margin: 24px auto; padding: 0 12px; }
            h1 { font-size: 22px; margin: 0 0 12px; }
            h2 { font-size: 18px; margin: 24px 0 8px; }
            table { border-collapse: collapse; margin-bottom: 16px; }
            th, td { text-align: left; padding: 2px 12px 2px 0; vertical-align: top; }
            th { font-weight: 600; color: #555; }
            ul { margin: 0; padding-left: 18px; }
            figure { margin: 24px 0; }
            figcaption { color: #555; font-size: 13px; }
            footer { color: #777; font-size: 12px; border-top: 1px solid #ddd; padding-top: 8px; }
            svg text { font: 11px system-ui, sans-serif; fill: #444; }
            svg .title { font-size: 14px; font-weight: 600; fill: #111; }
            svg .ylabel { text-anchor: end; }
            svg .xlabel { text-anchor: middle; }
            svg .end { text-anchor: end; }
            svg .note { font-size: 16px; fill: #999; text-anchor: middle; }
            .frame { fill: none; stroke: #999; }
            .grid { stroke: #eee; }
            .series { fill: none; stroke: #456; stroke-width: 1; }
            .long { fill: #1a9850; stroke: #1a9850; }
            .short { fill: #d73027; stroke: #d73027; }
            .fp { fill: #fff; stroke-width: 1.5; }
            .equity { fill: none; stroke: #2c7fb8; stroke-width: 1.5; }
            .zero { stroke: #666; }
            .drawdown { fill: #d73027; fill-opacity: .35; stroke: #d73027; stroke-width: .5; }
            .flat { fill: #bbb; }
            .acted { fill: #2c7fb8; }
            .diagonal { stroke: #999; stroke-dasharray: 4 3; }
            .calibration { fill: none; stroke: #2c7fb8; }
            .bin { fill: #2c7fb8; fill-opacity: .6; stroke: #2c7fb8; }
            .latency { fill: #756bb1; }
            .p50 { stroke: #333; stroke-dasharray: 4 3; }
            .p99 { stroke: #d73027; stroke-dasharray: 4 3; }
            """;

    private DemoReport() {
    }

    /** The report as one HTML document. */
    public static String html(DemoSummary summary, List<DemoStep> steps, String title) {
        return html(summary, steps, null, title);
    }

    /** The report as one HTML document, with the rule proposal round when {@code rules} is not null. */
    static String html(DemoSummary summary, List<DemoStep> steps, RuleRound rules, String title) {
        return html(summary, steps, rules, null, title);
    }

    /** The same, with the feedback loop (drift and the A/B readout) when {@code loop} is not null. */
    static String html(DemoSummary summary, List<DemoStep> steps, RuleRound rules, FeedbackLoop loop, String title) {
        double[] times = column(steps, DemoStep::tsMicros);
        LongSummaryStatistics span = steps.stream().mapToLong(DemoStep::tsMicros).summaryStatistics();
        Axis time = steps.isEmpty() ? Axis.time(0, 0) : Axis.time(span.getMin(), span.getMax());
        StringBuilder page = new StringBuilder(64 * 1024);
        page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(Svg.esc(title))
                .append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        header(page, summary, title);
        figure(page, seriesPlot(steps, times, time), "The value over time (UTC). Green ▲ LONG and red ▼ SHORT mark "
                + "each action at the value it was taken on; hollow ones are false positives, where the realised return "
                + "went the other way.");
        figure(page, equityPlot(steps, times, time), "Top: cumulative pnl of the joined outcomes, as a fraction of "
                + "capital. Bottom: drawdown, how far it stands below its highest point so far; deeper is worse.");
        figure(page, confidencePlot(steps), "How many decisions had each confidence (bins of 0.05); the blue part of "
                + "a bar acted, the grey part stayed FLAT. Actions should gather on the right.");
        figure(page, calibrationPlot(steps), "Settled decisions binned by the ensemble's probability of a rise: "
                + "a point is the mean probability against how often the value did rise, labelled with its count. "
                + "On the dashed diagonal the probabilities mean what they say.");
        figure(page, latencyPlot(summary, steps), "Client-observed decision latency on a log scale (ten bins per "
                + "decade), with the median (p50) and the 99th percentile (p99) marked.");
        if (loop != null) {
            loop(page, loop);
        }
        if (rules != null) {
            rules(page, rules);
        }
        page.append("<footer>Produced by <code>arbiter demo</code> on ").append(GENERATED.format(Instant.now()))
                .append(".</footer>\n</body>\n</html>\n");
        return page.toString();
    }

    /** Writes the report to {@code dir/report.html}, creating {@code dir}; returns the file. */
    public static Path write(Path dir, DemoSummary summary, List<DemoStep> steps, String title) throws IOException {
        return write(dir, summary, steps, null, title);
    }

    /** The same, with the rule proposal round when {@code rules} is not null. */
    static Path write(Path dir, DemoSummary summary, List<DemoStep> steps, RuleRound rules, String title) throws IOException {
        return write(dir, summary, steps, rules, null, title);
    }

    /** The same, with the feedback loop when {@code loop} is not null. */
    static Path write(Path dir, DemoSummary summary, List<DemoStep> steps, RuleRound rules, FeedbackLoop loop, String title)
            throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(FILE_NAME), html(summary, steps, rules, loop, title), StandardCharsets.UTF_8);
    }

    /**
     * The feedback loop: each served model version's drift against its shared reference, and the A/B readout of the
     * live policy against a stricter variant, with the decision rule fixed before the experiment.
     */
    private static void loop(StringBuilder page, FeedbackLoop loop) {
        page.append("<section>\n<h2>Drift</h2>\n<p>").append(Svg.esc("Each model version's inputs and score after the "
                + "replay, against the reference window model-service froze from the first predictions after activation "
                + "(shared by its replicas): KS and Mann-Whitney at effective sample sizes, Benjamini-Hochberg across the "
                + "return-scale features and the score, PSI for the size of a shift. Price levels and the calendar are not "
                + "tested.")).append("</p>\n<table>\n");
        if (loop.drift().isEmpty()) {
            row(page, "models", "no served model version");
        }
        for (var m : loop.drift()) {
            row(page, m.getModelName() + " v" + m.getVersion(), FeedbackLoop.driftStatus(m));
        }
        page.append("</table>\n</section>\n");
        if (loop.ab() == null) {
            return;
        }
        var r = loop.ab().readout();
        page.append("<section>\n<h2>A/B readout</h2>\n<p>").append(Svg.esc("The live policy (A) against the variant "
                + AbRound.VARIANT + " (B): " + loop.ab().description() + ". The replay ran again as "
                + loop.ab().series().size() + " series, half in each arm by the experiment's salted hash ("
                + Fmt.count(loop.ab().decisions()) + " decisions); outcomes are summed per series and day (a block), and "
                + "the intervals are always valid, so looking at them now is as safe as at the end.")).append("</p>\n<table>\n");
        row(page, "verdict", FeedbackLoop.verdict(r));
        for (var arm : List.of(r.getControl(), r.getTreatment())) {
            row(page, (arm == r.getControl() ? "A: " : "B: ") + arm.getName(), String.format(Locale.ROOT,
                    "%d series, %d blocks; pnl per block %+.5f, false-positive rate %.3f, hit rate %.3f, max drawdown %.5f",
                    arm.getSeries(), arm.getBlocks(), arm.getPnlPerBlock(), arm.getFalsePositiveRate(), arm.getHitRate(),
                    arm.getMaxDrawdown()));
        }
        row(page, "pnl per block, B - A", FeedbackLoop.difference(r.getPnlPerBlock()));
        row(page, "false-positive rate, B - A", FeedbackLoop.difference(r.getFalsePositiveRate()));
        row(page, "hit rate, B - A", FeedbackLoop.difference(r.getHitRate()));
        row(page, "sample ratio", String.format(Locale.ROOT, "chi-square p %.3f", r.getSrmPValue()));
        row(page, "guardrails", (r.getFalsePositiveGuardrail() ? "false-positive rate CROSSED" : "false-positive rate ok")
                + ", " + (r.getDrawdownGuardrail() ? "drawdown CROSSED" : "drawdown ok"));
        row(page, "decision rule", r.getRule());
        page.append("</table>\n</section>\n");
    }

    /**
     * The rule proposal round: who proposed, then per proposal its rule, rationale, where it ended and why, every
     * validation step, and its backtest against the live rules.
     */
    private static void rules(StringBuilder page, RuleRound rules) {
        page.append("<section>\n<h2>Rule proposals</h2>\n<p>").append(Svg.esc("One proposal round of rule-service, by "
                + rules.source() + (rules.degradedReason().isEmpty() ? "" : " (" + rules.degradedReason() + ")")
                + ". Each rule was validated step by step, then backtested through optimizer-service's "
                + "walk-forward on the latest history (which the offline search never tuned on): the live rules against "
                + "the live rules with the proposal, judged by the deflated Sharpe ratio.")).append("</p>\n");
        if (rules.proposals().isEmpty()) {
            page.append("<p>No proposal was made.</p>\n");
        }
        for (RuleProposal p : rules.proposals()) {
            page.append("<table>\n");
            row(page, "proposal", p.getProposalId() + " (" + RuleRound.state(p) + ")");
            row(page, "rule", p.getRule().getRuleId() + ": " + p.getRule().getExpression());
            row(page, "rationale", p.getRationale());
            row(page, "validation", p.hasValidation() ? RuleRound.steps(p) : "none");
            row(page, "why", p.getStateReason());
            if (p.hasBacktest()) {
                BacktestComparison b = p.getBacktest();
                row(page, "backtest", RuleRound.backtestLine(b));
                row(page, "window", b.getWindow());
            }
            page.append("</table>\n");
        }
        page.append("</section>\n");
    }

    /**
     * The running sum of pnl at each step, and the drawdown: how far it stands below its highest value so far,
     * counting the start (0) as a high.
     */
    record Equity(double[] equity, double[] drawdown) {
    }

    static Equity equity(List<DemoStep> steps) {
        double[] equity = new double[steps.size()];
        double[] drawdown = new double[steps.size()];
        double total = 0;
        double peak = 0;
        for (int i = 0; i < equity.length; i++) {
            double pnl = steps.get(i).pnl();
            total += Double.isFinite(pnl) ? pnl : 0;
            peak = Math.max(peak, total);
            equity[i] = total;
            drawdown[i] = peak - total;
        }
        return new Equity(equity, drawdown);
    }

    /** One non-empty calibration bin: the mean predicted probability, the observed frequency of a rise, the count. */
    record CalibrationBin(double predicted, double observed, int count) {
    }

    /** Settled steps in equal probability bins over [0, 1], lowest first, empty bins left out. */
    static List<CalibrationBin> calibration(List<DemoStep> steps) {
        double[] sum = new double[CALIBRATION_BINS];
        int[] count = new int[CALIBRATION_BINS];
        int[] rose = new int[CALIBRATION_BINS];
        for (DemoStep s : steps) {
            if (s.settled() && Double.isFinite(s.probability())) {
                int b = bin(s.probability(), CALIBRATION_BINS);
                sum[b] += s.probability();
                count[b]++;
                rose[b] += s.realisedReturn() > 0 ? 1 : 0;
            }
        }
        List<CalibrationBin> bins = new ArrayList<>();
        for (int b = 0; b < CALIBRATION_BINS; b++) {
            if (count[b] > 0) {
                bins.add(new CalibrationBin(sum[b] / count[b], (double) rose[b] / count[b], count[b]));
            }
        }
        return bins;
    }

    private static void header(StringBuilder page, DemoSummary s, String title) {
        page.append("<header>\n<h1>").append(Svg.esc(title)).append("</h1>\n<table>\n");
        row(page, "series", s.series());
        row(page, "decisions", Fmt.count(s.decisions()));
        row(page, "actions", Fmt.count(s.actions()) + " (" + Fmt.percent(share(s.actions(), s.decisions())) + ")");
        row(page, "hit rate", Fmt.percent(s.hitRate()) + " of " + Fmt.count(s.settledActions()) + " settled actions");
        row(page, "false-positive actions", ofTotal(s.falsePositives(), s.settledActions()));
        row(page, "baseline " + s.baselineModel() + " false positives",
                ofTotal(s.baselineFalsePositives(), s.baselineActions()));
        row(page, "degraded", Fmt.count(s.degraded()));
        row(page, "outcomes joined", Fmt.count(s.outcomesJoined()));
        row(page, "pnl", Fmt.signed(s.pnl(), 4) + " of capital");
        row(page, "latency p50 / p99 / max", Fmt.num(s.p50Millis(), 2) + " / " + Fmt.num(s.p99Millis(), 2) + " / "
                + Fmt.num(s.maxMillis(), 2) + " ms");
        row(page, "horizon", s.horizon() + " observations");
        page.append("<tr><th>models</th><td><ul>");
        for (String model : s.models() == null ? List.<String>of() : s.models()) {
            page.append("<li>").append(Svg.esc(model)).append("</li>");
        }
        page.append("</ul></td></tr>\n</table>\n</header>\n<main>\n");
    }

    private static void row(StringBuilder page, String name, String value) {
        page.append("<tr><th>").append(Svg.esc(name)).append("</th><td>").append(Svg.esc(value)).append("</td></tr>\n");
    }

    private static String ofTotal(long part, long whole) {
        return Fmt.count(part) + " of " + Fmt.count(whole) + " (" + Fmt.percent(share(part, whole)) + ")";
    }

    private static double share(long part, long whole) {
        return whole == 0 ? Double.NaN : (double) part / whole;
    }

    private static void figure(StringBuilder page, String svg, String caption) {
        page.append("<figure>\n").append(svg).append("\n<figcaption>").append(Svg.esc(caption))
                .append("</figcaption>\n</figure>\n");
    }

    private static String seriesPlot(List<DemoStep> steps, double[] times, Axis time) {
        double[] values = column(steps, DemoStep::value);
        Svg svg = new Svg("The series and Arbiter's actions");
        Svg.Panel p = svg.panel(time, Axis.spanning(values)).axes(true).polyline(times, values, "series");
        for (DemoStep s : steps) {
            if (s.acted()) {
                p.triangle(s.tsMicros(), s.value(), s.direction() > 0,
                        (s.direction() > 0 ? "long" : "short") + (s.falsePositive() ? " fp" : ""));
            }
        }
        noteIfEmpty(p, steps.size());
        return svg.end();
    }

    private static String equityPlot(List<DemoStep> steps, double[] times, Axis time) {
        Equity e = equity(steps);
        DoubleSummaryStatistics range = DoubleStream.concat(Arrays.stream(e.equity()), DoubleStream.of(0))
                .summaryStatistics();
        Svg svg = new Svg("Equity curve and drawdown", EQUITY_HEIGHT + PANEL_GAP + DRAWDOWN_HEIGHT);
        Svg.Panel top = svg.panel(0, EQUITY_HEIGHT, time, Axis.linear(range.getMin(), range.getMax())).axes(false)
                .line(time.lo(), 0, time.hi(), 0, "zero").polyline(times, e.equity(), "equity");
        noteIfEmpty(top, steps.size());
        double deepest = Arrays.stream(e.drawdown()).max().orElse(0);
        svg.panel(EQUITY_HEIGHT + PANEL_GAP, DRAWDOWN_HEIGHT, time, Axis.linear(0, deepest > 0 ? deepest : 1).upsideDown()).axes(true)
                .area(times, e.drawdown(), 0, "drawdown");
        return svg.end();
    }

    private static String confidencePlot(List<DemoStep> steps) {
        int[] flat = new int[CONFIDENCE_BINS];
        int[] acted = new int[CONFIDENCE_BINS];
        int n = 0;
        for (DemoStep s : steps) {
            if (Double.isFinite(s.confidence())) {
                (s.acted() ? acted : flat)[bin(s.confidence(), CONFIDENCE_BINS)]++;
                n++;
            }
        }
        int highest = 0;
        double[] edges = new double[CONFIDENCE_BINS + 1];
        for (int b = 0; b < CONFIDENCE_BINS; b++) {
            highest = Math.max(highest, flat[b] + acted[b]);
            edges[b + 1] = (b + 1.0) / CONFIDENCE_BINS;
        }
        Svg svg = new Svg("Confidence of every decision");
        Svg.Panel p = svg.panel(Axis.linear(0, 1), counts(highest)).axes(true)
                .bars(edges, null, flat, "flat").bars(edges, flat, acted, "acted");
        noteIfEmpty(p, n);
        return svg.end();
    }

    private static String calibrationPlot(List<DemoStep> steps) {
        List<CalibrationBin> bins = calibration(steps);
        int most = bins.stream().mapToInt(CalibrationBin::count).max().orElse(1);
        Svg svg = new Svg("Calibration of the ensemble probability");
        Svg.Panel p = svg.panel(Axis.linear(0, 1), Axis.linear(0, 1)).axes(true).line(0, 0, 1, 1, "diagonal")
                .polyline(bins.stream().mapToDouble(CalibrationBin::predicted).toArray(),
                        bins.stream().mapToDouble(CalibrationBin::observed).toArray(), "calibration");
        for (CalibrationBin b : bins) {
            String tooltip = String.format(Locale.ROOT, "predicted %.3f, observed %.3f, n=%d", b.predicted(),
                    b.observed(), b.count());
            p.circle(b.predicted(), b.observed(), 3 + 6 * Math.sqrt((double) b.count() / most), "bin",
                    "n=" + b.count(), tooltip);
        }
        noteIfEmpty(p, bins.size());
        return svg.end();
    }

    private static String latencyPlot(DemoSummary summary, List<DemoStep> steps) {
        int bins = (LATENCY_LAST_DECADE - LATENCY_FIRST_DECADE) * LATENCY_BINS_PER_DECADE;
        int[] counts = new int[bins];
        DoubleSummaryStatistics decades = new DoubleSummaryStatistics();
        for (DemoStep s : steps) {
            if (Double.isFinite(s.latencyMillis())) {
                double d = decade(s.latencyMillis());
                counts[Math.min(bins - 1, (int) ((d - LATENCY_FIRST_DECADE) * LATENCY_BINS_PER_DECADE))]++;
                decades.accept(d);
            }
        }
        long present = decades.getCount();
        for (double percentile : new double[] {summary.p50Millis(), summary.p99Millis()}) {
            if (percentile > 0) {
                decades.accept(decade(percentile));
            }
        }
        double[] edges = new double[bins + 1];
        for (int b = 0; b <= bins; b++) {
            edges[b] = LATENCY_FIRST_DECADE + (double) b / LATENCY_BINS_PER_DECADE;
        }
        int highest = Arrays.stream(counts).max().orElse(0);
        Svg svg = new Svg("Decision latency");
        Svg.Panel p = svg.panel(millisAxis(decades), counts(highest)).axes(true).bars(edges, null, counts, "latency");
        markPercentile(p, "p50", summary.p50Millis(), 0);
        markPercentile(p, "p99", summary.p99Millis(), 1);
        noteIfEmpty(p, present);
        return svg.end();
    }

    private static void markPercentile(Svg.Panel p, String name, double millis, int row) {
        if (millis > 0) {
            p.marker(decade(millis), name, name + " " + Fmt.num(millis, 2) + " ms", row);
        }
    }

    /** log10 of milliseconds, held to the latency bins' range. */
    private static double decade(double millis) {
        return Math.max(LATENCY_FIRST_DECADE, Math.min(LATENCY_LAST_DECADE, Math.log10(millis)));
    }

    /** Whole decades around the ones present (log10 ms), labelled "0.1 ms" .. "10 s". */
    private static Axis millisAxis(DoubleSummaryStatistics decades) {
        int lo = decades.getCount() == 0 ? 0 : (int) Math.floor(decades.getMin());
        int hi = decades.getCount() == 0 ? 1 : Math.max(lo + 1, (int) Math.ceil(decades.getMax()));
        double[] at = new double[hi - lo + 1];
        String[] labels = new String[at.length];
        for (int i = 0; i < at.length; i++) {
            at[i] = lo + i;
            BigDecimal ms = BigDecimal.ONE.scaleByPowerOfTen(lo + i);
            labels[i] = lo + i < 3 ? ms.toPlainString() + " ms" : ms.scaleByPowerOfTen(-3).toPlainString() + " s";
        }
        return new Axis(lo, hi, at, labels);
    }

    /** A count axis: at least 0..5 so that ticks stay whole numbers. */
    private static Axis counts(int highest) {
        return Axis.linear(0, Math.max(5, highest));
    }

    private static void noteIfEmpty(Svg.Panel p, long n) {
        if (n == 0) {
            p.note(NO_DATA);
        }
    }

    private static int bin(double v, int bins) {
        return (int) Math.max(0, Math.min(bins - 1, Math.floor(v * bins)));
    }

    private static double[] column(List<DemoStep> steps, ToDoubleFunction<DemoStep> f) {
        return steps.stream().mapToDouble(f).toArray();
    }
}
