package dev.arbiter.optimizer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BrierComparisonTest {

    private static final int N = 2_000;

    @Test
    void aSharperChallengerIsBetterWithConfidenceAndTheSameModelIsNot() {
        SplittableRandom rnd = new SplittableRandom(4);
        int[] y = new int[N];
        double[] truth = new double[N];
        double[] sharp = new double[N];
        double[] vague = new double[N];
        double[] noisy = new double[N];
        for (int i = 0; i < N; i++) {
            truth[i] = 0.5 + 0.4 * Math.sin(i / 25.0); // regimes of about 150 rows
            y[i] = rnd.nextDouble() < truth[i] ? 1 : 0;
            sharp[i] = truth[i];
            vague[i] = 0.5 + 0.5 * (truth[i] - 0.5);
            noisy[i] = Math.min(1, Math.max(0, truth[i] + 0.02 * (rnd.nextDouble() - 0.5)));
        }

        BrierComparison better = BrierComparison.of(sharp, vague, y, 4, 7);
        assertTrue(better.upper() < 0 && better.lower() <= better.mean() && better.mean() <= better.upper(), better::toString);

        BrierComparison worse = BrierComparison.of(vague, sharp, y, 4, 7);
        assertTrue(worse.lower() > 0, worse::toString);

        BrierComparison same = BrierComparison.of(sharp, sharp.clone(), y, 4, 7);
        assertEquals(new BrierComparison(0, 0, 0), same);

        // A challenger that differs from the truth only by tiny noise is not better with confidence.
        BrierComparison luck = BrierComparison.of(noisy, sharp, y, 4, 7);
        assertTrue(luck.upper() >= 0, luck::toString);

        assertEquals(better, BrierComparison.of(sharp, vague, y, 4, 7), "deterministic for a seed");
    }
}
