package dev.arbiter.engine.study;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Non-dominated sorting and hypervolume for several objectives, all as losses (smaller is better). */
final class Pareto {

    private Pareto() {
    }

    static boolean dominates(double[] a, double[] b) {
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) {
                return false;
            }
            better |= a[i] < b[i];
        }
        return better;
    }

    /**
     * Non-domination ranks (0 = the Pareto front), peeling fronts until at least {@code atLeast} points are ranked;
     * the rest get {@code Integer.MAX_VALUE}. Each peel compares every remaining point with the current front only.
     */
    static int[] ranks(double[][] losses, int atLeast) {
        int n = losses.length;
        int[] rank = new int[n];
        Arrays.fill(rank, Integer.MAX_VALUE);
        List<Integer> remaining = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            remaining.add(i);
        }
        remaining.sort(Comparator.comparingDouble((Integer i) -> losses[i][0]).thenComparingInt(i -> i));
        int ranked = 0;
        for (int r = 0; ranked < Math.min(atLeast, n) && !remaining.isEmpty(); r++) {
            List<Integer> front = new ArrayList<>();
            List<Integer> rest = new ArrayList<>();
            for (int i : remaining) {
                boolean dominated = false;
                for (int f : front) {
                    if (dominates(losses[f], losses[i])) {
                        dominated = true;
                        break;
                    }
                }
                (dominated ? rest : front).add(i);
            }
            // sorted by the first loss, a later point never dominates an earlier one except on ties of that loss
            List<Integer> clean = new ArrayList<>();
            for (int i : front) {
                boolean dominated = false;
                for (int f : front) {
                    if (f != i && dominates(losses[f], losses[i])) {
                        dominated = true;
                        break;
                    }
                }
                (dominated ? rest : clean).add(i);
            }
            for (int i : clean) {
                rank[i] = r;
            }
            ranked += clean.size();
            rest.sort(Comparator.comparingDouble((Integer i) -> losses[i][0]).thenComparingInt(i -> i));
            remaining = rest;
        }
        return rank;
    }

    /** Hypervolume dominated by {@code points} up to {@code ref} (recursive slicing; for small sets). */
    static double hypervolume(List<double[]> points, double[] ref) {
        int d = ref.length;
        List<double[]> inside = new ArrayList<>();
        for (double[] p : points) {
            boolean ok = true;
            for (int i = 0; i < d; i++) {
                ok &= p[i] < ref[i];
            }
            if (ok) {
                inside.add(p);
            }
        }
        if (inside.isEmpty()) {
            return 0;
        }
        if (d == 1) {
            double min = Double.POSITIVE_INFINITY;
            for (double[] p : inside) {
                min = Math.min(min, p[0]);
            }
            return ref[0] - min;
        }
        inside.sort(Comparator.comparingDouble(p -> p[d - 1]));
        double volume = 0;
        double[] subRef = Arrays.copyOf(ref, d - 1);
        List<double[]> slice = new ArrayList<>();
        for (int i = 0; i < inside.size(); i++) {
            slice.add(Arrays.copyOf(inside.get(i), d - 1));
            double top = i + 1 < inside.size() ? inside.get(i + 1)[d - 1] : ref[d - 1];
            double height = top - inside.get(i)[d - 1];
            if (height > 0) {
                volume += height * hypervolume(slice, subRef);
            }
        }
        return volume;
    }

    /** Optuna's reference point for a set of losses: 1.1 times the worst (0.9 times when negative), 1e-12 for 0. */
    static double[] referencePoint(List<double[]> losses) {
        int d = losses.get(0).length;
        double[] ref = new double[d];
        for (int i = 0; i < d; i++) {
            double worst = Double.NEGATIVE_INFINITY;
            for (double[] l : losses) {
                worst = Math.max(worst, l[i]);
            }
            ref[i] = Math.max(1.1 * worst, 0.9 * worst);
            if (ref[i] == 0) {
                ref[i] = 1e-12;
            }
        }
        return ref;
    }

    /** Greedy hypervolume subset selection: {@code k} of {@code candidates} (indices into losses). */
    static List<Integer> selectByHypervolume(double[][] losses, List<Integer> candidates, int k) {
        List<double[]> pts = new ArrayList<>();
        for (int i : candidates) {
            pts.add(losses[i]);
        }
        double[] ref = referencePoint(pts);
        List<Integer> chosen = new ArrayList<>();
        List<double[]> chosenPts = new ArrayList<>();
        List<Integer> left = new ArrayList<>(candidates);
        double current = 0;
        while (chosen.size() < k && !left.isEmpty()) {
            int best = -1;
            double bestGain = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < left.size(); j++) {
                chosenPts.add(losses[left.get(j)]);
                double gain = hypervolume(chosenPts, ref) - current;
                chosenPts.remove(chosenPts.size() - 1);
                if (gain > bestGain) {
                    bestGain = gain;
                    best = j;
                }
            }
            int pick = left.remove(best);
            chosen.add(pick);
            chosenPts.add(losses[pick]);
            current += bestGain;
        }
        return chosen;
    }
}
