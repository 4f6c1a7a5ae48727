package dev.arbiter.rules.grpc;

import dev.arbiter.proto.v1.GetProposalRequest;
import dev.arbiter.proto.v1.GetRuleEnvironmentRequest;
import dev.arbiter.proto.v1.GetLlmStatusRequest;
import dev.arbiter.proto.v1.ListProposalsRequest;
import dev.arbiter.proto.v1.LlmStatus;
import dev.arbiter.proto.v1.ProposeRulesRequest;
import dev.arbiter.proto.v1.ProposeRulesResponse;
import dev.arbiter.proto.v1.ListProposalsResponse;
import dev.arbiter.proto.v1.RejectProposalRequest;
import dev.arbiter.proto.v1.RuleProposal;
import dev.arbiter.proto.v1.SubmitProposalRequest;
import dev.arbiter.proto.v1.MutinyRuleServiceGrpc;
import dev.arbiter.proto.v1.RuleEnvironment;
import dev.arbiter.proto.v1.RuleValidation;
import dev.arbiter.proto.v1.ValidateRuleRequest;
import dev.arbiter.rules.llm.LlmClient;
import dev.arbiter.rules.proposal.ProposalRound;
import dev.arbiter.rules.proposal.Proposals;
import dev.arbiter.rules.proposal.ShadowPromotions;
import dev.arbiter.proto.v1.PromoteProposalRequest;
import dev.arbiter.proto.v1.RollbackProposalRequest;
import dev.arbiter.proto.v1.StartShadowRequest;
import dev.arbiter.rules.validation.RuleValidator;
import dev.arbiter.service.RequestRefused;
import dev.arbiter.service.Utf8Guard;
import io.grpc.ServerServiceDefinition;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.function.Supplier;

/** The RuleService gRPC adapter: maps proto ⇄ domain and RequestRefused ⇄ status, nothing else. */
@GrpcService
public class RuleGrpcService extends MutinyRuleServiceGrpc.RuleServiceImplBase {

    private final RuleValidator validator;
    private final Proposals proposals;
    private final ProposalRound round;
    private final LlmClient llm;
    private final ShadowPromotions shadows;

    public RuleGrpcService(RuleValidator validator, Proposals proposals, ProposalRound round, LlmClient llm,
                           ShadowPromotions shadows) {
        this.shadows = shadows;
        this.validator = validator;
        this.proposals = proposals;
        this.round = round;
        this.llm = llm;
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

    @Override
    @Blocking
    public Uni<RuleProposal> submitProposal(SubmitProposalRequest request) {
        return call(() -> proposals.submit(request));
    }

    @Override
    @Blocking
    public Uni<RuleProposal> getProposal(GetProposalRequest request) {
        return call(() -> proposals.get(request.getProposalId()));
    }

    @Override
    @Blocking
    public Uni<ListProposalsResponse> listProposals(ListProposalsRequest request) {
        return call(() -> proposals.list(request));
    }

    @Override
    @Blocking
    public Uni<ProposeRulesResponse> proposeRules(ProposeRulesRequest request) {
        return call(() -> round.propose(request));
    }

    @Override
    @Blocking
    public Uni<LlmStatus> getLlmStatus(GetLlmStatusRequest request) {
        return call(llm::status);
    }

    @Override
    @Blocking
    public Uni<RuleProposal> rejectProposal(RejectProposalRequest request) {
        return call(() -> proposals.reject(request));
    }

    @Override
    @Blocking
    public Uni<RuleProposal> startShadow(StartShadowRequest request) {
        return call(() -> shadows.startShadow(request));
    }

    @Override
    @Blocking
    public Uni<RuleProposal> promoteProposal(PromoteProposalRequest request) {
        return call(() -> shadows.promote(request));
    }

    @Override
    @Blocking
    public Uni<RuleProposal> rollbackProposal(RollbackProposalRequest request) {
        return call(() -> shadows.rollback(request));
    }
}
