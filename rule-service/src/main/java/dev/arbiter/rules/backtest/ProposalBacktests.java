package dev.arbiter.rules.backtest;

import static dev.arbiter.service.ObservationTimes.nowMicros;

import dev.arbiter.proto.v1.BacktestComparison;
import dev.arbiter.proto.v1.BacktestReport;
import dev.arbiter.proto.v1.BacktestSpec;
import dev.arbiter.proto.v1.BacktestUpdate;
import dev.arbiter.proto.v1.FoldScheme;
import dev.arbiter.proto.v1.ForwardReturnSignLabel;
import dev.arbiter.proto.v1.LabelSpec;
import dev.arbiter.proto.v1.ModelKind;
import dev.arbiter.proto.v1.ModelTrainingConfig;
import dev.arbiter.proto.v1.OptimizerServiceGrpc;
import dev.arbiter.proto.v1.ProposalState;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.RuleSet;
import dev.arbiter.proto.v1.RunBacktestRequest;
import dev.arbiter.proto.v1.TimeRange;
import dev.arbiter.proto.v1.WalkForwardConfig;
import dev.arbiter.rules.config.RulesConfig;
import dev.arbiter.rules.proposal.ProposalStore;
import dev.arbiter.rules.proposal.Proposals;
import dev.arbiter.rules.validation.RuleValidator;
import dev.arbiter.service.ModelKindNames;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Backtests every VALIDATED proposal through optimizer-service's walk-forward (RunBacktest with the rules inline): the
 * live rules against the live rules with the proposal added (or replacing the rule it names), on the same folds of
 * the configured series' history, whose performance never reaches a prompt (prompts read live performance only). The
 * verdict is {@link DeflatedSharpe}'s, deflated by the number of proposals already tested on the window. One backtest
 * at a time, on its own thread; a proposal left VALIDATED by a stop is picked up at the next start.
 */
@ApplicationScoped
public class ProposalBacktests {

    private static final Logger LOG = Logger.getLogger(ProposalBacktests.class);

