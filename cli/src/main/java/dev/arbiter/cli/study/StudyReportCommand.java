package dev.arbiter.cli.study;

import dev.arbiter.cli.demo.DemoReport;
import dev.arbiter.cli.demo.Svg;
import dev.arbiter.cli.output.Fmt;
import dev.arbiter.proto.v1.GetBestTrialsRequest;
import dev.arbiter.proto.v1.GetStudyRequest;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.Study;
import dev.arbiter.proto.v1.StudyDirection;
import dev.arbiter.proto.v1.Trial;
import dev.arbiter.proto.v1.TrialState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code arbiter study report}: an HTML page with the plots an Optuna user expects: the optimisation history (every
 * complete trial's value and the best so far), parameter importances, and the Pareto front when the study has two
 * objectives.
 */
@Command(name = "report", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        header = "Write a study's HTML report: optimisation history, parameter importances, Pareto front.",
        description = "Example: arbiter study report --study demand-tpe --out demand-tpe.html")
public class StudyReportCommand extends StudyTrials {

    static final String CSS = DemoReport.CSS + """
            .trial { fill: #2c7fb8; fill-opacity: .55; }
            .pruned { fill: #bbb; }
            .front { fill: #d73027; }
            .best { fill: none; stroke: #d73027; stroke-width: 1.5; }
            .importance { background: #2c7fb8; height: 10px; display: inline-block; }
            """;

    @Option(names = "--study", required = true, paramLabel = "NAME", description = "The study.")
    String study;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the HTML page.")
    Path file;

    @Override
    public Integer call() throws IOException {
        Study s = optimizer(o -> o.getStudy(GetStudyRequest.newBuilder().setStudyName(study).build()));
        List<Trial> trials = allTrials(study);
        List<Trial> best = optimizer(o -> o.getBestTrials(GetBestTrialsRequest.newBuilder().setStudyName(study).build()))
                .getBestTrialsList();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, html(s, trials, best), StandardCharsets.UTF_8);
        out().println("wrote " + file);
        out().flush();
        return 0;
    }

    static String html(Study s, List<Trial> trials, List<Trial> best) {
        StringBuilder page = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(Svg.esc("study " + s.getStudyName())).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        page.append("<h1>Study ").append(Svg.esc(s.getStudyName())).append("</h1>\n<p>")
                .append(s.getCompleteTrials()).append(" complete, ").append(s.getPrunedTrials()).append(" pruned, ")
                .append(s.getFailedTrials()).append(" failed trials. Objectives: ");
        for (int i = 0; i < s.getObjectivesCount(); i++) {
            page.append(i > 0 ? ", " : "").append(Svg.esc(s.getObjectives(i).getName())).append(
                    s.getObjectives(i).getDirection() == StudyDirection.STUDY_DIRECTION_MAXIMIZE ? " (maximise)" : " (minimise)");
        }
        page.append(".</p>\n");
        List<Trial> complete = trials.stream().filter(t -> t.getState() == TrialState.TRIAL_STATE_COMPLETE).toList();
        figure(page, history(s, trials, complete), "Every complete trial's value of the first objective by trial number "
                + "(blue), pruned trials at their last intermediate value (grey), and the best value so far (red line).");
        page.append("<h2>Parameter importances</h2>\n").append(importances(s, complete));
        if (s.getObjectivesCount() == 2) {
            figure(page, pareto(s, complete, best), "Every complete trial by its two objectives; the Pareto front (no "
                    + "other trial is at least as good on both and better on one) in red.");
        }
        page.append("<h2>Best trials</h2>\n<table><tr><th>trial</th>");
        s.getObjectivesList().forEach(o -> page.append("<th>").append(Svg.esc(o.getName())).append("</th>"));
        Set<String> names = new TreeSet<>(s.getSearchSpaceMap().keySet());
        names.forEach(n -> page.append("<th>").append(Svg.esc(n)).append("</th>"));
        page.append("</tr>\n");
        for (Trial t : best) {
            page.append("<tr><td>").append(t.getNumber()).append("</td>");
            t.getValuesList().forEach(v -> page.append("<td>").append(StudyBestCommand.objective(v)).append("</td>"));
            names.forEach(n -> page.append("<td>").append(StudyBestCommand.value(t.getParamsMap().get(n))).append("</td>"));
            page.append("</tr>\n");
        }
        return page.append("</table>\n<footer>Produced by <code>arbiter study report</code>.</footer>\n</body>\n</html>\n").toString();
    }

    private static void figure(StringBuilder page, String svg, String caption) {
        page.append("<figure>").append(svg).append("<figcaption>").append(Svg.esc(caption)).append("</figcaption></figure>\n");
    }

    static String history(Study s, List<Trial> trials, List<Trial> complete) {
        Svg svg = new Svg("Optimisation history: " + s.getObjectives(0).getName(), Svg.PANEL_HEIGHT);
        if (complete.isEmpty()) {
            svg.panel(0, Svg.PANEL_HEIGHT, Svg.Axis.linear(0, 1), Svg.Axis.linear(0, 1)).axes(true).note("no complete trial yet");
            return svg.end();
        }
        double[] x = complete.stream().mapToDouble(Trial::getNumber).toArray();
        double[] y = complete.stream().mapToDouble(t -> t.getValues(0)).toArray();
        List<Trial> pruned = trials.stream().filter(t -> t.getState() == TrialState.TRIAL_STATE_PRUNED
                && t.getIntermediateValuesCount() > 0).toList();
        double[] all = new double[y.length + pruned.size()];
        System.arraycopy(y, 0, all, 0, y.length);
        for (int i = 0; i < pruned.size(); i++) {
            all[y.length + i] = last(pruned.get(i));
        }
        Svg.Panel p = svg.panel(0, Svg.PANEL_HEIGHT, Svg.Axis.linear(0, trials.size()), Svg.Axis.spanning(all)).axes(true);
        for (Trial t : pruned) {
            p.circle(t.getNumber(), last(t), 2.5, "pruned", null, "trial " + t.getNumber() + " pruned at " + Fmt.num(last(t), 4));
        }
        for (int i = 0; i < x.length; i++) {
            p.circle(x[i], y[i], 3, "trial", null, "trial " + (int) x[i] + ": " + Fmt.num(y[i], 4));
        }
        boolean max = s.getObjectives(0).getDirection() == StudyDirection.STUDY_DIRECTION_MAXIMIZE;
        double[] bestSoFar = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            bestSoFar[i] = i == 0 ? y[0] : max ? Math.max(bestSoFar[i - 1], y[i]) : Math.min(bestSoFar[i - 1], y[i]);
        }
        p.polyline(x, bestSoFar, "best");
        return svg.end();
    }

    private static double last(Trial t) {
        return t.getIntermediateValues(t.getIntermediateValuesCount() - 1).getValue();
    }

    /**
     * Importance of each parameter for the first objective: the absolute Spearman rank correlation between the
     * parameter's value and the objective over the complete trials, normalised to sum to 1. A quick, monotone-only
     * measure (Optuna's default is fANOVA, which also sees non-monotone effects and interactions): it says which
     * parameters moved the objective one way, not which mattered in every way.
     */
    static Map<String, Double> importance(Study s, List<Trial> complete) {
        Map<String, Double> raw = new LinkedHashMap<>();
        for (String name : new TreeSet<>(s.getSearchSpaceMap().keySet())) {
            List<double[]> pairs = new ArrayList<>();
            for (Trial t : complete) {
                ParameterValue v = t.getParamsMap().get(name);
                if (v != null && v.getKindCase() != ParameterValue.KindCase.STRING_VALUE) {
                    pairs.add(new double[] {v.hasDoubleValue() ? v.getDoubleValue() : v.getIntValue(), t.getValues(0)});
                }
            }
            double rho = 0;
            if (pairs.size() >= 3) {
                double[] a = pairs.stream().mapToDouble(p -> p[0]).toArray();
                double[] b = pairs.stream().mapToDouble(p -> p[1]).toArray();
                double r = new SpearmansCorrelation().correlation(a, b);
                rho = Double.isFinite(r) ? Math.abs(r) : 0;
            }
            raw.put(name, rho);
        }
        double sum = raw.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> out = new LinkedHashMap<>();
        raw.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), sum > 0 ? e.getValue() / sum : 0));
        return out;
    }

    private static String importances(Study s, List<Trial> complete) {
        StringBuilder b = new StringBuilder("<p>Method: absolute Spearman rank correlation of each parameter with ")
                .append(Svg.esc(s.getObjectives(0).getName()))
                .append(" over the complete trials, normalised to sum to 1 (monotone effects only; categorical parameters"
                        + " get 0).</p>\n<table><tr><th>parameter</th><th>importance</th><th></th></tr>\n");
        importance(s, complete).forEach((name, v) -> b.append("<tr><td>").append(Svg.esc(name)).append("</td><td>")
                .append(Fmt.num(v, 3)).append("</td><td><span class=\"importance\" style=\"width:")
                .append(Math.round(v * 300)).append("px\"></span></td></tr>\n"));
        return b.append("</table>\n").toString();
    }

    static String pareto(Study s, List<Trial> complete, List<Trial> front) {
        Svg svg = new Svg("Pareto front: " + s.getObjectives(0).getName() + " against " + s.getObjectives(1).getName(),
                Svg.PANEL_HEIGHT);
        double[] x = complete.stream().mapToDouble(t -> t.getValues(0)).toArray();
        double[] y = complete.stream().mapToDouble(t -> t.getValues(1)).toArray();
        Svg.Panel p = svg.panel(0, Svg.PANEL_HEIGHT, Svg.Axis.spanning(x), Svg.Axis.spanning(y)).axes(true);
        Set<Integer> onFront = new HashSet<>();
        front.forEach(t -> onFront.add(t.getNumber()));
        for (Trial t : complete) {
            p.circle(t.getValues(0), t.getValues(1), onFront.contains(t.getNumber()) ? 4 : 3,
                    onFront.contains(t.getNumber()) ? "front" : "trial", null,
                    "trial " + t.getNumber() + ": " + Fmt.num(t.getValues(0), 4) + ", " + Fmt.num(t.getValues(1), 4));
        }
        List<Trial> sorted = new ArrayList<>(front);
        sorted.sort(Comparator.comparingDouble(t -> t.getValues(0)));
        if (sorted.size() > 1) {
            p.polyline(sorted.stream().mapToDouble(t -> t.getValues(0)).toArray(),
                    sorted.stream().mapToDouble(t -> t.getValues(1)).toArray(), "best");
        }
        return svg.end();
    }
}
