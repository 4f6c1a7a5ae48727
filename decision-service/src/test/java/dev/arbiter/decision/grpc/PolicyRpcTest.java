package dev.arbiter.decision.grpc;

import static dev.arbiter.decision.testing.Refusals.invalid;
import static dev.arbiter.decision.testing.Refusals.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.decision.testing.RealDependenciesProfile;
import dev.arbiter.engine.policy.PolicyParameter;
import dev.arbiter.engine.policy.PolicyParameters;
import dev.arbiter.proto.v1.DecisionServiceGrpc.DecisionServiceBlockingStub;
import dev.arbiter.proto.v1.GetParameterSetRequest;
import dev.arbiter.proto.v1.GetRuleSetRequest;
import dev.arbiter.proto.v1.ListParameterSetsRequest;
import dev.arbiter.proto.v1.ListParameterSetsResponse;
import dev.arbiter.proto.v1.ListRuleSetsRequest;
import dev.arbiter.proto.v1.ParameterSet;
import dev.arbiter.proto.v1.ParameterValue;
import dev.arbiter.proto.v1.RollbackParametersRequest;
import dev.arbiter.proto.v1.RollbackRuleSetRequest;
import dev.arbiter.proto.v1.Rule;
import dev.arbiter.proto.v1.RuleKind;
import dev.arbiter.proto.v1.RuleSet;
import dev.arbiter.proto.v1.SetParametersRequest;
import dev.arbiter.proto.v1.SetRuleSetRequest;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parameter sets and rule sets over gRPC: versions, live pointer, staging, dry runs, rollbacks, and every bad input. */
@QuarkusTest
@TestProfile(RealDependenciesProfile.class)
class PolicyRpcTest {

    @GrpcClient("decision")
    DecisionServiceBlockingStub decisions;

    static ParameterValue d(double v) {
        return ParameterValue.newBuilder().setDoubleValue(v).build();
    }

    static ParameterValue i(long v) {
        return ParameterValue.newBuilder().setIntValue(v).build();
    }

    ParameterSet live() {
        return decisions.getParameterSet(GetParameterSetRequest.getDefaultInstance());
    }

    SetParametersRequest.Builder set(String key, ParameterValue v) {
        return SetParametersRequest.newBuilder().putValues(key, v).setAuthor("test").setReason("a test change");
    }

    @Test
    void versionOneHoldsTheEngineDefaultsAndEveryParameter() {
        ParameterSet v1 = decisions.getParameterSet(GetParameterSetRequest.newBuilder().setVersion(1).build());
        assertEquals(1, v1.getVersion());
        assertEquals(PolicyParameter.values().length, v1.getValuesCount());
        assertEquals(PolicyParameters.defaults().get(PolicyParameter.GATE_MIN_CONFIDENCE), v1.getValuesOrThrow("gate.min_confidence").getDoubleValue());
        assertEquals(3, v1.getValuesOrThrow("risk.cooldown_losses").getIntValue(), "whole-number parameters are int_value");
        RuleSet r1 = decisions.getRuleSet(GetRuleSetRequest.newBuilder().setVersion(1).build());
        assertEquals(0, r1.getRulesCount());
    }

