package dev.arbiter.rules.backtest;

import dev.arbiter.engine.study.Direction;
import dev.arbiter.engine.study.Distribution;
import dev.arbiter.engine.study.FloatDistribution;
import dev.arbiter.engine.study.TpeSampler;
import dev.arbiter.engine.study.Trial;
import dev.arbiter.proto.v1.BacktestReport;
import dev.arbiter.proto.v1.HistorySeries;
import dev.arbiter.proto.v1.ListHistoryRequest;
import dev.arbiter.proto.v1.ListHistoryResponse;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.rules.config.RulesConfig;
import io.grpc.StatusRuntimeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The proposer that needs no LLM: rule templates over the scale-free variables (a floor on agreement, on confidence,
 * on trend strength, and their conjunction), each template's constants tuned by engine's {@link TpeSampler} over
 * walk-forward backtests on the <em>tuning window</em>: the series' history before the validation window, the latest
 * {@code max-folds x test-observations} observations whose test windows the verdict backtest reports on. So the
 * constants are chosen on data the verdict never sees. The objective is the per-decision Sharpe ratio with the live
 * rules plus the candidate, minus 1 when more than the tolerated share of the live rules' wins is given up.
 */
@ApplicationScoped
public class OfflineSearch {

    private static final Logger LOG = Logger.getLogger(OfflineSearch.class);
    /** Rows a series needs before its features are defined, with room to spare. */
    private static final int WARM_UP = 100;

    /** A rule template: an id, a CEL format with {@code %s} per constant, and the constants' ranges in order. */
    record Template(String id, String format, Map<String, FloatDistribution> constants, String why) {}

    static final List<Template> TEMPLATES = List.of(
            new Template("agreement_floor", "agreement >= %s", ranges("a", 0.5, 0.95),
                    "acts only when the members agree"),
            new Template("confidence_floor", "confidence >= %s", ranges("c", 0.5, 0.95),
                    "acts only when the confidence score is high"),
            new Template("trend_floor", "trend_strength >= %s", ranges("t", 0.0, 0.8),
                    "stays out of noisy, trendless stretches"),
            new Template("trend_and_agreement", "trend_strength >= %s && agreement >= %s",
                    ranges("t", 0.0, 0.8, "a", 0.5, 0.95), "acts in trends the members agree on"));

    /** How many templates there are. */
    public static int templates() {
        return TEMPLATES.size();
    }

    /** One tuned candidate: the rule and why. */
    public record Candidate(Rule rule, String rationale) {}

    /** The search could not run; the message says why. */
    public static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private final ProposalBacktests backtests;
    private final RulesConfig.Backtest config;
    private final RulesConfig.Offline offline;

    public OfflineSearch(ProposalBacktests backtests, RulesConfig config) {
        this.backtests = backtests;
        this.config = config.backtest();
        this.offline = config.offline();
    }

