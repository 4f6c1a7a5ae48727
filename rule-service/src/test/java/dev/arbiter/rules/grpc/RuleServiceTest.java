package dev.arbiter.rules.grpc;

import static dev.arbiter.testing.RefusalAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.DecisionServiceGrpc;
import dev.arbiter.proto.v1.FeatureSchema;
import dev.arbiter.proto.v1.FeatureServiceGrpc;
import dev.arbiter.proto.v1.GetFeatureSchemaRequest;
import dev.arbiter.proto.v1.GetRuleEnvironmentRequest;
import dev.arbiter.proto.v1.GetLlmStatusRequest;
import dev.arbiter.proto.v1.GetRuleSetRequest;
import dev.arbiter.proto.v1.LlmStatus;
import dev.arbiter.proto.v1.ProposalSource;
import dev.arbiter.proto.v1.ProposeRulesRequest;
import dev.arbiter.proto.v1.ProposeRulesResponse;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleEnvironment;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleServiceGrpc;
import dev.arbiter.proto.v1.RuleServiceGrpc.RuleServiceBlockingStub;
import dev.arbiter.proto.v1.RuleSet;
import dev.arbiter.proto.v1.RuleValidation;
import dev.arbiter.proto.v1.RuleVariable;
import dev.arbiter.proto.v1.ValidateRuleRequest;
import dev.arbiter.proto.v1.ValidationStage;
import dev.arbiter.proto.v1.ValidationStep;
import dev.arbiter.rules.testing.ServicesResource;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * ValidateRule and GetRuleEnvironment over real gRPC, the features named by a real feature-service process and the
 * live rules read from a real decision-service process; every
 * refusal of both RPCs. (The step-by-step checks themselves are engine ProposalChecksTest's.)
 */
@QuarkusTest
@QuarkusTestResource(value = ServicesResource.class, restrictToAnnotatedClass = true)
class RuleServiceTest {

    @GrpcClient("rules")
    RuleServiceBlockingStub rules;

    private static Rule gate(String expression) {
        return Rule.newBuilder().setRuleId("candidate").setKind(RuleKind.RULE_KIND_GATE).setExpression(expression).build();
    }

    private RuleValidation validate(Rule rule) {
        return rules.validateRule(ValidateRuleRequest.newBuilder().setRule(rule).build());
    }

    @Test
    void theEnvironmentListsEveryVariableAndTheFeaturesFeatureServiceServes() {
        FeatureSchema schema = FeatureServiceGrpc.newBlockingStub(ServicesResource.features.channel)
                .getFeatureSchema(GetFeatureSchemaRequest.getDefaultInstance());
        RuleEnvironment env = rules.getRuleEnvironment(GetRuleEnvironmentRequest.getDefaultInstance());
        assertEquals(schema.getSchemaId(), env.getFeatureSchemaId());
        assertEquals(5000, env.getCostLimit());
        List<String> names = env.getVariablesList().stream().map(RuleVariable::getName).toList();
        assertEquals(names.stream().sorted().toList(), names, "ordered by name");
        assertTrue(names.containsAll(List.of("agreement", "confidence", "probability", "volatility", "drawdown", "features")));
        RuleVariable features = env.getVariablesList().stream().filter(v -> v.getName().equals("features")).findFirst().orElseThrow();
        assertEquals("map(string, double)", features.getCelType());
        schema.getNamesList().forEach(n -> assertTrue(features.getDescription().contains(n), n));
    }

    @Test
    void aGoodRulePassesEveryStepInOrder() {
        RuleValidation v = validate(gate("confidence >= 0.55 && features.efficiency_ratio_14 > 0.4"));
        assertTrue(v.getValid(), v::toString);
        assertEquals(ValidationStage.VALIDATION_STAGE_UNSPECIFIED, v.getFailedStage());
        assertEquals(List.of(ValidationStage.VALIDATION_STAGE_PARSE, ValidationStage.VALIDATION_STAGE_LEAKAGE,
                        ValidationStage.VALIDATION_STAGE_TYPE_CHECK, ValidationStage.VALIDATION_STAGE_COST,
                        ValidationStage.VALIDATION_STAGE_COMPLEXITY, ValidationStage.VALIDATION_STAGE_DUPLICATE),
                v.getStepsList().stream().map(ValidationStep::getStage).toList());
        assertTrue(v.getStepsList().stream().allMatch(ValidationStep::getPassed));
        assertEquals("bool", v.getResultType());
        assertEquals(List.of("confidence", "features"), v.getVariablesList());
        assertTrue(v.getCostBound() > 0 && v.getCostBound() <= v.getCostLimit());
        assertFalse(v.getSteps(5).getDetail().contains("not compared"), v.getSteps(5).getDetail());
    }

    @Test
    void withoutAnLlmConfiguredARoundIsDegradedAndSaysWhy() {
        ProposeRulesResponse r = rules.proposeRules(ProposeRulesRequest.newBuilder().setAuthor("ana").build());
        assertTrue(r.getDegraded(), r::toString);
        assertEquals(ProposalSource.PROPOSAL_SOURCE_LOCAL_SEARCH, r.getSource());
        assertEquals(0, r.getProposalsCount());
        assertTrue(r.getDegradedReason().startsWith("no LLM is configured (set ARBITER_LLM_BASE_URL"), r.getDegradedReason());
        LlmStatus s = rules.getLlmStatus(GetLlmStatusRequest.getDefaultInstance());
        assertFalse(s.getConfigured() || s.getAvailable(), s::toString);
        assertTrue(s.getDegraded() && s.getDegradedMode().contains("none is configured"), s::toString);
        assertEquals(200_000, s.getDailyTokenBudget());
    }

    @Test
    void aNearDuplicateOfALiveRuleIsRefusedNamingIt() {
        RuleSet live = DecisionServiceGrpc.newBlockingStub(ServicesResource.decisions.channel)
                .getRuleSet(GetRuleSetRequest.getDefaultInstance());
        Rule liveRule = live.getRules(0);
        RuleValidation v = validate(liveRule.toBuilder().setRuleId("copy").build());
        assertFalse(v.getValid(), v::toString);
        assertEquals(ValidationStage.VALIDATION_STAGE_DUPLICATE, v.getFailedStage(), v::toString);
        assertTrue(v.getMessage().contains("live rule " + liveRule.getRuleId() + " (rule set " + live.getVersion() + ")"),
                v.getMessage());
    }

    @Test
    void aRuleThatFailsAStepIsAnAnswerNamingTheStepAndTheReason() {
        RuleValidation leak = validate(gate("next_return > 0.0"));
        assertFalse(leak.getValid());
        assertEquals(ValidationStage.VALIDATION_STAGE_LEAKAGE, leak.getFailedStage());
        assertTrue(leak.getMessage().contains("look-ahead"), leak.getMessage());
        assertEquals(2, leak.getStepsCount());

        RuleValidation unknownFeature = validate(gate("features.vol_999 < 0.01"));
        assertEquals(ValidationStage.VALIDATION_STAGE_TYPE_CHECK, unknownFeature.getFailedStage());
        assertTrue(unknownFeature.getMessage().contains("vol_999"), unknownFeature.getMessage());

        RuleValidation regex = validate(gate("\"aaaa\".matches(\"(a+)+$\")"));
        assertEquals(ValidationStage.VALIDATION_STAGE_COST, regex.getFailedStage());

        RuleValidation huge = validate(gate("confidence < 1e300"));
        assertEquals(ValidationStage.VALIDATION_STAGE_COMPLEXITY, huge.getFailedStage());

        RuleValidation sizing = validate(gate("confidence * 2.0").toBuilder().setKind(RuleKind.RULE_KIND_SIZING).build());
        assertTrue(sizing.getValid(), sizing::toString);
        assertEquals("double", sizing.getResultType());
    }

    @Test
    void everyRefusalNamesItsField() {
        refused(Status.Code.INVALID_ARGUMENT, "rule", () -> rules.validateRule(ValidateRuleRequest.getDefaultInstance()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.rule_id", () -> validate(gate("agreement > 0.5").toBuilder().setRuleId("").build()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.rule_id", () -> validate(gate("agreement > 0.5").toBuilder().setRuleId("Has Spaces").build()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.rule_id", () -> validate(gate("agreement > 0.5").toBuilder().setRuleId("x".repeat(65)).build()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.kind", () -> validate(gate("agreement > 0.5").toBuilder().setKind(RuleKind.RULE_KIND_UNSPECIFIED).build()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.kind", () -> validate(gate("agreement > 0.5").toBuilder().setKindValue(42).build()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.expression", () -> validate(gate("")));
        refused(Status.Code.INVALID_ARGUMENT, "rule.expression", () -> validate(gate("   \n")));
        refused(Status.Code.INVALID_ARGUMENT, "rule.expression", () -> validate(gate("agreement > 0.5 \u0000")));
        refused(Status.Code.INVALID_ARGUMENT, "rule.description", () -> validate(gate("agreement > 0.5").toBuilder()
                .setDescription("x".repeat(501)).build()));
        refused(Status.Code.INVALID_ARGUMENT, "rule.expression", () -> validate(gate("agreement > 0.5 || ".repeat(120) + "true")));
    }

    /**
     * The generated base class answers an RPC the adapter does not override with UNIMPLEMENTED and an empty message,
     * which tells a client nothing: every RPC of the contract is overridden.
     */
    @Test
    void theAdapterServesEveryRpcOfTheContract() {
        Set<String> overridden = Arrays.stream(RuleGrpcService.class.getDeclaredMethods())
                .map(Method::getName).collect(Collectors.toSet());
        List<String> missing = RuleServiceGrpc.getServiceDescriptor().getMethods().stream()
                .map(m -> MethodDescriptor.extractBareMethodName(m.getFullMethodName()))
                .filter(rpc -> !overridden.contains(Character.toLowerCase(rpc.charAt(0)) + rpc.substring(1)))
                .toList();
        assertEquals(List.of(), missing, "RPCs that would answer UNIMPLEMENTED with an empty message");
    }
}