    @Test
    void setMakesANewLiveVersionFromTheLiveOneAndRollbackCopiesTheOneBefore() {
        ParameterSet before = live();
        ParameterSet v = decisions.setParameters(set("gate.min_confidence", d(0.33)).putValues("risk.cooldown_losses", i(4))
                .setExpectedLiveVersion(before.getVersion()).build());
        // a new number, after every version (another test may have staged some after the live one)
        assertTrue(v.getVersion() > before.getVersion(), v.getVersion() + " after " + before.getVersion());
        assertTrue(v.getLive());
        assertEquals(before.getVersion(), v.getSourceVersion());
        assertEquals(0.33, v.getValuesOrThrow("gate.min_confidence").getDoubleValue());
        assertEquals(4, v.getValuesOrThrow("risk.cooldown_losses").getIntValue());
        assertEquals(before.getValuesOrThrow("risk.max_size"), v.getValuesOrThrow("risk.max_size"), "unchanged names keep their live value");
        assertEquals(v, live());
        assertFalse(decisions.getParameterSet(GetParameterSetRequest.newBuilder().setVersion(before.getVersion()).build()).getLive());

        // A stale expected_live_version is refused and changes nothing.
        refused(Status.Code.FAILED_PRECONDITION, "expected_live_version",
                () -> decisions.setParameters(set("gate.min_edge", d(0.05)).setExpectedLiveVersion(before.getVersion()).build()));
        assertEquals(v.getVersion(), live().getVersion());

        ParameterSet back = decisions.rollbackParameters(RollbackParametersRequest.newBuilder().setAuthor("test").setReason("undo").build());
        assertEquals(v.getVersion() + 1, back.getVersion());
        assertEquals(before.getVersion(), back.getSourceVersion(), "to_version 0 copies the version live before");
        assertEquals(before.getValuesMap(), back.getValuesMap());
        assertTrue(back.getLive());

        // Rolling forward again to the changed version by number.
        ParameterSet forward = decisions.rollbackParameters(RollbackParametersRequest.newBuilder().setToVersion(v.getVersion())
                .setAuthor("test").setReason("redo").build());
        assertEquals(v.getValuesMap(), forward.getValuesMap());
        refused(Status.Code.FAILED_PRECONDITION, "to_version", () -> decisions.rollbackParameters(RollbackParametersRequest.newBuilder()
                .setToVersion(forward.getVersion()).setAuthor("test").setReason("same").build()));
        refused(Status.Code.NOT_FOUND, "to_version", () -> decisions.rollbackParameters(RollbackParametersRequest.newBuilder()
                .setToVersion(9999).setAuthor("test").setReason("nope").build()));
    }

    @Test
    void stagedAndDryRunVersionsAreNotLive() {
        ParameterSet before = live();
        ParameterSet dry = decisions.setParameters(set("gate.min_edge", d(0.07)).setDryRun(true).build());
        assertEquals(0.07, dry.getValuesOrThrow("gate.min_edge").getDoubleValue());
        assertEquals(before, live(), "a dry run stores nothing");
        refused(Status.Code.NOT_FOUND, "version", () -> decisions.getParameterSet(GetParameterSetRequest.newBuilder().setVersion(dry.getVersion()).build()));

        ParameterSet staged = decisions.setParameters(set("gate.min_edge", d(0.07)).setStageOnly(true).build());
        assertFalse(staged.getLive());
        assertEquals(before.getVersion(), live().getVersion(), "staging leaves the live version");
        assertEquals(staged, decisions.getParameterSet(GetParameterSetRequest.newBuilder().setVersion(staged.getVersion()).build()));
    }