    private final ProposalStore store;
    private final RuleValidator validator;
    private final RulesConfig.Backtest config;
    private final OptimizerServiceGrpc.OptimizerServiceBlockingStub optimizer;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "proposal-backtests");
        t.setDaemon(true);
        return t;
    });

    public ProposalBacktests(ProposalStore store, RuleValidator validator, RulesConfig config,
                             @GrpcClient("optimizer") Channel optimizer) {
        this.store = store;
        this.validator = validator;
        this.config = config.backtest();
        this.optimizer = OptimizerServiceGrpc.newBlockingStub(optimizer);
    }

    /** optimizer-service, for what else the offline search asks it. */
    OptimizerServiceGrpc.OptimizerServiceBlockingStub optimizer() {
        return optimizer.withDeadlineAfter(config.deadline().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether backtests run at all (a series is configured). */
    public boolean configured() {
        return config.series().isPresent();
    }

    /** Queues the backtest of a VALIDATED proposal; completes when it has run (or was not needed). */
    public CompletableFuture<Void> enqueue(String proposalId) {
        if (!configured()) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> run(proposalId), worker);
    }

    /** Completes when every backtest queued before this call has run. */
    public CompletableFuture<Void> drained() {
        return CompletableFuture.runAsync(() -> { }, worker);
    }

    void resume(@Observes StartupEvent e) {
        if (!configured()) {
            return;
        }
        try {
            for (ProposalStore.Row row : store.list(ProposalState.PROPOSAL_STATE_VALIDATED,
                    dev.arbiter.proto.v1.ProposalSource.PROPOSAL_SOURCE_UNSPECIFIED, Long.MAX_VALUE, 1000)) {
                enqueue(row.proposal().getProposalId());
            }
        } catch (SQLException ex) {
            LOG.warnf("VALIDATED proposals could not be listed for their backtests: %s", ex.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent e) {
        worker.shutdownNow();
    }

    /** The window as text: what makes two backtests comparable. */
    String window() {
        return "series " + config.series().orElse("") + ", rolling folds of " + config.trainObservations() + " + "
                + config.testObservations() + " observations (at most " + config.maxFolds() + "), label sign of the return "
                + config.horizon() + " ahead, members " + String.join(",", config.members()) + ", cost " + config.costPerTurnover();
    }

    private void run(String proposalId) {
        RuleProposal p;
        try {
            Optional<RuleProposal> found = store.find(proposalId);
            if (found.isEmpty() || found.get().getState() != ProposalState.PROPOSAL_STATE_VALIDATED) {
                return;
            }
            p = found.get();
        } catch (SQLException e) {
            LOG.warnf("proposal %s: not read for its backtest: %s", proposalId, e.getMessage());
            return;
        }
        RuleValidator.LiveRules live = validator.liveRules();
        List<Rule> candidate = Proposals.candidateRules(live.rules(), p);
        String window = window();
        long started = System.nanoTime();
        try {
            BacktestReport base = backtest(p.getProposalId() + " baseline", live.rules());
            BacktestReport cand = backtest(p.getProposalId() + " candidate", candidate);
            List<Double> tried = store.sharpesTried(window);
            DeflatedSharpe.Verdict v = DeflatedSharpe.compare(cand.getTotal(), base.getTotal(), tried,
                    config.winsTolerance(), config.minDeflatedSharpe());
            BacktestComparison comparison = BacktestComparison.newBuilder()
                    .setBacktestReportId(cand.getReportId())
                    .setBaselineRuleSetVersion(live.version())
                    .setCandidate(cand.getTotal())
                    .setBaseline(base.getTotal())
                    .setBetter(v.better())
                    .setVerdict(v.verdict())
                    .setCompletedTsMicros(nowMicros())
                    .setProposalsTested(tried.size())
                    .setDeflatedSharpe(v.deflatedSharpe())
                    .setWindow(window)
                    .build();
            long now = nowMicros();
            store.transition(p.getProposalId(), EnumSet.of(ProposalState.PROPOSAL_STATE_VALIDATED), q -> q.toBuilder()
                    .setState(ProposalState.PROPOSAL_STATE_BACKTESTED)
                    .setStateReason((v.better() ? "better than the live rules: " : "not better than the live rules: ")
                            + v.verdict())
                    .setBacktest(comparison)
                    .setUpdatedTsMicros(now)
                    .build(), "rule-service", "backtested on " + window, cand.getTotal().getSharpe(), window);
            LOG.infof("proposal %s backtested in %d ms: %s", p.getProposalId(),
                    (System.nanoTime() - started) / 1_000_000, v.verdict());
        } catch (StatusRuntimeException e) {
            note(p, "backtest failed (optimizer-service " + e.getStatus().getCode() + ": "
                    + Optional.ofNullable(e.getStatus().getDescription()).orElse("") + "); it is tried again at the next start");
        } catch (SQLException | ProposalStore.WrongState e) {
            LOG.warnf("proposal %s: backtest not stored: %s", p.getProposalId(), e.getMessage());
        }
    }

    private void note(RuleProposal p, String reason) {
        LOG.warnf("proposal %s: %s", p.getProposalId(), reason);
        try {
            store.transition(p.getProposalId(), EnumSet.of(ProposalState.PROPOSAL_STATE_VALIDATED), q -> q.toBuilder()
                    .setStateReason(reason).setUpdatedTsMicros(nowMicros()).build(), "rule-service", reason);
        } catch (SQLException | ProposalStore.WrongState e) {
            LOG.warnf("proposal %s: could not note the failed backtest: %s", p.getProposalId(), e.getMessage());
        }
    }

    private BacktestReport backtest(String name, List<Rule> rules) {
        return backtest(name, rules, null, config.maxFolds());
    }

    /**
     * One walk-forward backtest of {@code rules} on the configured series, its folds and label; within {@code range}
     * (null: all the history) and at most {@code maxFolds} folds.
     *
     * @throws StatusRuntimeException what optimizer-service answered
     */
    BacktestReport backtest(String name, List<Rule> rules, TimeRange range, int maxFolds) {
        BacktestSpec.Builder spec = BacktestSpec.newBuilder()
                .setName("rule-service " + name)
                .addSeriesIds(config.series().orElseThrow())
                .setWalkForward(WalkForwardConfig.newBuilder().setScheme(FoldScheme.FOLD_SCHEME_ROLLING)
                        .setTrainObservations(config.trainObservations()).setTestObservations(config.testObservations())
                        .setMaxFolds(maxFolds))
                .setLabel(LabelSpec.newBuilder().setForwardReturnSign(ForwardReturnSignLabel.newBuilder()
                        .setHorizonObservations(config.horizon())))
                .setInlineRuleSet(RuleSet.newBuilder().addAllRules(rules))
                .setCostPerTurnover(config.costPerTurnover())
                .setSeed(1);
        if (range != null) {
            spec.setRange(range);
        }
        for (String member : config.members()) {
            spec.addMembers(ModelTrainingConfig.newBuilder().setKind(kind(member)));
        }
        Iterator<BacktestUpdate> updates = optimizer.withDeadlineAfter(config.deadline().toMillis(), TimeUnit.MILLISECONDS)
                .runBacktest(RunBacktestRequest.newBuilder().setSpec(spec).build());
        BacktestReport report = null;
        while (updates.hasNext()) {
            BacktestUpdate u = updates.next();
            if (u.hasReport()) {
                report = u.getReport();
            }
        }
        if (report == null) {
            throw new StatusRuntimeException(io.grpc.Status.INTERNAL.withDescription("the backtest stream ended without a report"));
        }
        return report;
    }

    private static ModelKind kind(String shortName) {
        for (ModelKind k : ModelKind.values()) {
            if (k != ModelKind.UNRECOGNIZED && ModelKindNames.shortName(k.name()).equals(shortName.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalStateException("arbiter.rules.backtest.members names \"" + shortName
                + "\", which is not a model kind (gbt, rf, logreg, svm)");
    }
}
