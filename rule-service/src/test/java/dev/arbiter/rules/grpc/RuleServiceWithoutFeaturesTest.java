package dev.arbiter.rules.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.GetRuleEnvironmentRequest;
import dev.arbiter.proto.v1.ListProposalsRequest;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleServiceGrpc.RuleServiceBlockingStub;
import dev.arbiter.proto.v1.SubmitProposalRequest;
import dev.arbiter.proto.v1.ValidateRuleRequest;
import dev.arbiter.service.RefusalDetails;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.Test;

/**
 * With feature-service unreachable (a closed port), the RPCs that need its schema answer UNAVAILABLE (nothing stored),
 * saying what to do, not UNKNOWN.
 */
@QuarkusTest
@TestProfile(RuleServiceWithoutFeaturesTest.NoFeatureService.class)
class RuleServiceWithoutFeaturesTest {

    public static class NoFeatureService implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.grpc.clients.features.test-port", "1", "arbiter.rules.dependency-deadline", "2s");
        }
    }

    @GrpcClient("rules")
    RuleServiceBlockingStub rules;

    @Test
    void withoutTheFeatureSchemaNothingIsValidatedAndTheClientIsToldToRetry() {
        unavailable(() -> rules.getRuleEnvironment(GetRuleEnvironmentRequest.getDefaultInstance()));
        unavailable(() -> rules.validateRule(ValidateRuleRequest.newBuilder().setRule(Rule.newBuilder()
                .setRuleId("candidate").setKind(RuleKind.RULE_KIND_GATE).setExpression("agreement > 0.5")).build()));
        unavailable(() -> rules.submitProposal(SubmitProposalRequest.newBuilder().setRule(Rule.newBuilder()
                        .setRuleId("candidate").setKind(RuleKind.RULE_KIND_GATE).setExpression("agreement > 0.5"))
                .setRationale("r").setAuthor("ana").build()));
        assertEquals(0, rules.listProposals(ListProposalsRequest.getDefaultInstance()).getProposalsCount(), "nothing stored");
    }

    /** UNAVAILABLE, naming feature-service and saying to retry; no request field is at fault, so none is named. */
    private static void unavailable(Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("feature-service") && e.getStatus().getDescription().contains("retry"),
                e.getStatus().getDescription());
        assertEquals(Optional.empty(), RefusalDetails.field(e));
    }
}
