package dev.arbiter.rules.grpc;

import dev.arbiter.proto.v1.GetRuleEnvironmentRequest;
import dev.arbiter.proto.v1.MutinyRuleServiceGrpc;
import dev.arbiter.proto.v1.RuleEnvironment;
import dev.arbiter.proto.v1.RuleValidation;
import dev.arbiter.proto.v1.ValidateRuleRequest;
import dev.arbiter.rules.validation.RuleValidator;
import dev.arbiter.service.RequestRefused;
import dev.arbiter.service.Utf8Guard;
import io.grpc.ServerServiceDefinition;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.function.Supplier;

/**
 * The RuleService gRPC adapter: maps proto ⇄ domain and RequestRefused ⇄ status, nothing else. The RPCs served so far
 * are ValidateRule and GetRuleEnvironment; the others answer UNIMPLEMENTED (the generated base class) until the
 * proposal store, the proposers, backtests and shadow runs land (README "Status").
 */
@GrpcService
public class RuleGrpcService extends MutinyRuleServiceGrpc.RuleServiceImplBase {

    private final RuleValidator validator;

    public RuleGrpcService(RuleValidator validator) {
        this.validator = validator;
    }

    /** Every request checked for invalid UTF-8 before it is parsed into a message ({@link Utf8Guard}). */
    @Override
    public ServerServiceDefinition bindService() {
        return Utf8Guard.guard(super.bindService());
    }

    private static <T> Uni<T> call(Supplier<T> work) {
        try {
            return Uni.createFrom().item(work.get());
        } catch (RequestRefused e) {
            return Uni.createFrom().failure(e.asStatus());
        }
    }

    @Override
    @Blocking
    public Uni<RuleValidation> validateRule(ValidateRuleRequest request) {
        return call(() -> validator.validate(request.getRule(), request.hasRule(), List.of()));
    }

    @Override
    @Blocking
    public Uni<RuleEnvironment> getRuleEnvironment(GetRuleEnvironmentRequest request) {
        return call(validator::environment);
    }
}
