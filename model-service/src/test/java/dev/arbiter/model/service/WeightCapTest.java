package dev.arbiter.model.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link EnsembleWeights#cap}: the rule EnsembleMember.max_weight states. */
class WeightCapTest {

    @Test
    void aMemberAboveItsCapIsHeldThereAndTheExcessIsSharedInProportion() {
        double[] w = {0.6, 0.3, 0.1};
        EnsembleWeights.cap(w, new double[] {0.2, 0, 0});
        assertArrayEquals(new double[] {0.2, 0.3 + 0.4 * 0.75, 0.1 + 0.4 * 0.25}, w, 1e-12);
    }

    @Test
    void aCapBelowTheWeightIsNoChangeAndNoCapIsNone() {
        double[] w = {0.1, 0.5, 0.4};
        EnsembleWeights.cap(w, new double[] {0.2, 0, 0.9});
        assertArrayEquals(new double[] {0.1, 0.5, 0.4}, w, 0.0);
    }

    @Test
    void theExcessCanPushAnotherMemberOverItsCapAndItIsHeldToo() {
        double[] w = {0.5, 0.3, 0.2};
        EnsembleWeights.cap(w, new double[] {0.1, 0.35, 0});
        // round 1: 0.4 excess shared 0.6:0.4 -> 0.54, 0.36 ; round 2: 0.19 to the last
        assertArrayEquals(new double[] {0.1, 0.35, 0.55}, w, 1e-12);
    }

    @Test
    void everyMemberCappedBelowOneIsScaledToSumToOne() {
        double[] w = {0.7, 0.3};
        EnsembleWeights.cap(w, new double[] {0.2, 0.2});
        assertArrayEquals(new double[] {0.5, 0.5}, w, 1e-12);
    }

    @Test
    void randomWeightsStaySummingToOneAndWithinCapsWhileAnUncappedMemberRemains() {
        Random random = new Random(3);
        for (int run = 0; run < 2000; run++) {
            int n = 2 + random.nextInt(5);
            double[] w = new double[n];
            double[] caps = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                w[i] = random.nextDouble();
                sum += w[i];
                caps[i] = i == 0 ? 0 : random.nextBoolean() ? random.nextDouble() : 0;
            }
            for (int i = 0; i < n; i++) {
                w[i] /= sum;
            }
            double[] before = w.clone();
            EnsembleWeights.cap(w, caps);
            double total = 0;
            for (int i = 0; i < n; i++) {
                total += w[i];
                assertTrue(caps[i] == 0 || w[i] <= caps[i] + 1e-12, "capped: run " + run);
                assertTrue(w[i] >= before[i] - 1e-12 || (caps[i] > 0 && w[i] == caps[i]), "only capped members lose: run " + run);
            }
            assertEquals(1.0, total, 1e-9, "run " + run);
        }
    }
}
