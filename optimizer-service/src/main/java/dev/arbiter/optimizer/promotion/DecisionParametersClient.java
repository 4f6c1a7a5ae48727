package dev.arbiter.optimizer.promotion;

import dev.arbiter.optimizer.config.PromotionConfig;
import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.GetParameterSetRequest;
import dev.arbiter.proto.v1.GetPerformanceRequest;
import dev.arbiter.proto.v1.ParameterSet;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.RollbackParametersRequest;
import dev.arbiter.proto.v1.SetParametersRequest;
import dev.arbiter.proto.v1.VariantPerformance;
import dev.arbiter.service.RefusalDetails;
import dev.arbiter.service.RequestRefused;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * decision-service's parameter and performance RPCs over gRPC client "decisions"
 * ({@code quarkus.grpc.clients.decisions.*}), each with {@code arbiter.optimizer.promotion.decision-service-deadline}.
 * A refusal keeps decision-service's code, field and message; a call that gets no answer is UNAVAILABLE.
 */
@ApplicationScoped
public class DecisionParametersClient implements DecisionParameters {

    private static final String LIVE_VARIANT = "live";
    /** decision-service's answers about the request, passed on as they are; anything else means it did not answer. */
    private static final Set<Status.Code> REFUSALS = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
            Status.Code.FAILED_PRECONDITION, Status.Code.ALREADY_EXISTS, Status.Code.OUT_OF_RANGE);

    private final DecisionServiceGrpc.DecisionServiceBlockingStub stub;
    private final PromotionConfig config;

    public DecisionParametersClient(@GrpcClient("decisions") Channel channel, PromotionConfig config) {
        this.stub = DecisionServiceGrpc.newBlockingStub(channel);
        this.config = config;
    }

    @Override
    public ParameterSet live() {
        return call("GetParameterSet", s -> s.getParameterSet(GetParameterSetRequest.newBuilder().setVersion(0).build()));
    }

    @Override
    public ParameterSet set(Map<String, ParameterValue> values, String reason, int expectedLiveVersion, boolean dryRun) {
        return call("SetParameters", s -> s.setParameters(SetParametersRequest.newBuilder().putAllValues(values)
                .setAuthor(AUTHOR).setReason(reason).setExpectedLiveVersion(expectedLiveVersion).setDryRun(dryRun).build()));
    }

    @Override
    public ParameterSet rollback(int toVersion, String reason) {
        return call("RollbackParameters", s -> s.rollbackParameters(RollbackParametersRequest.newBuilder()
                .setToVersion(toVersion).setAuthor(AUTHOR).setReason(reason).build()));
    }

    @Override
    public PerformanceMetrics livePerformance() {
        return call("GetPerformance", s -> s.getPerformance(GetPerformanceRequest.newBuilder().addVariantNames(LIVE_VARIANT).build()))
                .getVariantsList().stream().filter(v -> v.getVariantName().equals(LIVE_VARIANT)).findFirst()
                .map(VariantPerformance::getMetrics).orElse(PerformanceMetrics.getDefaultInstance());
    }

    private <T> T call(String rpc, Function<DecisionServiceGrpc.DecisionServiceBlockingStub, T> work) {
        try {
            return work.apply(stub.withDeadlineAfter(config.decisionServiceDeadline().toMillis(), TimeUnit.MILLISECONDS));
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            String said = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
            if (REFUSALS.contains(status.getCode())) {
                throw new RequestRefused(status.getCode(), RefusalDetails.field(e).orElse("target"),
                        "decision-service refused " + rpc + ": " + said);
            }
            throw new RequestRefused(Status.Code.UNAVAILABLE, "target", "decision-service did not answer " + rpc + " ("
                    + status.getCode() + ": " + said + "); start it, or point optimizer-service's"
                    + " quarkus.grpc.clients.decisions.host and .port at it, and call again");
        }
    }
}
