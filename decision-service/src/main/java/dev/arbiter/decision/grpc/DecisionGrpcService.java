package dev.arbiter.decision.grpc;

import dev.arbiter.decision.decide.DecisionPath;
import dev.arbiter.proto.v1.AbReadout;
import dev.arbiter.proto.v1.DecideRequest;
import dev.arbiter.proto.v1.DecideStreamResponse;
import dev.arbiter.proto.v1.Decision;
import dev.arbiter.proto.v1.GetAbReadoutRequest;
import dev.arbiter.proto.v1.GetDecisionRequest;
import dev.arbiter.proto.v1.GetParameterSetRequest;
import dev.arbiter.proto.v1.GetPerformanceRequest;
import dev.arbiter.proto.v1.GetPerformanceResponse;
import dev.arbiter.proto.v1.GetRuleSetRequest;
import dev.arbiter.proto.v1.GetShadowRunRequest;
import dev.arbiter.proto.v1.ShadowRun;
import dev.arbiter.proto.v1.StartShadowRunRequest;
import dev.arbiter.proto.v1.StopShadowRunRequest;
import dev.arbiter.proto.v1.ListDecisionsRequest;
import dev.arbiter.proto.v1.ListDecisionsResponse;
import dev.arbiter.proto.v1.ListParameterSetsRequest;
import dev.arbiter.proto.v1.ListParameterSetsResponse;
import dev.arbiter.proto.v1.ListRuleSetsRequest;
import dev.arbiter.proto.v1.ListRuleSetsResponse;
import dev.arbiter.proto.v1.ListVariantsRequest;
import dev.arbiter.proto.v1.ListVariantsResponse;
import dev.arbiter.proto.v1.MutinyDecisionServiceGrpc;
import dev.arbiter.proto.v1.ParameterSet;
import dev.arbiter.proto.v1.Problem;
import dev.arbiter.proto.v1.ReplayDecisionRequest;
import dev.arbiter.proto.v1.ReplayDecisionResponse;
import dev.arbiter.proto.v1.ReportOutcomeRequest;
import dev.arbiter.proto.v1.ReportOutcomeResponse;
import dev.arbiter.proto.v1.RollbackParametersRequest;
import dev.arbiter.proto.v1.RollbackRuleSetRequest;
import dev.arbiter.proto.v1.RuleSet;
import dev.arbiter.proto.v1.SetParametersRequest;
import dev.arbiter.proto.v1.SetRuleSetRequest;
import dev.arbiter.proto.v1.SetVariantsRequest;
import dev.arbiter.service.RequestRefused;
import dev.arbiter.service.Utf8Guard;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;

/**
 * The DecisionService gRPC adapter: maps requests to the domain and, in streams, refusals to Problems, nothing else
 * ({@link ExceptionStatuses} maps a failed call to its status). The decide path never blocks the event loop: it is
 * asynchronous end to end.
 */
@GrpcService
public class DecisionGrpcService extends MutinyDecisionServiceGrpc.DecisionServiceImplBase {

    @Inject
    DecisionPath path;

    @Inject
    ExceptionStatuses statuses;

    // ---- decide path (Decide, DecideStream) ----

    /** Every request checked for invalid UTF-8 before it is parsed into a message ({@link Utf8Guard}). */
    @Override
    public ServerServiceDefinition bindService() {
        return Utf8Guard.guard(super.bindService());
    }

    @Override
    public Uni<Decision> decide(DecideRequest request) {
        long deadline = callerDeadlineNanos();
        return Uni.createFrom().completionStage(() -> path.decide(request, deadline));
    }

    /**
     * One response per request, in order. Requests are taken one at a time (the next is requested only once the
     * previous has its answer), so a fast client is held back by gRPC flow control rather than buffered here; a
     * series' observations stay in order, as feature-service requires.
     */
    @Override
    public Multi<DecideStreamResponse> decideStream(Multi<DecideRequest> requests) {
        long deadline = callerDeadlineNanos();
        return requests.onItem().transformToUniAndConcatenate(request -> Uni.createFrom()
                .completionStage(() -> path.decide(request, deadline))
                .map(d -> DecideStreamResponse.newBuilder().setDecision(d).build())
                .onFailure().recoverWithItem(e -> DecideStreamResponse.newBuilder().setProblem(problem(e)).build()));
    }

