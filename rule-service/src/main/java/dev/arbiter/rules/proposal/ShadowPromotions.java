package dev.arbiter.rules.proposal;

import static dev.arbiter.service.ObservationTimes.nowMicros;
import static dev.arbiter.service.RequestRefused.invalid;

import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.GetPerformanceRequest;
import dev.arbiter.proto.v1.GetRuleSetRequest;
import dev.arbiter.proto.v1.GetShadowRunRequest;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.PromoteProposalRequest;
import dev.arbiter.proto.v1.PromotionGuard;
import dev.arbiter.proto.v1.ProposalSource;
import dev.arbiter.proto.v1.ProposalState;
import dev.arbiter.proto.v1.RollbackProposalRequest;
import dev.arbiter.proto.v1.RollbackRuleSetRequest;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.RuleSet;
import dev.arbiter.proto.v1.SetRuleSetRequest;
import dev.arbiter.proto.v1.ShadowResult;
import dev.arbiter.proto.v1.ShadowRun;
import dev.arbiter.proto.v1.StartShadowRequest;
import dev.arbiter.proto.v1.StartShadowRunRequest;
import dev.arbiter.proto.v1.StopShadowRunRequest;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.proto.v1.VariantPerformance;
import dev.arbiter.rules.config.RulesConfig;
import dev.arbiter.service.Identifiers;
import dev.arbiter.service.RequestRefused;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.commons.math3.stat.inference.AlternativeHypothesis;
import org.apache.commons.math3.stat.inference.BinomialTest;
import org.jboss.logging.Logger;

/**
 * A BACKTESTED proposal's way to the live rules and back: its shadow run in decision-service (the live rules with
 * the proposal, staged as a rule set version and decided beside every live decision without acting), the promotion
 * test read as outcomes settle, the promotion (a new live rule set version through decision-service's SetRuleSet),
 * and the guard that rolls a promotion back (RollbackRuleSet to the version it replaced) when the promoted rules'
 * false-positive rate or drawdown breaches its limits within the guard window.
 *
 * <p>The promotion test: at least {@code min_decisions} settled decisions, and a one-sided exact sign test (commons-math3
 * BinomialTest, p = 1/2) over the settled decisions where the two rule sets' pnl differ, candidate better against
 * candidate worse, with p below {@code arbiter.rules.shadow.alpha}. Decisions where both did the same carry no
 * information about the difference and are left out, as in McNemar's test. A run whose candidate is significantly
 * worse by the same test in the other direction rejects the proposal.
 */
@ApplicationScoped
public class ShadowPromotions {

    private static final Logger LOG = Logger.getLogger(ShadowPromotions.class);
    static final String SERVICE = "rule-service";
    static final long MAX_MIN_DECISIONS = 1_000_000;

    private final ProposalStore store;
    private final RulesConfig.Shadow config;
    private final RulesConfig rules;
    private final ProposalAlerts alerts;
    private final DecisionServiceGrpc.DecisionServiceBlockingStub decisions;
    private ScheduledExecutorService checker;

    public ShadowPromotions(ProposalStore store, RulesConfig config, ProposalAlerts alerts,
                            @GrpcClient("decisions") Channel decisions) {
        this.store = store;
        this.config = config.shadow();
        this.rules = config;
        this.alerts = alerts;
        this.decisions = DecisionServiceGrpc.newBlockingStub(decisions);
    }

