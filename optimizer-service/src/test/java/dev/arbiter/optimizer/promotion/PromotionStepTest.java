package dev.arbiter.optimizer.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arbiter.engine.policy.PolicyParameter;
import org.junit.jupiter.api.Test;

/** The smoothing math of one promotion step, in-process: α share of the gap, the largest step, rounding, snapping. */
class PromotionStepTest {

    @Test
    void movesTheSmoothingFactorsShareOfTheGap() {
        SmoothingStep s = new SmoothingStep(0.25, 1.0, 0);
        // gate.min_confidence: range [0, 1]
        assertEquals(0.2 + 0.25 * (0.6 - 0.2), s.next(PolicyParameter.GATE_MIN_CONFIDENCE, 0.2, 0.6), 1e-12);
        assertEquals(0.6 - 0.25 * 0.4, s.next(PolicyParameter.GATE_MIN_CONFIDENCE, 0.6, 0.2), 1e-12);
    }

    @Test
    void neverMovesMoreThanTheLargestStepOfTheParametersRange() {
        SmoothingStep s = new SmoothingStep(1.0, 0.1, 0);
        // confidence.edge_scale: range [0.1, 20], largest step 1.99
        assertEquals(2.0 + 1.99, s.next(PolicyParameter.CONFIDENCE_EDGE_SCALE, 2.0, 15.0), 1e-12);
        assertEquals(15.0 - 1.99, s.next(PolicyParameter.CONFIDENCE_EDGE_SCALE, 15.0, 2.0), 1e-12);
        double v = 2.0;
        for (int i = 0; i < 20 && v != 15.0; i++) {
            double next = s.next(PolicyParameter.CONFIDENCE_EDGE_SCALE, v, 15.0);
            assertTrue(Math.abs(next - v) <= 1.99 + 1e-12, "step " + (next - v));
            v = next;
        }
        assertEquals(15.0, v);
    }

    @Test
    void roundsWholeNumberParametersAndNeverStallsThem() {
        SmoothingStep s = new SmoothingStep(0.3, 1.0, 0);
        // risk.cooldown_losses: 3 → 10, 0.3 × 7 = 2.1 → 5
        assertEquals(5.0, s.next(PolicyParameter.RISK_COOLDOWN_LOSSES, 3, 10));
        // 0.3 × 1 rounds to no move: it moves by one instead
        assertEquals(4.0, s.next(PolicyParameter.RISK_COOLDOWN_LOSSES, 3, 4));
        assertEquals(2.0, s.next(PolicyParameter.RISK_COOLDOWN_LOSSES, 3, 0));
        // policy.allow_short, range [0, 1]: the largest step (0.1) is below one, and it still switches
        assertEquals(0.0, new SmoothingStep(0.3, 0.1, 0).next(PolicyParameter.POLICY_ALLOW_SHORT, 1, 0));
    }

    @Test
    void snapsToTheTargetWithinTheTolerance() {
        SmoothingStep s = new SmoothingStep(0.5, 1.0, 0.01);
        // gate.min_edge: range [0, 0.5], tolerance 0.005; 0.106 → 0.108 lands 0.002 away: snapped
        assertEquals(0.11, s.next(PolicyParameter.GATE_MIN_EDGE, 0.106, 0.11));
        assertEquals(0.1 + 0.5 * 0.05, s.next(PolicyParameter.GATE_MIN_EDGE, 0.1, 0.15), 1e-12);
        assertEquals(0.0, SmoothingStep.relativeGap(0.11, 0.11));
        assertEquals(0.5, SmoothingStep.relativeGap(0.05, 0.1), 1e-12);
    }
}