    @Test
    void listsVersionsNewestFirstInPages() {
        decisions.setParameters(set("gate.min_edge", d(0.03)).setStageOnly(true).build());
        decisions.setParameters(set("gate.min_edge", d(0.04)).setStageOnly(true).build());
        int total = 0;
        int previous = Integer.MAX_VALUE;
        Set<Integer> seen = new HashSet<>();
        String token = "";
        do {
            ListParameterSetsResponse page = decisions.listParameterSets(ListParameterSetsRequest.newBuilder().setPageSize(2).setPageToken(token).build());
            for (ParameterSet p : page.getParameterSetsList()) {
                assertTrue(p.getVersion() < previous, "newest first");
                previous = p.getVersion();
                seen.add(p.getVersion());
                total++;
            }
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertEquals(total, seen.size());
        assertTrue(total >= 3);
        assertEquals(1, previous, "the last page ends with version 1");
    }

    @Test
    void badParameterRequestsAreRefusedNamingTheField() {
        int liveVersion = live().getVersion();
        invalid("values[\"gate.nonsense\"]", () -> decisions.setParameters(set("gate.nonsense", d(1)).build()));
        invalid("values[\"gate.min_confidence\"]", () -> decisions.setParameters(set("gate.min_confidence", d(1.5)).build()));
        invalid("values[\"gate.min_confidence\"]", () -> decisions.setParameters(set("gate.min_confidence", d(Double.NaN)).build()));
        invalid("values[\"risk.max_size\"]", () -> decisions.setParameters(set("risk.max_size", d(Double.POSITIVE_INFINITY)).build()));
        invalid("values[\"risk.cooldown_losses\"]", () -> decisions.setParameters(set("risk.cooldown_losses", d(2.5)).build()));
        invalid("values[\"gate.min_edge\"]", () -> decisions.setParameters(set("gate.min_edge",
                ParameterValue.newBuilder().setStringValue("high").build()).build()));
        invalid("values[\"gate.min_edge\"]", () -> decisions.setParameters(set("gate.min_edge", ParameterValue.getDefaultInstance()).build()));
        invalid("values", () -> decisions.setParameters(SetParametersRequest.newBuilder().setAuthor("a").setReason("r").build()));
        // Consistent one by one, inconsistent together: soft drawdown above the limit.
        invalid("values", () -> decisions.setParameters(set("risk.drawdown_soft", d(0.5)).putValues("risk.drawdown_limit", d(0.2)).build()));
        invalid("author", () -> decisions.setParameters(set("gate.min_edge", d(0.05)).setAuthor("").build()));
        invalid("reason", () -> decisions.setParameters(set("gate.min_edge", d(0.05)).setReason(" ").build()));
        invalid("author", () -> decisions.setParameters(set("gate.min_edge", d(0.05)).setAuthor("x".repeat(201)).build()));
        invalid("expected_live_version", () -> decisions.setParameters(set("gate.min_edge", d(0.05)).setExpectedLiveVersion(-1).build()));
        invalid("version", () -> decisions.getParameterSet(GetParameterSetRequest.newBuilder().setVersion(-2).build()));
        refused(Status.Code.NOT_FOUND, "version", () -> decisions.getParameterSet(GetParameterSetRequest.newBuilder().setVersion(100000).build()));
        invalid("to_version", () -> decisions.rollbackParameters(RollbackParametersRequest.newBuilder().setToVersion(-1).setAuthor("a").setReason("r").build()));
        invalid("author", () -> decisions.rollbackParameters(RollbackParametersRequest.newBuilder().setReason("r").build()));
        invalid("reason", () -> decisions.rollbackParameters(RollbackParametersRequest.newBuilder().setAuthor("a").build()));
        invalid("reason", () -> decisions.setParameters(set("gate.min_edge", d(0.05)).setReason("x".repeat(2001)).build()));
        invalid("reason", () -> decisions.rollbackParameters(RollbackParametersRequest.newBuilder().setAuthor("a")
                .setReason("x".repeat(2001)).build()));
        refused(Status.Code.FAILED_PRECONDITION, "to_version", () -> decisions.rollbackParameters(RollbackParametersRequest
                .newBuilder().setToVersion(liveVersion).setAuthor("a").setReason("r").build()));
        invalid("page_size", () -> decisions.listParameterSets(ListParameterSetsRequest.newBuilder().setPageSize(-1).build()));
        invalid("page_token", () -> decisions.listParameterSets(ListParameterSetsRequest.newBuilder().setPageToken("garbage!").build()));
        String ruleToken = decisions.listRuleSets(ListRuleSetsRequest.newBuilder().setPageSize(1).build()).getNextPageToken();
        if (!ruleToken.isEmpty()) {
            invalid("page_token", () -> decisions.listParameterSets(ListParameterSetsRequest.newBuilder().setPageToken(ruleToken).build()));
        }
        assertTrue(decisions.listParameterSets(ListParameterSetsRequest.newBuilder().setPageSize(100000).build()).getParameterSetsCount() > 0,
                "a page size above the maximum is lowered, not refused");
        assertEquals(liveVersion, live().getVersion(), "no refusal changed the live version");
    }

    static Rule rule(String id, String expression, RuleKind kind) {
        return Rule.newBuilder().setRuleId(id).setExpression(expression).setKind(kind).setDescription("test").build();
    }

    SetRuleSetRequest.Builder rules(Rule... rules) {
        return SetRuleSetRequest.newBuilder().addAllRules(java.util.List.of(rules)).setAuthor("test").setReason("test rules");
    }

    @Test
    void ruleSetsAreCheckedAgainstTheFeatureSchemaVersionedAndRolledBack() {
        RuleSet before = decisions.getRuleSet(GetRuleSetRequest.getDefaultInstance());
        RuleSet v = decisions.setRuleSet(rules(
                rule("calm_only", "features.vol_20 < 0.05 && agreement >= 0.6", RuleKind.RULE_KIND_GATE),
                rule("half_in_drawdown", "drawdown > 0.05 ? 0.5 : 1.0", RuleKind.RULE_KIND_SIZING))
                .addProposalIds("proposal-1").setExpectedLiveVersion(before.getVersion()).build());
        assertTrue(v.getVersion() > before.getVersion(), v.getVersion() + " after " + before.getVersion());
        assertTrue(v.getLive());
        assertEquals(2, v.getRulesCount());
        assertEquals("calm_only", v.getRules(0).getRuleId());
        assertEquals(java.util.List.of("proposal-1"), v.getProposalIdsList());
        assertEquals(v, decisions.getRuleSet(GetRuleSetRequest.getDefaultInstance()));

        RuleSet back = decisions.rollbackRuleSet(RollbackRuleSetRequest.newBuilder().setAuthor("test").setReason("undo").build());
        assertEquals(before.getRulesList(), back.getRulesList());
        assertEquals(before.getVersion(), back.getSourceVersion());
        assertTrue(back.getLive());
        refused(Status.Code.FAILED_PRECONDITION, "expected_live_version",
                () -> decisions.setRuleSet(rules().setExpectedLiveVersion(v.getVersion()).build()));
    }

    @Test
    void badRulesAreRefusedNamingTheRule() {
        int liveVersion = decisions.getRuleSet(GetRuleSetRequest.getDefaultInstance()).getVersion();
        Rule ok = rule("ok", "agreement >= 0.5", RuleKind.RULE_KIND_GATE);
        invalid("rules[1]", () -> decisions.setRuleSet(rules(ok, rule("typo", "agreement >=", RuleKind.RULE_KIND_GATE)).build()));
        invalid("rules[1]", () -> decisions.setRuleSet(rules(ok, rule("unknown_feature", "features.nope < 1.0", RuleKind.RULE_KIND_GATE)).build()));
        invalid("rules[0]", () -> decisions.setRuleSet(rules(rule("not_bool", "agreement * 2.0", RuleKind.RULE_KIND_GATE)).build()));
        invalid("rules[0]", () -> decisions.setRuleSet(rules(rule("int_sizing", "1", RuleKind.RULE_KIND_SIZING)).build()));
        invalid("rules[0]", () -> decisions.setRuleSet(rules(rule("Bad Id", "agreement >= 0.5", RuleKind.RULE_KIND_GATE)).build()));
        invalid("rules[0]", () -> decisions.setRuleSet(rules(rule("empty", "", RuleKind.RULE_KIND_GATE)).build()));
        invalid("rules[1]", () -> decisions.setRuleSet(rules(ok, ok).build()));
        invalid("rules[0].kind", () -> decisions.setRuleSet(rules(rule("no_kind", "agreement >= 0.5", RuleKind.RULE_KIND_UNSPECIFIED)).build()));
        invalid("rules[0].kind", () -> decisions.setRuleSet(rules(Rule.newBuilder().setRuleId("odd").setExpression("true").setKindValue(42).build()).build()));
        invalid("rules[0].rule_id", () -> decisions.setRuleSet(rules(rule("confidence", "agreement >= 0.5", RuleKind.RULE_KIND_GATE)).build()));
        invalid("rules", () -> {
            SetRuleSetRequest.Builder many = rules();
            for (int n = 0; n < 101; n++) {
                many.addRules(rule("r" + n, "true", RuleKind.RULE_KIND_GATE));
            }
            decisions.setRuleSet(many.build());
        });
        invalid("proposal_ids[0]", () -> decisions.setRuleSet(rules(ok).addProposalIds("a,b").build()));
        invalid("author", () -> decisions.setRuleSet(rules(ok).setAuthor("").build()));
        invalid("reason", () -> decisions.setRuleSet(rules(ok).setReason("").build()));
        invalid("version", () -> decisions.getRuleSet(GetRuleSetRequest.newBuilder().setVersion(-1).build()));
        refused(Status.Code.NOT_FOUND, "version", () -> decisions.getRuleSet(GetRuleSetRequest.newBuilder().setVersion(100000).build()));
        refused(Status.Code.NOT_FOUND, "to_version", () -> decisions.rollbackRuleSet(RollbackRuleSetRequest.newBuilder()
                .setToVersion(100000).setAuthor("a").setReason("r").build()));
        invalid("page_size", () -> decisions.listRuleSets(ListRuleSetsRequest.newBuilder().setPageSize(-5).build()));
        invalid("page_token", () -> decisions.listRuleSets(ListRuleSetsRequest.newBuilder().setPageToken("garbage!").build()));
        invalid("rules[1].description", () -> decisions.setRuleSet(rules(ok, rule("long", "true", RuleKind.RULE_KIND_GATE)
                .toBuilder().setDescription("x".repeat(2001)).build()).build()));
        invalid("expected_live_version", () -> decisions.setRuleSet(rules(ok).setExpectedLiveVersion(-1).build()));
        invalid("reason", () -> decisions.setRuleSet(rules(ok).setReason("x".repeat(2001)).build()));
        invalid("to_version", () -> decisions.rollbackRuleSet(RollbackRuleSetRequest.newBuilder().setToVersion(-1)
                .setAuthor("a").setReason("r").build()));
        invalid("author", () -> decisions.rollbackRuleSet(RollbackRuleSetRequest.newBuilder().setReason("r").build()));
        invalid("reason", () -> decisions.rollbackRuleSet(RollbackRuleSetRequest.newBuilder().setAuthor("a").build()));
        invalid("reason", () -> decisions.rollbackRuleSet(RollbackRuleSetRequest.newBuilder().setAuthor("a")
                .setReason("x".repeat(2001)).build()));
        refused(Status.Code.FAILED_PRECONDITION, "to_version", () -> decisions.rollbackRuleSet(RollbackRuleSetRequest
                .newBuilder().setToVersion(liveVersion).setAuthor("a").setReason("r").build()));
        assertEquals(liveVersion, decisions.getRuleSet(GetRuleSetRequest.getDefaultInstance()).getVersion());
    }

    @Test
    void rulesCannotBeCheckedWhileFeatureServiceIsDown() {
        RealDependenciesProfile.services.features.pause(); // SIGSTOP: it answers nothing until resumed
        try {
            var e = refused(Status.Code.UNAVAILABLE, "rules",
                    () -> decisions.setRuleSet(rules(rule("calm", "features.vol_20 < 1.0", RuleKind.RULE_KIND_GATE)).build()));
            assertTrue(e.getStatus().getDescription().contains("retry"), e.getStatus().getDescription());
        } finally {
            RealDependenciesProfile.services.features.resume();
        }
    }
}
