package org.scalelab.phase;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.scalelab.InputException;
import org.scalelab.stats.Quantiles;

/**
 * The per-head test behind {@link CapabilityCoupling.HeadCoupling}: head h's class-difference write
 * δW_h (mean over positive prompts − mean over negative prompts of its output into the residual stream)
 * projected on the capability's unit direction u = δR / |δR| at the same block. Under label shuffles
 * both δR and δW_h are recomputed with the same permutation, so the null keeps the part of δR the head
 * itself contributes (a fixed u would favour every head that writes along the noise of the observed
 * direction). All shuffles of all heads come from two matrix products, [shuffles, n] × [n, d] and
 * [shuffles, n] × [n, heads·d].
 */
final class HeadWrites {
    private HeadWrites() {}

    private static final int BLOCK = 64;

    /**
     * Per head {projection, null median, two-sided permutation p}: p = min(1, 2·min(#{null ≥ s} + 1,
     * #{null ≤ s} + 1) / (R + 1)), which stays valid when the null is not centred on 0.
     */
    static List<double[]> test(LabelledPoints residual, LabelledPoints writes, int heads, int shuffles, long seed) {
        if (!residual.ids().equals(writes.ids())) {
            throw new InputException(writes.set() + ": the prompts at " + writes.hook() + " are not those at " + residual.hook()
                    + " (same selectors and set expected)");
        }
        int d = residual.dimension();
        if (writes.dimension() != heads * d) {
            throw new InputException(writes.set() + ": " + writes.hook() + " rows hold " + writes.dimension() + " floats, expected heads × d_model = "
                    + heads + " × " + d);
        }
        boolean[] pos = residual.positive();
        double[][] s = new double[shuffles + 1][heads];
        for (int from = 0; from <= shuffles; from += BLOCK) {
            int m = Math.min(BLOCK, shuffles + 1 - from);
            double[][] w = new double[m][];
            for (int r = 0; r < m; r++) {
                int rep = from + r;
                w[r] = ClassContrasts.observed(rep == 0 ? pos : ClassContrasts.shuffle(pos, seed, rep - 1));
            }
            double[][] dr = ClassContrasts.apply(w, residual.x()); // [m, d]
            double[][] dw = ClassContrasts.apply(w, writes.x()); // [m, heads·d]
            for (int r = 0; r < m; r++) {
                double norm = 0;
                for (int j = 0; j < d; j++) {
                    norm += dr[r][j] * dr[r][j];
                }
                norm = Math.sqrt(norm);
                for (int h = 0; h < heads; h++) {
                    double dot = 0;
                    for (int j = 0; j < d; j++) {
                        dot += dr[r][j] * dw[r][h * d + j];
                    }
                    s[from + r][h] = norm == 0 ? 0 : dot / norm;
                }
            }
        }
        List<double[]> out = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            double obs = s[0][h];
            double[] nul = new double[shuffles];
            int ge = 0;
            int le = 0;
            for (int r = 0; r < shuffles; r++) {
                nul[r] = s[r + 1][h];
                ge += nul[r] >= obs ? 1 : 0;
                le += nul[r] <= obs ? 1 : 0;
            }
            Arrays.sort(nul);
            double p = Math.min(1, 2.0 * (Math.min(ge, le) + 1) / (shuffles + 1));
            out.add(new double[] {obs, Quantiles.quantile(nul, 0.5), p});
        }
        return out;
    }

    /** Benjamini–Hochberg (1995) step-up: which p-values are discoveries at false discovery rate q. */
    static boolean[] benjaminiHochberg(double[] p, double q) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(p[x], p[y]));
        int k = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[order[i]] <= (i + 1) * q / p.length) {
                k = i + 1;
            }
        }
        boolean[] out = new boolean[p.length];
        for (int i = 0; i < k; i++) {
            out[order[i]] = true;
        }
        return out;
    }
}
