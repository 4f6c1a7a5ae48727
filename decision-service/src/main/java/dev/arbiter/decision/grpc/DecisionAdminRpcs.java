package dev.arbiter.decision.grpc;

import dev.arbiter.decision.log.DecisionQueries;
import dev.arbiter.decision.decide.DecisionReplay;
import dev.arbiter.decision.experiment.AbReadouts;
import dev.arbiter.decision.policy.LivePolicy;
import dev.arbiter.decision.outcome.OutcomeService;
import dev.arbiter.decision.outcome.PerformanceTracker;
import dev.arbiter.decision.policy.PolicyVersions;
import dev.arbiter.decision.policy.ShadowRuns;
import dev.arbiter.decision.policy.PolicyVersions.ParameterSetView;
import dev.arbiter.decision.policy.PolicyVersions.RuleSetView;
import dev.arbiter.decision.policy.PolicyVersions.VersionPage;
import dev.arbiter.proto.v1.*;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The decision log, outcome, live policy, performance and replay RPCs of DecisionService, mapped to the services
 * that do the work. Blocking (PostgreSQL): {@link DecisionGrpcService} runs them on worker threads, and
 * {@link ExceptionStatuses} turns a RequestRefused into its status.
 */
@ApplicationScoped
public class DecisionAdminRpcs {

    private final DecisionQueries queries;
    private final OutcomeService outcomes;
    private final PolicyVersions versions;
    private final PerformanceTracker performance;
    private final DecisionReplay replay;
    private final LivePolicy live;
    private final ShadowRuns shadows;
    private final AbReadouts abReadouts;

    public DecisionAdminRpcs(DecisionQueries queries, OutcomeService outcomes, PolicyVersions versions, PerformanceTracker performance,
                             DecisionReplay replay, LivePolicy live, ShadowRuns shadows, AbReadouts abReadouts) {
        this.queries = queries;
        this.outcomes = outcomes;
        this.versions = versions;
        this.performance = performance;
        this.replay = replay;
        this.live = live;
        this.shadows = shadows;
        this.abReadouts = abReadouts;
    }

    public ReportOutcomeResponse reportOutcome(ReportOutcomeRequest r) {
        OutcomeService.Result result = outcomes.report(r.getDecisionId(), r.getRealisedReturn(),
                r.hasRealisedPositive() ? r.getRealisedPositive() : null, r.getOutcomeTsMicros());
        return ReportOutcomeResponse.newBuilder()
                .setStatus(result.status())
                .setPnl(result.pnl())
                .setWeightsUpdated(result.weightsUpdated())
                .setWeightsSnapshotId(result.weightsSnapshotId())
                .build();
    }

    public Decision getDecision(GetDecisionRequest r) {
        return queries.get(r.getDecisionId());
    }

    public ListDecisionsResponse listDecisions(ListDecisionsRequest r) {
        DecisionQueries.Page page = queries.list(new DecisionQueries.Filter(r.getSeriesId(),
                        r.getRange().getStartTsMicros(), r.getRange().getEndTsMicros(), r.getVariantName(), r.getActedOnly()),
                r.getPageSize(), r.getPageToken());
        return ListDecisionsResponse.newBuilder().addAllDecisions(page.decisions()).setNextPageToken(page.nextPageToken()).build();
    }

    public ParameterSet getParameterSet(GetParameterSetRequest r) {
        return PolicyProtoMapper.parameterSet(versions.parameterSet(r.getVersion()));
    }

    public ListParameterSetsResponse listParameterSets(ListParameterSetsRequest r) {
        OffsetPage page = OffsetPage.of(r.getPageSize(), r.getPageToken(), "p");
        VersionPage<ParameterSetView> found = versions.parameterSets(page.offset(), page.size());
        ListParameterSetsResponse.Builder b = ListParameterSetsResponse.newBuilder();
        found.items().forEach(v -> b.addParameterSets(PolicyProtoMapper.parameterSet(v)));
        return b.setNextPageToken(page.next(found.total())).build();
    }

    public ParameterSet setParameters(SetParametersRequest r) {
        return PolicyProtoMapper.parameterSet(versions.setParameters(PolicyProtoMapper.values(r.getValuesMap()), r.getAuthor(), r.getReason(),
                r.getExpectedLiveVersion(), r.getStageOnly(), r.getDryRun()));
    }

    public ParameterSet rollbackParameters(RollbackParametersRequest r) {
        return PolicyProtoMapper.parameterSet(versions.rollbackParameters(r.getToVersion(), r.getAuthor(), r.getReason()));
    }

    public RuleSet getRuleSet(GetRuleSetRequest r) {
        return PolicyProtoMapper.ruleSet(versions.ruleSet(r.getVersion()));
    }

    public ListRuleSetsResponse listRuleSets(ListRuleSetsRequest r) {
        OffsetPage page = OffsetPage.of(r.getPageSize(), r.getPageToken(), "r");
        VersionPage<RuleSetView> found = versions.ruleSets(page.offset(), page.size());
        ListRuleSetsResponse.Builder b = ListRuleSetsResponse.newBuilder();
        found.items().forEach(v -> b.addRuleSets(PolicyProtoMapper.ruleSet(v)));
        return b.setNextPageToken(page.next(found.total())).build();
    }

    public RuleSet setRuleSet(SetRuleSetRequest r) {
        return PolicyProtoMapper.ruleSet(versions.setRuleSet(PolicyProtoMapper.rules(r.getRulesList()), r.getAuthor(), r.getReason(),
                r.getExpectedLiveVersion(), r.getStageOnly(), r.getProposalIdsList()));
    }

    public RuleSet rollbackRuleSet(RollbackRuleSetRequest r) {
        return PolicyProtoMapper.ruleSet(versions.rollbackRuleSet(r.getToVersion(), r.getAuthor(), r.getReason(), r.getExpectedLiveVersion()));
    }

    public ShadowRun startShadowRun(StartShadowRunRequest r) {
        return shadows.start(r.getShadowId(), r.getRuleSetVersion(), r.getAuthor(), r.getReason());
    }

    public ShadowRun stopShadowRun(StopShadowRunRequest r) {
        return shadows.stop(r.getShadowId(), r.getAuthor(), r.getReason());
    }

    public ShadowRun getShadowRun(GetShadowRunRequest r) {
        return shadows.get(r.getShadowId());
    }

    public ListVariantsResponse listVariants(ListVariantsRequest r) {
        return PolicyProtoMapper.variants(live.state());
    }

    public AbReadout getAbReadout(GetAbReadoutRequest r) {
        return PolicyProtoMapper.abReadout(abReadouts.readout(r.getVariantName(), r.getControlName()));
    }

    public ListVariantsResponse setVariants(SetVariantsRequest r) {
        return PolicyProtoMapper.variants(versions.setVariants(
                r.getVariantsList().stream().map(PolicyProtoMapper::variant).toList(), r.getAuthor(), r.getReason(), r.getSalt()));
    }

    public GetPerformanceResponse getPerformance(GetPerformanceRequest r) {
        PerformanceTracker.Report report = performance.performance(r.getVariantNamesList(), r.getSeriesId(), r.hasRange() ? r.getRange() : null,
                r.getRuleSetVersion(), r.getBreakdown());
        return GetPerformanceResponse.newBuilder()
                .addAllVariants(report.variants())
                .setRange(TimeRange.newBuilder().setStartTsMicros(report.startTsMicros()).setEndTsMicros(report.endTsMicros()))
                .build();
    }

    public ReplayDecisionResponse replayDecision(ReplayDecisionRequest r) {
        return replay.replay(r.getDecisionId(), r.getMode());
    }
}
