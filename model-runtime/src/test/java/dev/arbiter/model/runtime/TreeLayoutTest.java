package dev.arbiter.model.runtime;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both tree layouts against a direct reading of XGBoost's rule (left when {@code (float) x < threshold}, NaN follows
 * the default), on random trees and on the values where float comparison is subtle: ±0, ±∞, NaN, thresholds and their
 * neighbours.
 */
class TreeLayoutTest {

    private static final int FEATURES = 5;

    @Test
    void bothLayoutsFollowXGBoostsSplitRule() {
        Random random = new Random(99);
        for (int round = 0; round < 50; round++) {
            List<XGBoostTree> trees = new ArrayList<>();
            for (int t = 0; t < 1 + random.nextInt(9); t++) {
                trees.add(randomTree(random, random.nextInt(CompleteTrees.MAX_DEPTH + 1)));
            }
            float base = (float) random.nextGaussian();
            Trees complete = new CompleteTrees(trees, FEATURES);
            Trees linked = new LinkedTrees(trees);
            for (int r = 0; r < 500; r++) {
                double[] row = specialRow(random, trees);
                float expected = reference(trees, row, base);
                assertEquals(expected, complete.margin(row, 0, base), 0f, "complete, round " + round + " row " + r);
                assertEquals(expected, linked.margin(row, 0, base), 0f, "linked, round " + round + " row " + r);
            }
        }
    }

    @Test
    void deepTreesAndMinusInfinityThresholdsUseTheLinkedLayout() {
        Random random = new Random(3);
        assertTrue(CompleteTrees.canHold(List.of(randomTree(random, CompleteTrees.MAX_DEPTH))));
        assertFalse(CompleteTrees.canHold(List.of(randomTree(random, CompleteTrees.MAX_DEPTH + 1))));
        XGBoostTree minusInfinity = new XGBoostTree(new int[] {1, -1, -1}, new int[] {2, -1, -1}, new int[3],
                new float[] {Float.NEGATIVE_INFINITY, 1, 2}, new boolean[] {true, false, false});
        assertFalse(CompleteTrees.canHold(List.of(minusInfinity)));
        assertEquals(1f, new LinkedTrees(List.of(minusInfinity)).margin(new double[] {Double.NaN}, 0, 0f));
    }

    /** A tree with exactly the given depth along its first path and random early leaves elsewhere. */
    private static XGBoostTree randomTree(Random random, int depth) {
        List<int[]> children = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        List<Integer> features = new ArrayList<>();
        List<Boolean> defaults = new ArrayList<>();
        grow(random, depth, true, children, values, features, defaults);
        int n = values.size();
        XGBoostTree tree = new XGBoostTree(new int[n], new int[n], new int[n], new float[n], new boolean[n]);
        for (int i = 0; i < n; i++) {
            tree.left()[i] = children.get(i)[0];
            tree.right()[i] = children.get(i)[1];
            tree.value()[i] = values.get(i);
            tree.feature()[i] = features.get(i);
            tree.defaultLeft()[i] = defaults.get(i);
        }
        return tree;
    }

    private static int grow(Random random, int depth, boolean full, List<int[]> children, List<Float> values,
                            List<Integer> features, List<Boolean> defaults) {
        int node = values.size();
        int[] kids = {-1, -1};
        children.add(kids);
        features.add(0);
        defaults.add(random.nextBoolean());
        if (depth == 0 || (!full && random.nextInt(3) == 0)) {
            values.add((float) random.nextGaussian());
            return node;
        }
        features.set(node, random.nextInt(FEATURES));
        float[] thresholds = {0f, -0f, 1.5f, -2.25f, Float.MAX_VALUE, Float.MIN_VALUE, (float) random.nextGaussian()};
        values.add(thresholds[random.nextInt(thresholds.length)]);
        kids[0] = grow(random, depth - 1, full, children, values, features, defaults);
        kids[1] = grow(random, depth - 1, false, children, values, features, defaults);
        return node;
    }

    private static double[] specialRow(Random random, List<XGBoostTree> trees) {
        double[] specials = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.5, -2.25,
                Math.nextUp(1.5f), Math.nextDown(1.5f), Float.MAX_VALUE, Float.MIN_VALUE, 1e300, -1e300, 1.5000000001};
        double[] row = new double[FEATURES];
        for (int f = 0; f < FEATURES; f++) {
            row[f] = random.nextBoolean() ? specials[random.nextInt(specials.length)] : random.nextGaussian();
        }
        return row;
    }

    private static float reference(List<XGBoostTree> trees, double[] row, float base) {
        float sum = base;
        for (XGBoostTree tree : trees) {
            int node = 0;
            while (!tree.isLeaf(node)) {
                float x = (float) row[tree.feature()[node]];
                boolean left = Float.isNaN(x) ? tree.defaultLeft()[node] : x < tree.value()[node];
                node = left ? tree.left()[node] : tree.right()[node];
            }
            sum += tree.value()[node];
        }
        return sum;
    }
}
