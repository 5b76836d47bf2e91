package org.scalelab.phase;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import org.scalelab.InputException;
import org.scalelab.io.ActivationManifest;
import org.scalelab.io.ActivationSet;
import org.scalelab.io.TrajectoryFilter;

/**
 * Two classes of prompts as points: one pooled activation vector per selected trajectory of one
 * activation set at one hook (row i = the i-th selected trajectory, in manifest order).
 *
 * @param set            the activation set's folder
 * @param model          the checkpoint the activations came from
 * @param parameterCount the model's scalars
 * @param hook           the hook the rows were read at
 * @param x              [n][width] pooled rows
 * @param positive       true for the first (positive) class
 * @param ids            the trajectories' ids
 * @param pairs          each trajectory's {@code labels.pair} value, or null when it has none
 */
public record LabelledPoints(String set, String model, long parameterCount, String hook,
                             double[][] x, boolean[] positive, List<String> ids, List<String> pairs) {

    public LabelledPoints {
        ids = List.copyOf(ids);
        pairs = Collections.unmodifiableList(new ArrayList<>(pairs)); // may hold nulls
        if (x.length != positive.length || x.length != ids.size() || x.length != pairs.size()) {
            throw new IllegalArgumentException("rows, classes, ids and pairs differ in length");
        }
    }

    /** How a trajectory's token rows become one vector. */
    public enum Pool {
        /** the last token's row: what a causal model has read the whole prompt into */
        LAST,
        /** the mean of the trajectory's rows */
        MEAN
    }

    /**
     * The trajectories of {@code set} that {@code positive} or {@code negative} accepts, pooled at
     * {@code hook}. InputException when a class is empty, a trajectory matches both, or the hook was
     * not captured (naming the set folder, the hook and the selector).
     */
    public static LabelledPoints read(ActivationSet set, String hook, Predicate<ActivationManifest.Trajectory> positive,
                                      Predicate<ActivationManifest.Trajectory> negative, Pool pool) {
        return read(set, hook, positive, "the positive selector", negative, "the negative selector", pool);
    }

    /**
     * {@link #read(ActivationSet, String, Predicate, Predicate, Pool)} with the classes given as
     * {@link TrajectoryFilter} specs ({@code labels.truth=true}), which the messages then name; an
     * empty class also says how many trajectories carry the selector's label at all.
     */
    public static LabelledPoints read(ActivationSet set, String hook, String positive, String negative, Pool pool) {
        return read(set, hook, positive, negative, List.of(), pool);
    }

    /**
     * As {@link #read(ActivationSet, String, String, String, Pool)}, keeping only the trajectories that
     * every {@code where} spec also accepts (e.g. {@code labels.split=train}), in both classes.
     */
    public static LabelledPoints read(ActivationSet set, String hook, String positive, String negative, List<String> where, Pool pool) {
        Predicate<ActivationManifest.Trajectory> both = t -> true;
        String suffix = "";
        for (String w : where) {
            both = both.and(TrajectoryFilter.parse(w));
            suffix += " and " + w;
        }
        return read(set, hook, TrajectoryFilter.parse(positive).and(both), positive + suffix, TrajectoryFilter.parse(negative).and(both),
                negative + suffix, pool);
    }

    private static LabelledPoints read(ActivationSet set, String hook, Predicate<ActivationManifest.Trajectory> positive, String positiveName,
                                       Predicate<ActivationManifest.Trajectory> negative, String negativeName, Pool pool) {
        if (!set.hooks().contains(hook)) {
            throw new InputException(set.dir() + ": hook '" + InputException.quote(hook) + "' was not captured; captured: " + set.hooks());
        }
        List<double[]> rows = new ArrayList<>();
        List<Boolean> classes = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        int nPositive = 0;
        for (ActivationManifest.Trajectory t : set.trajectories()) {
            boolean p = positive.test(t);
            boolean n = negative.test(t);
            if (p && n) {
                throw new InputException(set.dir() + ": trajectory \"" + InputException.quote(t.id()) + "\" matches both " + positiveName
                        + " and " + negativeName + "; the classes must not overlap");
            }
            if (!p && !n) {
                continue;
            }
            if (t.rows() == 0) {
                throw new InputException(set.dir() + ": trajectory \"" + InputException.quote(t.id()) + "\" has no rows at " + hook);
            }
            rows.add(pooled(set, hook, t, pool));
            classes.add(p);
            ids.add(t.id());
            pairs.add(t.label("pair"));
            nPositive += p ? 1 : 0;
        }
        if (nPositive == 0) {
            throw new InputException(set.dir() + ": no trajectory matches " + positiveName + carriers(set, positiveName) + "; both classes need prompts");
        }
        if (nPositive == rows.size()) {
            throw new InputException(set.dir() + ": no trajectory matches " + negativeName + carriers(set, negativeName) + "; both classes need prompts");
        }
        boolean[] y = new boolean[classes.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = classes.get(i);
        }
        return new LabelledPoints(set.dir().toString(), set.model(), set.parameterCount(), hook, rows.toArray(new double[0][]), y, ids, pairs);
    }

    /** For a {@code labels.NAME=VALUE} selector: " (k of n trajectories carry labels.NAME)". */
    private static String carriers(ActivationSet set, String selector) {
        if (!selector.startsWith("labels.") || selector.indexOf('=') < 0 || selector.contains(" and ")) {
            return "";
        }
        String key = selector.substring("labels.".length(), selector.indexOf('=')).trim();
        long k = set.trajectories().stream().filter(t -> t.label(key) != null).count();
        return " (" + k + " of " + set.trajectories().size() + " trajectories carry labels." + key + ")";
    }

    private static double[] pooled(ActivationSet set, String hook, ActivationManifest.Trajectory t, Pool pool) {
        int d = set.width(hook);
        java.nio.FloatBuffer all = set.tensor(hook, t);
        double[] out = new double[d];
        int first = pool == Pool.LAST ? t.rows() - 1 : 0;
        for (int r = first; r < t.rows(); r++) {
            int base = (t.rowStart() + r) * d;
            for (int j = 0; j < d; j++) {
                out[j] += all.get(base + j);
            }
        }
        int count = t.rows() - first;
        for (int j = 0; j < d; j++) {
            out[j] /= count;
            if (!Double.isFinite(out[j])) {
                throw new InputException(set.dir() + ": trajectory \"" + InputException.quote(t.id()) + "\" at " + hook + ", column " + j
                        + ": non-finite activation (" + out[j] + "); recapture the set");
            }
        }
        return out;
    }

    /** The points at {@code rows}, in that order. */
    public LabelledPoints subset(int[] rows) {
        double[][] sx = new double[rows.length][];
        boolean[] sy = new boolean[rows.length];
        List<String> si = new ArrayList<>();
        List<String> sp = new ArrayList<>();
        for (int k = 0; k < rows.length; k++) {
            sx[k] = x[rows[k]];
            sy[k] = positive[rows[k]];
            si.add(ids.get(rows[k]));
            sp.add(pairs.get(rows[k]));
        }
        return new LabelledPoints(set, model, parameterCount, hook, sx, sy, si, sp);
    }

    /** Number of points. */
    public int size() {
        return x.length;
    }

    /** Width of each point. */
    public int dimension() {
        return x.length == 0 ? 0 : x[0].length;
    }

    /** Number of points of the positive class. */
    public int positives() {
        int n = 0;
        for (boolean p : positive) {
            n += p ? 1 : 0;
        }
        return n;
    }
}
