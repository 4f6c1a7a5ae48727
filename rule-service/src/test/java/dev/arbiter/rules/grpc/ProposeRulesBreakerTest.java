package dev.arbiter.rules.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.CircuitState;
import dev.arbiter.proto.v1.GetLlmStatusRequest;
import dev.arbiter.proto.v1.LlmStatus;
import dev.arbiter.proto.v1.PerformanceMetrics;
import dev.arbiter.proto.v1.PerformanceSummary;
import dev.arbiter.proto.v1.ProposeRulesRequest;
import dev.arbiter.proto.v1.ProposeRulesResponse;
import dev.arbiter.proto.v1.RuleServiceGrpc.RuleServiceBlockingStub;
import dev.arbiter.rules.testing.FeatureServiceResource;
import dev.arbiter.rules.testing.LlmStubResource;
import dev.arbiter.rules.testing.OpenAiStub;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The LLM's circuit breaker: an LLM that answers 500 opens it after the configured window (2 calls here), and then
 * no call reaches it until the delay passes; the round is degraded with the reason and the next trial time. The
 * summary is sent with the request (no decision-service runs).
 */
@QuarkusTest
@TestProfile(ProposeRulesBreakerTest.SmallWindow.class)
@QuarkusTestResource(value = FeatureServiceResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = LlmStubResource.class, restrictToAnnotatedClass = true)
class ProposeRulesBreakerTest {

    public static class SmallWindow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("arbiter.rules.llm.breaker-window", "2", "arbiter.rules.llm.breaker-failure-ratio", "1.0",
                    "arbiter.rules.llm.breaker-delay", "10m");
        }
    }

    @GrpcClient("rules")
    RuleServiceBlockingStub rules;

    private ProposeRulesResponse propose() {
        return rules.proposeRules(ProposeRulesRequest.newBuilder().setMaxProposals(3).setAuthor("ana")
                .setSummary(PerformanceSummary.newBuilder().setVariantName("live").setNotes("losses cluster at the open")
                        .setMetrics(PerformanceMetrics.newBuilder().setDecisionCount(500).setActionCount(80)
                                .setFalsePositiveActions(35)))
                .build());
    }

    @Test
    void anLlmThatFailsOpensTheCircuitAndThenIsNotCalledUntilTheDelayPasses() {
        OpenAiStub stub = LlmStubResource.stub;
        stub.script(OpenAiStub.Reply.error(500, null), OpenAiStub.Reply.error(503, null));
        ProposeRulesResponse first = propose();
        assertTrue(first.getDegraded() && first.getDegradedReason().contains("HTTP 500"), first::toString);
        assertEquals(1, stub.requests().size(), "the round stops at the first failure; the client does not retry");
        assertTrue(stub.requests().get(0).body().contains("losses cluster at the open"), "the summary sent is the prompt's");
        ProposeRulesResponse second = propose();
        assertTrue(second.getDegradedReason().contains("HTTP 503"), second::toString);

        LlmStatus s = rules.getLlmStatus(GetLlmStatusRequest.getDefaultInstance());
        assertEquals(CircuitState.CIRCUIT_STATE_OPEN, s.getCircuitState(), s::toString);
        assertEquals(2, s.getConsecutiveFailures());
        assertTrue(s.getDegraded() && s.getDegradedMode().contains("its circuit is open"), s::toString);
        long tenMinutes = 600_000_000L;
        assertTrue(s.getNextAttemptTsMicros() > s.getLastErrorTsMicros() + tenMinutes - 5_000_000L, s::toString);

        ProposeRulesResponse third = propose();
        assertTrue(third.getDegradedReason().startsWith("the LLM's circuit is open after 2 failed call(s)"), third::toString);
        assertEquals(2, stub.requests().size(), "an open circuit calls no LLM");
    }
}