    /**
     * Tunes {@code wanted} templates, starting at template {@code first} (rounds go round the templates), against the
     * live rules {@code live}.
     */
    public List<Candidate> search(int wanted, int first, List<Rule> live) throws Unavailable {
        if (!backtests.configured()) {
            throw new Unavailable("the offline search needs history to tune on: set arbiter.rules.backtest.series");
        }
        TimeRange tuning = tuningWindow();
        BacktestReport baseline = run("offline baseline", live, tuning);
        List<Candidate> out = new ArrayList<>();
        // templates in turn from `first`, until `wanted` changed something or every template was tried
        for (int i = 0; i < TEMPLATES.size() && out.size() < wanted; i++) {
            Template t = TEMPLATES.get((first + i) % TEMPLATES.size());
            Candidate c = tune(t, live, tuning, baseline.getTotal());
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * The template's best constants on the tuning window; null when even the best changes no action there (the same
     * actions and false positives as the live rules): a rule that does nothing is not worth a proposal.
     */
    private Candidate tune(Template t, List<Rule> live, TimeRange tuning, PerformanceMetrics baseline) throws Unavailable {
        TpeSampler sampler = new TpeSampler(TpeSampler.Options.defaults().withStartupTrials(Math.min(5, offline.trials())),
                List.of(Direction.MAXIMIZE), offline.seed());
        Map<String, Distribution> space = new LinkedHashMap<>(t.constants());
        double bestValue = Double.NEGATIVE_INFINITY;
        String bestExpression = null;
        PerformanceMetrics best = null;
        for (int n = 0; n < offline.trials(); n++) {
            Map<String, Double> params = sampler.ask(space, List.of());
            String expression = expression(t, params);
            BacktestReport r = run("offline " + t.id() + " trial " + n, with(live, rule(t, expression)), tuning);
            double value = objective(r.getTotal(), baseline);
            sampler.tell(Trial.complete(n, params, value));
            if (value > bestValue) {
                bestValue = value;
                bestExpression = expression;
                best = r.getTotal();
            }
        }
        if (best.getActionCount() == baseline.getActionCount() && best.getFalsePositiveActions() == baseline.getFalsePositiveActions()) {
            LOG.infof("offline search: %s changes no action on the tuning window at any constant tried; not proposed", t.id());
            return null;
        }
        String rationale = String.format(Locale.ROOT, "Offline search: the template \"%s\" (%s), its constants tuned by TPE "
                        + "over %d walk-forward backtests on the tuning window %s .. %s (before the validation window): "
                        + "Sharpe %.4f vs the live rules' %.4f there, false positives %d vs %d, actions %d vs %d.",
                t.id(), t.why(), offline.trials(), Instant.EPOCH.plus(tuning.getStartTsMicros(), ChronoUnit.MICROS),
                Instant.EPOCH.plus(tuning.getEndTsMicros(), ChronoUnit.MICROS), best.getSharpe(), baseline.getSharpe(),
                best.getFalsePositiveActions(), baseline.getFalsePositiveActions(), best.getActionCount(), baseline.getActionCount());
        LOG.infof("offline search: %s -> %s", t.id(), bestExpression);
        return new Candidate(rule(t, bestExpression), rationale);
    }

    /** The Sharpe ratio, minus 1 when more than the tolerated share of the live rules' wins is given up. */
    double objective(PerformanceMetrics candidate, PerformanceMetrics live) {
        boolean equalWins = DeflatedSharpe.wins(candidate) >= Math.ceil((1 - config.winsTolerance()) * DeflatedSharpe.wins(live));
        return candidate.getSharpe() - (equalWins ? 0 : 1);
    }

    private static Rule rule(Template t, String expression) {
        return Rule.newBuilder().setRuleId("offline_" + t.id()).setKind(RuleKind.RULE_KIND_GATE).setExpression(expression)
                .setDescription("found by the offline search: " + t.why()).build();
    }

    /** The template with its constants, rounded to 2 decimals (a rule should read like one a person wrote). */
    static String expression(Template t, Map<String, Double> params) {
        Object[] values = t.constants().keySet().stream()
                .map(k -> String.format(Locale.ROOT, "%.2f", params.get(k))).toArray();
        return String.format(Locale.ROOT, t.format(), values);
    }

    private static List<Rule> with(List<Rule> live, Rule candidate) {
        List<Rule> out = new ArrayList<>(live);
        out.removeIf(r -> r.getRuleId().equals(candidate.getRuleId()));
        out.add(candidate);
        return out;
    }

    private BacktestReport run(String name, List<Rule> rules, TimeRange tuning) throws Unavailable {
        try {
            return backtests.backtest(name, rules, tuning, config.maxFolds());
        } catch (StatusRuntimeException e) {
            throw new Unavailable("optimizer-service did not run the tuning backtest (" + e.getStatus().getCode() + ": "
                    + Optional.ofNullable(e.getStatus().getDescription()).orElse("") + ")");
        }
    }

    /**
     * The history before the validation window. Its end is placed by the series' row count over its time range (even
     * spacing assumed), leaving the validation window's observations after it.
     */
    TimeRange tuningWindow() throws Unavailable {
        String series = config.series().orElseThrow();
        HistorySeries found = null;
        String token = "";
        try {
            do {
                ListHistoryResponse page = backtests.optimizer().listHistory(ListHistoryRequest.newBuilder().setPageSize(500)
                        .setPageToken(token).build());
                for (HistorySeries s : page.getSeriesList()) {
                    if (s.getSeriesId().equals(series)) {
                        found = s;
                    }
                }
                token = page.getNextPageToken();
            } while (found == null && !token.isEmpty());
        } catch (StatusRuntimeException e) {
            throw new Unavailable("optimizer-service did not list its history (" + e.getStatus().getCode() + ")");
        }
        if (found == null) {
            throw new Unavailable("optimizer-service holds no history of series \"" + series + "\" (arbiter.rules.backtest.series)");
        }
        long validation = (long) config.maxFolds() * config.testObservations();
        long tuningRows = found.getRowCount() - validation;
        // one fold, plus the rows the features take to warm up (the longest default window is 50) and the label's end
        long needed = (long) config.trainObservations() + config.horizon() + config.testObservations() + WARM_UP;
        if (tuningRows < needed) {
            throw new Unavailable("series \"" + series + "\" has " + found.getRowCount() + " rows: the validation window takes "
                    + "the last " + validation + ", which leaves " + tuningRows + " to tune on, fewer than one fold's " + needed);
        }
        long start = found.getRange().getStartTsMicros();
        long span = found.getRange().getEndTsMicros() - start;
        long end = start + (long) (span * ((double) tuningRows / found.getRowCount()));
        return TimeRange.newBuilder().setStartTsMicros(start).setEndTsMicros(end).build();
    }

    private static Map<String, FloatDistribution> ranges(Object... nameLowHigh) {
        Map<String, FloatDistribution> m = new LinkedHashMap<>();
        for (int i = 0; i < nameLowHigh.length; i += 3) {
            m.put((String) nameLowHigh[i], FloatDistribution.of((Double) nameLowHigh[i + 1], (Double) nameLowHigh[i + 2]));
        }
        return m;
    }
}
