package org.scalelab.phase;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.scalelab.stats.Quantiles;

/**
 * Where a coupling changes sign across model sizes (see {@link CapabilityCoupling.SignChange}): the
 * zero of the straight line between two consecutive sizes of opposite sign, against log10 parameters,
 * with a percentile interval over bootstrap replicates.
 */
final class SignChanges {
    private SignChanges() {}

    /** A crossing between sizes k and k+1 of one series. */
    private record Crossing(int k, double x, double jump, int sign) {}

    static CapabilityCoupling.SignChange find(List<CapabilityCoupling.SizeCoupling> sizes, Map<String, Map<String, double[]>> replicates,
                                              double level) {
        int n = sizes.size();
        if (n < 2) {
            return none(0, "one model size: give sets of two or more sizes to locate a sign change");
        }
        double[] x = new double[n];
        for (int k = 0; k < n; k++) {
            x[k] = Math.log10(Math.max(1, sizes.get(k).parameterCount()));
        }
        int reps = replicates.get(sizes.get(0).model()).values().iterator().next().length;
        // the median over layers, observed and per replicate
        double[] y = new double[n];
        double[][] yr = new double[reps][n];
        for (int k = 0; k < n; k++) {
            List<CapabilityCoupling.LayerCoupling> layers = sizes.get(k).layers();
            double[] v = layers.stream().mapToDouble(CapabilityCoupling.LayerCoupling::centredCosine).toArray();
            y[k] = median(v);
            Map<String, double[]> byHook = replicates.get(sizes.get(k).model());
            for (int r = 0; r < reps; r++) {
                double[] vr = new double[layers.size()];
                for (int l = 0; l < vr.length; l++) {
                    vr[l] = byHook.get(layers.get(l).hook())[r];
                }
                yr[r][k] = median(vr);
            }
        }
        // hooks present in every size
        Set<String> common = new LinkedHashSet<>();
        sizes.get(0).layers().forEach(l -> common.add(l.hook()));
        for (CapabilityCoupling.SizeCoupling s : sizes) {
            common.retainAll(s.layers().stream().map(CapabilityCoupling.LayerCoupling::hook).toList());
        }
        List<CapabilityCoupling.LayerCrossing> perHook = new ArrayList<>();
        String strongest = null;
        double strongestJump = -1;
        for (String hook : common) {
            double[] yh = new double[n];
            double[][] yhr = new double[reps][n];
            for (int k = 0; k < n; k++) {
                CapabilityCoupling.SizeCoupling s = sizes.get(k);
                yh[k] = s.layers().stream().filter(l -> l.hook().equals(hook)).findFirst().orElseThrow().centredCosine();
                double[] rep = replicates.get(s.model()).get(hook);
                for (int r = 0; r < reps; r++) {
                    yhr[r][k] = rep[r];
                }
            }
            Crossing c = largest(crossings(x, yh));
            if (c == null) {
                continue;
            }
            double[] valid = replicateCrossings(x, yhr, c);
            perHook.add(new CapabilityCoupling.LayerCrossing(hook, sizes.get(c.k()).model(), sizes.get(c.k() + 1).model(), direction(c),
                    c.x(), Quantiles.percentileInterval(valid, level), valid.length));
            if (c.jump() > strongestJump) {
                strongestJump = c.jump();
                strongest = hook;
            }
        }
        List<Crossing> all = crossings(x, y);
        Crossing c = largest(all);
        if (c == null) {
            return new CapabilityCoupling.SignChange(null, null, 0, 0, null, Double.NaN, null, 0, reps, 0, strongest, List.copyOf(perHook),
                    "the median centred cosine over layers keeps its sign across sizes: no sign change"
                            + (perHook.isEmpty() ? "" : " (some hooks do: listed per hook)"));
        }
        double[] valid = replicateCrossings(x, yr, c);
        String note = all.size() > 1 ? all.size() + " sign changes across sizes; reported: the largest jump" : "";
        if (valid.length < level * reps) {
            note = (note.isEmpty() ? "" : note + "; ") + "only " + valid.length + " of " + reps
                    + " bootstrap replicates change sign in this direction: the crossing is uncertain";
        }
        return new CapabilityCoupling.SignChange(sizes.get(c.k()).model(), sizes.get(c.k() + 1).model(), sizes.get(c.k()).parameterCount(),
                sizes.get(c.k() + 1).parameterCount(), direction(c), c.x(), Quantiles.percentileInterval(valid, level), valid.length, reps,
                all.size(), strongest, List.copyOf(perHook), note);
    }

    private static CapabilityCoupling.SignChange none(int reps, String note) {
        return new CapabilityCoupling.SignChange(null, null, 0, 0, null, Double.NaN, null, 0, reps, 0, null, List.of(), note);
    }

    private static String direction(Crossing c) {
        return c.sign() > 0 ? "antagonistic→cooperative" : "cooperative→antagonistic";
    }

    /** Every strict sign change between consecutive sizes, with its interpolated zero. */
    static List<Crossing> crossings(double[] x, double[] y) {
        List<Crossing> out = new ArrayList<>();
        for (int k = 0; k + 1 < y.length; k++) {
            if (!Double.isFinite(y[k]) || !Double.isFinite(y[k + 1])) {
                continue;
            }
            if ((y[k] < 0 && y[k + 1] > 0) || (y[k] > 0 && y[k + 1] < 0)) {
                double zero = x[k] + (0 - y[k]) * (x[k + 1] - x[k]) / (y[k + 1] - y[k]);
                out.add(new Crossing(k, zero, Math.abs(y[k + 1] - y[k]), y[k + 1] > 0 ? 1 : -1));
            }
        }
        return out;
    }

    private static Crossing largest(List<Crossing> cs) {
        Crossing best = null;
        for (Crossing c : cs) {
            if (best == null || c.jump() > best.jump()) {
                best = c;
            }
        }
        return best;
    }

    /** Each replicate's crossing of the same direction nearest the observed one; replicates without one are left out. */
    private static double[] replicateCrossings(double[] x, double[][] yr, Crossing observed) {
        double[] out = new double[yr.length];
        int m = 0;
        for (double[] y : yr) {
            Crossing best = null;
            for (Crossing c : crossings(x, y)) {
                if (c.sign() == observed.sign() && (best == null || Math.abs(c.x() - observed.x()) < Math.abs(best.x() - observed.x()))) {
                    best = c;
                }
            }
            if (best != null) {
                out[m++] = best.x();
            }
        }
        return java.util.Arrays.copyOf(out, m);
    }

    static double median(double[] v) {
        double[] s = java.util.Arrays.stream(v).filter(Double::isFinite).sorted().toArray();
        return s.length == 0 ? Double.NaN : Quantiles.quantile(s, 0.5);
    }
}
