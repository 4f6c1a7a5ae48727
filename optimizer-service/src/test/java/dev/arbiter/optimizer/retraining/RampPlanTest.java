package dev.arbiter.optimizer.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.proto.v1.EnsembleDefinition;
import dev.arbiter.proto.v1.EnsembleMember;
import dev.arbiter.proto.v1.ModelVersionRef;
import dev.arbiter.proto.v1.RetrainingAction;
import java.util.List;
import org.junit.jupiter.api.Test;

class RampPlanTest {

    private final RampPlan plan = new RampPlan(List.of(0.1, 0.25, 0.5), 50, 0.05);
    private static final ModelVersionRef CHAMPION = RetrainingStore.ref("m", 1);
    private static final ModelVersionRef CHALLENGER = RetrainingStore.ref("m", 2);
    private static final ModelVersionRef OTHER = RetrainingStore.ref("other", 3);

    @Test
    void withoutAVerdictOfTheGuardItJoinsRaisesEachCapThenReplaces() {
        RampPlan.Step s = plan.next(0, 0, 0.6, 0);
        assertEquals(RetrainingAction.RETRAINING_ACTION_JOINED, s.action());
        assertEquals(0.1, s.cap());
        assertEquals(0.25, plan.next(1, 0.6, 0.6, 10).cap());
        assertEquals(RetrainingAction.RETRAINING_ACTION_RAISED, plan.next(2, 0.6, 0.6, 10).action());
        assertEquals(0.5, plan.next(2, 0.6, 0.6, 10).cap());
        RampPlan.Step last = plan.next(3, 0.6, 0.6, 10);
        assertEquals(RetrainingAction.RETRAINING_ACTION_REPLACED, last.action());
        assertEquals(0, last.cap());
        assertTrue(last.note().contains("10 outcomes, fewer than the guard's 50"), last.note());
    }

    @Test
    void theGuardRollsBackOnlyWithEnoughOutcomesAndAScoreBehindByMoreThanTheMargin() {
        assertEquals(RetrainingAction.RETRAINING_ACTION_ROLLED_BACK, plan.next(1, 0.50, 0.60, 50).action());
        assertEquals(RetrainingAction.RETRAINING_ACTION_ROLLED_BACK, plan.next(3, 0.50, 0.60, 500).action());
        assertEquals(RetrainingAction.RETRAINING_ACTION_RAISED, plan.next(1, 0.50, 0.60, 49).action(), "too few outcomes");
        assertEquals(RetrainingAction.RETRAINING_ACTION_RAISED, plan.next(1, 0.56, 0.60, 500).action(), "within the margin");
        assertEquals(RetrainingAction.RETRAINING_ACTION_JOINED, plan.next(0, 0.0, 0.60, 500).action(),
                "the first step has no outcomes of its own to judge");
    }

    @Test
    void capsMustRiseWithinZeroAndOne() {
        assertThrows(IllegalArgumentException.class, () -> new RampPlan(List.of(), 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RampPlan(List.of(0.5, 0.25), 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RampPlan(List.of(0.5, 1.0), 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RampPlan(List.of(0.0), 1, 0));
    }

    @Test
    void theEnsembleEditsTouchOnlyTheChampionAndTheChallenger() {
        EnsembleDefinition e = EnsembleDefinition.newBuilder().setName("e").setRevision(4)
                .addMembers(member(OTHER, 0)).addMembers(member(CHAMPION, 0)).build();
        EnsembleDefinition joined = RampPlan.join(e, CHALLENGER, 0.1, 0.7);
        assertEquals(3, joined.getMembersCount());
        assertEquals(0.1, joined.getMembers(2).getMaxWeight());
        assertEquals(0.7, joined.getMembers(2).getInitialWeight());
        EnsembleDefinition raised = RampPlan.capped(joined, CHALLENGER, 0.5).orElseThrow();
        assertEquals(0.5, raised.getMembers(2).getMaxWeight());
        assertEquals(joined.getMembers(0), raised.getMembers(0));
        EnsembleDefinition replaced = RampPlan.replaced(raised, CHAMPION, CHALLENGER).orElseThrow();
        assertEquals(List.of(member(OTHER, 0), member(CHALLENGER, 0).toBuilder().setInitialWeight(0.7).build()),
                replaced.getMembersList());
        EnsembleDefinition without = RampPlan.without(raised, CHALLENGER).orElseThrow();
        assertEquals(e.getMembersList(), without.getMembersList());
        assertTrue(RampPlan.capped(e, CHALLENGER, 0.5).isEmpty(), "no challenger: nothing to cap");
        assertTrue(RampPlan.replaced(joined, RetrainingStore.ref("m", 9), CHALLENGER).isEmpty(), "champion gone");
        assertTrue(RampPlan.without(e, CHALLENGER).isEmpty());
    }

    private static EnsembleMember member(ModelVersionRef v, double cap) {
        return EnsembleMember.newBuilder().setModelName(v.getModelName()).setVersion(v.getVersion()).setMaxWeight(cap).build();
    }
}