    void start(@Observes StartupEvent e) {
        long every = config.checkInterval().toMillis();
        if (every <= 0) {
            return;
        }
        checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "shadow-promotions");
            t.setDaemon(true);
            return t;
        });
        checker.scheduleWithFixedDelay(() -> {
            try {
                check();
            } catch (RuntimeException ex) {
                LOG.warnf(ex, "checking shadow runs and guarded promotions failed; tried again in %d ms", every);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent e) {
        if (checker != null) {
            checker.shutdownNow();
        }
    }

    private DecisionServiceGrpc.DecisionServiceBlockingStub decisions() {
        return decisions.withDeadlineAfter(rules.dependencyDeadline().toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- StartShadow

    public RuleProposal startShadow(StartShadowRequest request) {
        Proposals.requireProposalId(request.getProposalId());
        String author = Proposals.requireAuthor(request.getAuthor(), "who starts the shadow run");
        if (request.getMinDecisions() > MAX_MIN_DECISIONS) {
            throw invalid("min_decisions", "min_decisions is " + Long.toUnsignedString(request.getMinDecisions()) + "; send at most "
                    + MAX_MIN_DECISIONS + ", or 0 for the configured " + config.minDecisions());
        }
        if (request.getMaxDurationMs() < 0) {
            throw invalid("max_duration_ms", "max_duration_ms is " + request.getMaxDurationMs() + "; send a positive duration in "
                    + "milliseconds, or 0 for the configured " + config.maxDuration());
        }
        long minDecisions = request.getMinDecisions() == 0 ? config.minDecisions() : request.getMinDecisions();
        long maxDurationMs = request.getMaxDurationMs() == 0 ? config.maxDuration().toMillis() : request.getMaxDurationMs();
        RuleProposal p = find(request.getProposalId());
        requireState(p, ProposalState.PROPOSAL_STATE_BACKTESTED, "only a BACKTESTED proposal can start a shadow run");
        RuleSet live = liveRuleSet();
        requireBase(p, live);
        String id = p.getProposalId();
        RuleSet staged = call(() -> decisions().setRuleSet(SetRuleSetRequest.newBuilder()
                .addAllRules(Proposals.candidateRules(live.getRulesList(), p))
                .setStageOnly(true)
                .setAuthor(SERVICE)
                .setReason("shadow run of proposal " + id + ", started by " + author)
                .build()), "rule_set");
        ShadowRun run = call(() -> decisions().startShadowRun(StartShadowRunRequest.newBuilder()
                .setShadowId(id).setRuleSetVersion(staged.getVersion()).setAuthor(author)
                .setReason("proposal " + id + ": " + p.getRule().getRuleId()).build()), "proposal_id");
        ShadowResult shadow = ShadowResult.newBuilder()
                .setStartedTsMicros(run.getStartedTsMicros())
                .setMinDecisions(minDecisions)
                .setMaxDurationMs(maxDurationMs)
                .setRuleSetVersion(staged.getVersion())
                .setPValue(1)
                .setVerdict("running: 0 of " + minDecisions + " settled decisions compared")
                .build();
        try {
            RuleProposal started = store.transition(id, EnumSet.of(ProposalState.PROPOSAL_STATE_BACKTESTED), q -> q.toBuilder()
                            .setState(ProposalState.PROPOSAL_STATE_SHADOW)
                            .setStateReason("in shadow on decision-service rule set v" + staged.getVersion() + " until "
                                    + minDecisions + " decisions settle (at most " + TimeUnit.MILLISECONDS.toHours(maxDurationMs) + " h)")
                            .setShadow(shadow)
                            .setUpdatedTsMicros(nowMicros())
                            .build(), author, "shadow run started on rule set v" + staged.getVersion())
                    .orElseThrow(() -> Proposals.unknown(id));
            LOG.infof("proposal %s in shadow on rule set v%d (by %s)", id, staged.getVersion(), Identifiers.escaped(author));
            return started;
        } catch (ProposalStore.WrongState e) {
            stopQuietly(id, "the proposal left BACKTESTED while its shadow run started");
            throw wrongState(e.current(), "only a BACKTESTED proposal can start a shadow run");
        } catch (SQLException e) {
            stopQuietly(id, "the proposal store did not record the shadow run");
            throw Proposals.storeUnavailable(e);
        }
    }

    /** Stops a rejected proposal's shadow run in decision-service (the proposal is already REJECTED). */
    void stopRejected(RuleProposal p, String author, String reason) {
        if (p.hasShadow() && p.getShadow().getEndedTsMicros() == 0) {
            try {
                decisions().stopShadowRun(StopShadowRunRequest.newBuilder().setShadowId(p.getProposalId())
                        .setAuthor(author).setReason("proposal rejected: " + reason).build());
            } catch (StatusRuntimeException e) {
                LOG.warnf("proposal %s: its shadow run could not be stopped (%s); the next check stops it", p.getProposalId(),
                        e.getStatus());
            }
        }
    }

    private void stopQuietly(String id, String reason) {
        try {
            decisions().stopShadowRun(StopShadowRunRequest.newBuilder().setShadowId(id).setAuthor(SERVICE).setReason(reason).build());
        } catch (StatusRuntimeException e) {
            LOG.warnf("shadow run %s could not be stopped (%s): stop it with decision-service's StopShadowRun", id, e.getStatus());
        }
    }

    // ---------------------------------------------------------------- PromoteProposal

    public RuleProposal promote(PromoteProposalRequest request) {
        Proposals.requireProposalId(request.getProposalId());
        String author = Proposals.requireAuthor(request.getAuthor(), "who promotes the proposal");
        String reason = Proposals.requireReason(request.getReason(), "why it is promoted");
        RuleProposal p = find(request.getProposalId());
        if (request.getSkipShadow()) {
            if (!config.allowSkip()) {
                throw RequestRefused.precondition("skip_shadow", "skip_shadow is not allowed here "
                        + "(arbiter.rules.shadow.allow-skip=false): start a shadow run (StartShadow) and promote when it completes better");
            }
            requireState(p, ProposalState.PROPOSAL_STATE_BACKTESTED, "skip_shadow promotes a BACKTESTED proposal only");
            if (!p.getBacktest().getBetter()) {
                throw RequestRefused.precondition("proposal_id", "proposal " + p.getProposalId() + "'s backtest was not better than "
                        + "the live rules (" + p.getBacktest().getVerdict() + "); it cannot be promoted");
            }
        } else {
            requireState(p, ProposalState.PROPOSAL_STATE_SHADOW, "only a SHADOW proposal whose run completed better can be promoted");
            ShadowResult s = p.getShadow();
            if (!s.getComplete()) {
                throw RequestRefused.precondition("proposal_id", "proposal " + p.getProposalId() + "'s shadow run is still running ("
                        + s.getVerdict() + "); promote it once it completes better");
            }
            if (!s.getBetter()) {
                throw RequestRefused.precondition("proposal_id", "proposal " + p.getProposalId() + "'s shadow run did not show it "
                        + "better than the live rules (" + s.getVerdict() + "); reject it instead");
            }
        }
        return promote(p, author, reason, request.getSkipShadow()
                ? EnumSet.of(ProposalState.PROPOSAL_STATE_BACKTESTED) : EnumSet.of(ProposalState.PROPOSAL_STATE_SHADOW));
    }

    private RuleProposal promote(RuleProposal p, String author, String reason, EnumSet<ProposalState> from) {
        RuleSet live = liveRuleSet();
        requireBase(p, live);
        String id = p.getProposalId();
        RuleSet promoted = call(() -> decisions().setRuleSet(SetRuleSetRequest.newBuilder()
                .addAllRules(Proposals.candidateRules(live.getRulesList(), p))
                .setAuthor(author)
                .setReason("promotes proposal " + id + ": " + reason)
                .setExpectedLiveVersion(live.getVersion())
                .addProposalIds(id)
                .build()), "proposal_id");
        long now = nowMicros();
        double baselineFalsePositives = p.hasShadow() && p.getShadow().getBaseline().getOutcomeCount() > 0
                ? falsePositiveRate(p.getShadow().getBaseline()) : falsePositiveRate(p.getBacktest().getBaseline());
        PromotionGuard guard = PromotionGuard.newBuilder()
                .setPromotedTsMicros(now)
                .setWindowEndsTsMicros(now + TimeUnit.MILLISECONDS.toMicros(config.guard().window().toMillis()))
                .setMaxFalsePositiveRate(Math.min(1, baselineFalsePositives + config.guard().falsePositiveMargin()))
                .setMaxDrawdown(config.guard().maxDrawdown())
                .setStatus("watching: no decision with the promoted rules yet")
                .setReplacedRuleSetVersion(live.getVersion())
                .setCheckedTsMicros(now)
                .build();
        try {
            RuleProposal done = store.transition(id, from, q -> q.toBuilder()
                            .setState(ProposalState.PROPOSAL_STATE_PROMOTED)
                            .setStateReason("promoted by " + author + " as rule set v" + promoted.getVersion() + ": " + reason)
                            .setPromotedRuleSetVersion(promoted.getVersion())
                            .setGuard(guard)
                            .setUpdatedTsMicros(now)
                            .build(), author, reason)
                    .orElseThrow(() -> Proposals.unknown(id));
            if (done.hasShadow() && done.getShadow().getEndedTsMicros() == 0) {
                stopQuietly(id, "promoted");
            }
            LOG.infof("proposal %s promoted by %s: rule set v%d is live", id, Identifiers.escaped(author), promoted.getVersion());
            alerts.promoted(done, author, reason);
            return done;
        } catch (ProposalStore.WrongState | SQLException e) {
            // the rule set went live but the proposal did not record it: undo, so the live rules never hold a proposal
            // that is not PROMOTED
            LOG.errorf("proposal %s: rule set v%d went live but the promotion was not recorded (%s); rolling back", id,
                    promoted.getVersion(), e.getMessage());
            call(() -> decisions().rollbackRuleSet(RollbackRuleSetRequest.newBuilder().setToVersion(live.getVersion())
                    .setExpectedLiveVersion(promoted.getVersion()).setAuthor(SERVICE)
                    .setReason("the promotion of proposal " + id + " was not recorded").build()), "proposal_id");
            if (e instanceof ProposalStore.WrongState w) {
                throw wrongState(w.current(), "the proposal changed state while it was promoted");
            }
            throw Proposals.storeUnavailable((SQLException) e);
        }
    }

    // ---------------------------------------------------------------- RollbackProposal

    public RuleProposal rollback(RollbackProposalRequest request) {
        Proposals.requireProposalId(request.getProposalId());
        String author = Proposals.requireAuthor(request.getAuthor(), "who rolls the proposal back");
        String reason = Proposals.requireReason(request.getReason(), "why it is rolled back");
        return rollback(find(request.getProposalId()), author, reason, null);
    }

    private RuleProposal rollback(RuleProposal p, String author, String reason, PromotionGuard breached) {
        requireState(p, ProposalState.PROPOSAL_STATE_PROMOTED, "only a PROMOTED proposal can be rolled back");
        String id = p.getProposalId();
        int before = p.getGuard().getReplacedRuleSetVersion() > 0 ? p.getGuard().getReplacedRuleSetVersion() : p.getBaseRuleSetVersion();
        RuleSet back = call(() -> decisions().rollbackRuleSet(RollbackRuleSetRequest.newBuilder()
                .setToVersion(before)
                .setExpectedLiveVersion(p.getPromotedRuleSetVersion())
                .setAuthor(author)
                .setReason("rolls back proposal " + id + ": " + reason)
                .build()), "proposal_id");
        try {
            RuleProposal done = store.transition(id, EnumSet.of(ProposalState.PROPOSAL_STATE_PROMOTED), q -> {
                RuleProposal.Builder b = q.toBuilder()
                        .setState(ProposalState.PROPOSAL_STATE_ROLLED_BACK)
                        .setStateReason("rolled back by " + author + " to the rules of v" + before
                                + " (as v" + back.getVersion() + "): " + reason)
                        .setRollbackRuleSetVersion(back.getVersion())
                        .setUpdatedTsMicros(nowMicros());
                if (breached != null) {
                    b.setGuard(breached);
                }
                return b.build();
            }, author, reason).orElseThrow(() -> Proposals.unknown(id));
            LOG.infof("proposal %s rolled back by %s: rule set v%d is live", id, Identifiers.escaped(author), back.getVersion());
            alerts.rolledBack(done, author, reason);
            return done;
        } catch (ProposalStore.WrongState e) {
            throw wrongState(e.current(), "only a PROMOTED proposal can be rolled back");
        } catch (SQLException e) {
            throw Proposals.storeUnavailable(e);
        }
    }

    // ---------------------------------------------------------------- the check

    /** Reads every running shadow run and every guarded promotion once (the scheduled check, and tests). */
    public void check() {
        check(config.autoPromote());
    }

    /** The same, promoting a proposal whose shadow run completes better when {@code autoPromote}. */
    public void check(boolean autoPromote) {
        try {
            for (ProposalStore.Row row : store.list(ProposalState.PROPOSAL_STATE_SHADOW, ProposalSource.PROPOSAL_SOURCE_UNSPECIFIED,
                    Long.MAX_VALUE, 1000)) {
                if (!row.proposal().getShadow().getComplete()) {
                    checkShadow(row.proposal(), autoPromote);
                }
            }
            for (ProposalStore.Row row : store.list(ProposalState.PROPOSAL_STATE_PROMOTED, ProposalSource.PROPOSAL_SOURCE_UNSPECIFIED,
                    Long.MAX_VALUE, 1000)) {
                PromotionGuard g = row.proposal().getGuard();
                if (!g.getBreached() && g.getCheckedTsMicros() < g.getWindowEndsTsMicros()) {
                    checkGuard(row.proposal());
                }
            }
        } catch (SQLException e) {
            LOG.warnf("shadow runs and promotions not checked: the proposal store did not answer (%s)", e.getMessage());
        }
    }

    private void checkShadow(RuleProposal p, boolean autoPromote) {
        String id = p.getProposalId();
        ShadowRun run;
        try {
            run = decisions().getShadowRun(GetShadowRunRequest.newBuilder().setShadowId(id).build());
        } catch (StatusRuntimeException e) {
            LOG.warnf("proposal %s: its shadow run was not read (%s); tried again at the next check", id, e.getStatus());
            return;
        }
        ShadowResult before = p.getShadow();
        long now = nowMicros();
        long settled = run.getSettled();
        long better = run.getShadowBetter();
        long worse = run.getShadowWorse();
        double pBetter = signTest(better, worse);
        double pWorse = signTest(worse, better);
        boolean enough = settled >= before.getMinDecisions();
        boolean timedOut = now - before.getStartedTsMicros() >= TimeUnit.MILLISECONDS.toMicros(before.getMaxDurationMs());
        boolean complete = enough || timedOut || !run.getRunning();
        boolean isBetter = enough && pBetter < config.alpha() && run.getShadow().getPnl() >= run.getLive().getPnl();
        boolean isWorse = enough && pWorse < config.alpha();
        String counts = String.format(Locale.ROOT, "%d settled decisions (of %d), the candidate better on %d and worse on %d, "
                + "sign test p = %.4g; pnl %.5f against the live rules' %.5f", settled, before.getMinDecisions(), better, worse,
                pBetter, run.getShadow().getPnl(), run.getLive().getPnl());
        String verdict;
        if (!complete) {
            verdict = "running: " + counts;
        } else if (isBetter) {
            verdict = "better than the live rules: " + counts + ", below alpha " + config.alpha();
        } else if (!enough) {
            verdict = (run.getRunning() ? "ended by its time limit" : "stopped in decision-service") + " before "
                    + before.getMinDecisions() + " decisions settled: " + counts;
        } else if (isWorse) {
            verdict = String.format(Locale.ROOT, "worse than the live rules: %s; the reverse sign test p = %.4g is below alpha %s",
                    counts, pWorse, config.alpha());
        } else {
            verdict = "not better than the live rules: " + counts + ", not below alpha " + config.alpha();
        }
        ShadowResult result = before.toBuilder()
                .setDecisionsLogged(run.getDecisions())
                .setDecisionsCompared(settled)
                .setAgreement(settled == 0 ? 0 : (double) run.getSamePosition() / settled)
                .setCandidate(run.getShadow())
                .setBaseline(run.getLive())
                .setCandidateBetter(better)
                .setCandidateWorse(worse)
                .setPValue(pBetter)
                .setComplete(complete)
                .setBetter(complete && isBetter)
                .setEndedTsMicros(complete ? now : 0)
                .setVerdict(verdict)
                .build();
        try {
            if (!complete) {
                store.update(id, EnumSet.of(ProposalState.PROPOSAL_STATE_SHADOW), q -> q.toBuilder().setShadow(result).build());
                return;
            }
            if (run.getRunning()) {
                stopQuietly(id, "shadow run complete: " + verdict);
            }
            RuleProposal done;
            if (isWorse) {
                done = store.transition(id, EnumSet.of(ProposalState.PROPOSAL_STATE_SHADOW), q -> q.toBuilder()
                        .setState(ProposalState.PROPOSAL_STATE_REJECTED)
                        .setStateReason("rejected automatically: its shadow run measured it " + verdict)
                        .setShadow(result).setUpdatedTsMicros(now).build(), SERVICE, "shadow run: " + verdict).orElseThrow();
                alerts.rejected(done, SERVICE, "its shadow run measured it " + verdict);
            } else {
                done = store.transition(id, EnumSet.of(ProposalState.PROPOSAL_STATE_SHADOW), q -> q.toBuilder()
                        .setStateReason("shadow run complete, " + verdict + (isBetter ? "; PromoteProposal promotes it" : "; reject it"))
                        .setShadow(result).setUpdatedTsMicros(now).build(), SERVICE, "shadow run complete: " + verdict).orElseThrow();
                alerts.shadowComplete(done);
            }
            LOG.infof("proposal %s: shadow run complete, %s", id, verdict);
            if (isBetter && autoPromote) {
                promote(done, SERVICE, "its shadow run showed it better (arbiter.rules.shadow.auto-promote)",
                        EnumSet.of(ProposalState.PROPOSAL_STATE_SHADOW));
            }
        } catch (ProposalStore.WrongState e) {
            // rejected meanwhile: Proposals.reject stopped the run
            LOG.infof("proposal %s left SHADOW while its run was checked (%s)", id, ProposalStore.name(e.current().getState()));
        } catch (SQLException e) {
            LOG.warnf("proposal %s: its shadow result was not stored (%s); tried again at the next check", id, e.getMessage());
        } catch (RequestRefused e) {
            LOG.warnf("proposal %s: not promoted automatically: %s", id, e.getMessage());
        }
    }

    private void checkGuard(RuleProposal p) {
        String id = p.getProposalId();
        PromotionGuard g = p.getGuard();
        long now = nowMicros();
        PromotionGuard.Builder next = g.toBuilder().setCheckedTsMicros(now);
        try {
            int live = decisions().getRuleSet(GetRuleSetRequest.newBuilder().setVersion(0).build()).getVersion();
            if (live != p.getPromotedRuleSetVersion()) {
                next.setStatus("the guard stopped: the live rule set moved to v" + live + " after the promotion (v"
                        + p.getPromotedRuleSetVersion() + ")").setWindowEndsTsMicros(now);
            } else {
                PerformanceMetrics m = promotedPerformance(p.getPromotedRuleSetVersion());
                next.setPromoted(m);
                double fpRate = falsePositiveRate(m);
                boolean judged = m.getOutcomeCount() >= config.guard().minOutcomes();
                String fpBreach = judged && fpRate > g.getMaxFalsePositiveRate() ? String.format(Locale.ROOT,
                        "false-positive rate %.3f over %d decisions with an outcome exceeds %.3f", fpRate, m.getOutcomeCount(),
                        g.getMaxFalsePositiveRate()) : null;
                String ddBreach = m.getMaxDrawdown() > g.getMaxDrawdown() ? String.format(Locale.ROOT,
                        "drawdown %.4f exceeds %.4f", m.getMaxDrawdown(), g.getMaxDrawdown()) : null;
                if (fpBreach != null || ddBreach != null) {
                    String why = "guard breached: " + (fpBreach != null ? fpBreach : ddBreach);
                    PromotionGuard breached = next.setBreached(true).setStatus(why).build();
                    rollback(p, SERVICE, why, breached);
                    return;
                }
                next.setStatus(String.format(Locale.ROOT, "watching: %d decisions with an outcome (judged from %d), false-positive "
                        + "rate %.3f (limit %.3f), drawdown %.4f (limit %.4f)", m.getOutcomeCount(), config.guard().minOutcomes(),
                        fpRate, g.getMaxFalsePositiveRate(), m.getMaxDrawdown(), g.getMaxDrawdown()));
                if (now >= g.getWindowEndsTsMicros()) {
                    next.setStatus("the guard window ended without a breach: " + next.getStatus().substring("watching: ".length()));
                }
            }
            PromotionGuard updated = next.build();
            store.update(id, EnumSet.of(ProposalState.PROPOSAL_STATE_PROMOTED), q -> q.toBuilder().setGuard(updated).build());
        } catch (StatusRuntimeException e) {
            LOG.warnf("proposal %s: its guard was not checked (decision-service %s); tried again at the next check", id, e.getStatus());
        } catch (RequestRefused e) {
            LOG.warnf("proposal %s: the guard's rollback failed: %s", id, e.getMessage());
        } catch (ProposalStore.WrongState e) {
            LOG.infof("proposal %s left PROMOTED while its guard was checked", id);
        } catch (SQLException e) {
            LOG.warnf("proposal %s: its guard's check was not stored (%s)", id, e.getMessage());
        }
    }

    /** Every decision made with the promoted rule set version (the live policy's), from decision-service's log. */
    private PerformanceMetrics promotedPerformance(int version) {
        for (VariantPerformance v : decisions().getPerformance(GetPerformanceRequest.newBuilder()
                .addVariantNames("live").setRange(TimeRange.getDefaultInstance()).setRuleSetVersion(version).build())
                .getVariantsList()) {
            if (v.getVariantName().equals("live")) {
                return v.getMetrics();
            }
        }
        return PerformanceMetrics.getDefaultInstance();
    }

    // ---------------------------------------------------------------- helpers

    /** The one-sided exact sign test: P(X >= wins) for X ~ Binomial(wins + losses, 1/2); 1 when nothing differs. */
    static double signTest(long wins, long losses) {
        long n = wins + losses;
        if (n == 0) {
            return 1;
        }
        return new BinomialTest().binomialTest((int) Math.min(n, Integer.MAX_VALUE), (int) Math.min(wins, Integer.MAX_VALUE), 0.5,
                AlternativeHypothesis.GREATER_THAN);
    }

    /** Losing acted decisions over judged ones: 1 - precision (0 when nothing was judged). */
    static double falsePositiveRate(PerformanceMetrics m) {
        return m.getFalsePositiveActions() == 0 ? 0 : 1 - m.getPrecision();
    }

    private RuleProposal find(String id) {
        try {
            return store.find(id).orElseThrow(() -> Proposals.unknown(id));
        } catch (SQLException e) {
            throw Proposals.storeUnavailable(e);
        }
    }

    private static void requireState(RuleProposal p, ProposalState state, String rule) {
        if (p.getState() != state) {
            throw wrongState(p, rule);
        }
    }

    private static RequestRefused wrongState(RuleProposal current, String rule) {
        return RequestRefused.precondition("proposal_id", "proposal " + current.getProposalId() + " is "
                + ProposalStore.name(current.getState()) + (current.getStateReason().isEmpty() ? ""
                : " (" + current.getStateReason() + ")") + "; " + rule);
    }

    private RuleSet liveRuleSet() {
        return call(() -> decisions().getRuleSet(GetRuleSetRequest.newBuilder().setVersion(0).build()), "proposal_id");
    }

    /**
     * The live rules must be the ones the proposal was compared with: its base version, or a later version with the
     * same rules (a rollback, or a set written again unchanged).
     */
    private void requireBase(RuleProposal p, RuleSet live) {
        if (live.getVersion() == p.getBaseRuleSetVersion()) {
            return;
        }
        RuleSet base = call(() -> decisions().getRuleSet(GetRuleSetRequest.newBuilder().setVersion(p.getBaseRuleSetVersion())
                .build()), "proposal_id");
        if (!base.getRulesList().equals(live.getRulesList())) {
            throw RequestRefused.precondition("proposal_id", "proposal " + p.getProposalId() + " was made against rule set v"
                    + p.getBaseRuleSetVersion() + " but v" + live.getVersion() + " is live now, with other rules; its backtest and "
                    + "shadow compared it with rules that are no longer live: re-propose it against the new rules");
        }
    }

    private interface Call<T> {
        T run();
    }

    /** A decision-service call; its refusal becomes this RPC's, with the field given. */
    private static <T> T call(Call<T> call, String field) {
        try {
            return call.run();
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            String what = Optional.ofNullable(e.getStatus().getDescription()).orElse(code.name());
            if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
                throw new RequestRefused(Status.Code.UNAVAILABLE, field, "decision-service did not answer (" + what
                        + "); nothing was changed, retry");
            }
            if (code == Status.Code.FAILED_PRECONDITION || code == Status.Code.ALREADY_EXISTS) {
                throw RequestRefused.precondition(field, "decision-service refused: " + what);
            }
            throw new RequestRefused(Status.Code.INTERNAL, field, "decision-service answered " + code + ": " + what);
        }
    }
}