    /** The caller's gRPC deadline as a System.nanoTime() instant, or Long.MAX_VALUE when it set none. */
    private static long callerDeadlineNanos() {
        Deadline d = Context.current().getDeadline();
        if (d == null) {
            return Long.MAX_VALUE;
        }
        return System.nanoTime() + d.timeRemaining(TimeUnit.NANOSECONDS);
    }

    /** A failed request of a stream: the refusal's code, field and message, or the status the call would have ended with. */
    private Problem problem(Throwable e) {
        if (e instanceof RequestRefused r) {
            return Problem.newBuilder().setCode(r.code().value()).setField(r.field()).setMessage(r.getMessage()).build();
        }
        Status s = Status.fromThrowable(statuses.transform(e));
        return Problem.newBuilder().setCode(s.getCode().value()).setMessage(String.valueOf(s.getDescription())).build();
    }

    // ---- policy, log, outcomes ----

    @Inject
    DecisionAdminRpcs admin;

    /** Runs blocking work (PostgreSQL) on this worker thread (the methods are @Blocking); ExceptionStatuses maps failures. */
    private static <T> Uni<T> blocking(java.util.function.Supplier<T> work) {
        return Uni.createFrom().item(work);
    }

    @Override
    @Blocking
    public Uni<ReportOutcomeResponse> reportOutcome(ReportOutcomeRequest request) {
        return blocking(() -> admin.reportOutcome(request));
    }

    @Override
    @Blocking
    public Uni<Decision> getDecision(GetDecisionRequest request) {
        return blocking(() -> admin.getDecision(request));
    }

    @Override
    @Blocking
    public Uni<ListDecisionsResponse> listDecisions(ListDecisionsRequest request) {
        return blocking(() -> admin.listDecisions(request));
    }

    @Override
    @Blocking
    public Uni<ParameterSet> getParameterSet(GetParameterSetRequest request) {
        return blocking(() -> admin.getParameterSet(request));
    }

    @Override
    @Blocking
    public Uni<ListParameterSetsResponse> listParameterSets(ListParameterSetsRequest request) {
        return blocking(() -> admin.listParameterSets(request));
    }

    @Override
    @Blocking
    public Uni<ParameterSet> setParameters(SetParametersRequest request) {
        return blocking(() -> admin.setParameters(request));
    }

    @Override
    @Blocking
    public Uni<ParameterSet> rollbackParameters(RollbackParametersRequest request) {
        return blocking(() -> admin.rollbackParameters(request));
    }

    @Override
    @Blocking
    public Uni<RuleSet> getRuleSet(GetRuleSetRequest request) {
        return blocking(() -> admin.getRuleSet(request));
    }

    @Override
    @Blocking
    public Uni<ListRuleSetsResponse> listRuleSets(ListRuleSetsRequest request) {
        return blocking(() -> admin.listRuleSets(request));
    }

    @Override
    @Blocking
    public Uni<RuleSet> setRuleSet(SetRuleSetRequest request) {
        return blocking(() -> admin.setRuleSet(request));
    }

    @Override
    @Blocking
    public Uni<RuleSet> rollbackRuleSet(RollbackRuleSetRequest request) {
        return blocking(() -> admin.rollbackRuleSet(request));
    }

    @Override
    @Blocking
    public Uni<ShadowRun> startShadowRun(StartShadowRunRequest request) {
        return blocking(() -> admin.startShadowRun(request));
    }

    @Override
    @Blocking
    public Uni<ShadowRun> stopShadowRun(StopShadowRunRequest request) {
        return blocking(() -> admin.stopShadowRun(request));
    }

    @Override
    @Blocking
    public Uni<ShadowRun> getShadowRun(GetShadowRunRequest request) {
        return blocking(() -> admin.getShadowRun(request));
    }

    @Override
    @Blocking
    public Uni<ListVariantsResponse> listVariants(ListVariantsRequest request) {
        return blocking(() -> admin.listVariants(request));
    }

    @Override
    @Blocking
    public Uni<ListVariantsResponse> setVariants(SetVariantsRequest request) {
        return blocking(() -> admin.setVariants(request));
    }

    @Override
    @Blocking
    public Uni<AbReadout> getAbReadout(GetAbReadoutRequest request) {
        return blocking(() -> admin.getAbReadout(request));
    }

    @Override
    @Blocking
    public Uni<GetPerformanceResponse> getPerformance(GetPerformanceRequest request) {
        return blocking(() -> admin.getPerformance(request));
    }

    @Override
    @Blocking
    public Uni<ReplayDecisionResponse> replayDecision(ReplayDecisionRequest request) {
        return blocking(() -> admin.replayDecision(request));
    }
}
