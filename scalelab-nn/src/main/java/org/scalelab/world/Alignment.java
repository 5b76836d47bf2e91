package org.scalelab.world;

import org.scalelab.InputException;

/**
 * How well a model's geometry lines up with the hidden functor f: E1 → E2 (Minegishi et al.,
 * "Emergent Analogical Reasoning in Transformers", arXiv 2602.01992, §5). Pure functions over
 * row-major float matrices [rows, d]: the input embedding, or one layer's hidden state of each
 * entity. Edges are (e, f(e)) pairs of row indices.
 *
 * <ul>
 *   <li>Dirichlet energy E = mean over edges of ‖x(e) − x(f(e))‖²: 0 when f's endpoints coincide,
 *       2 for orthogonal unit vectors, 4 for opposite ones. On L2-normalised rows by default; the
 *       relative form divides the raw energy by the mean squared norm of the rows involved, so it
 *       does not change when a layer's scale does.</li>
 *   <li>Translation consistency 1 / (1 + mean‖t_i − t̄‖²), t_i = u(f(e_i)) − x(e_i): 1 when every
 *       pair differs by the same vector (f is a translation), towards 0 as the offsets scatter.</li>
 *   <li>Parallelogram score mean cos(t_i, x(⟨f⟩)): whether the offsets point along the functor
 *       token's own embedding, as in word-analogy parallelograms (Mikolov et al. 2013).</li>
 * </ul>
 */
public final class Alignment {
    private Alignment() {}

    /** Mean ‖x(a) − x(b)‖² over edges (a, b), rows L2-normalised first when {@code normalize}. */
    public static double dirichletEnergy(float[] x, int d, int[][] edges, boolean normalize) {
        check(x, d, edges, x);
        double sum = 0;
        for (int[] e : edges) {
            double na = normalize ? norm(x, e[0], d) : 1;
            double nb = normalize ? norm(x, e[1], d) : 1;
            double s = 0;
            for (int k = 0; k < d; k++) {
                double diff = x[e[0] * d + k] / na - x[e[1] * d + k] / nb;
                s += diff * diff;
            }
            sum += s;
        }
        return sum / edges.length;
    }

    /**
     * Raw Dirichlet energy divided by the mean squared norm of the edge endpoints (each endpoint
     * counted once per edge): scale-free, for hidden states whose norm grows with depth.
     */
    public static double relativeDirichletEnergy(float[] x, int d, int[][] edges) {
        double energy = dirichletEnergy(x, d, edges, false);
        double sq = 0;
        for (int[] e : edges) {
            sq += sq(norm(x, e[0], d)) + sq(norm(x, e[1], d));
        }
        double meanSq = sq / (2.0 * edges.length);
        return meanSq == 0 ? Double.NaN : energy / meanSq;
    }

    /** 1 / (1 + mean‖t_i − t̄‖²) with t_i = target(b_i) − source(a_i) over edges (a_i, b_i). */
    public static double translationConsistency(float[] source, float[] target, int d, int[][] edges, boolean normalize) {
        double[][] t = translations(source, target, d, edges, normalize);
        double[] mean = new double[d];
        for (double[] ti : t) {
            for (int k = 0; k < d; k++) {
                mean[k] += ti[k] / t.length;
            }
        }
        double spread = 0;
        for (double[] ti : t) {
            for (int k = 0; k < d; k++) {
                spread += sq(ti[k] - mean[k]);
            }
        }
        return 1 / (1 + spread / t.length);
    }

    /** Mean cos(t_i, functor) over edges whose translation is non-zero; NaN when none is. */
    public static double parallelogramScore(float[] source, float[] target, int d, int[][] edges, float[] functor, boolean normalize) {
        if (functor.length != d) {
            throw new InputException("functor vector has " + functor.length + " values, expected d = " + d);
        }
        double fn = 0;
        for (float v : functor) {
            fn += v * (double) v;
        }
        fn = Math.sqrt(fn);
        if (fn == 0) {
            return Double.NaN;
        }
        double sum = 0;
        int counted = 0;
        for (double[] ti : translations(source, target, d, edges, normalize)) {
            double dot = 0;
            double tn = 0;
            for (int k = 0; k < d; k++) {
                dot += ti[k] * functor[k];
                tn += ti[k] * ti[k];
            }
            if (tn > 0) {
                sum += dot / (Math.sqrt(tn) * fn);
                counted++;
            }
        }
        return counted == 0 ? Double.NaN : sum / counted;
    }

    private static double[][] translations(float[] source, float[] target, int d, int[][] edges, boolean normalize) {
        check(source, d, edges, target);
        double[][] t = new double[edges.length][d];
        for (int i = 0; i < edges.length; i++) {
            int a = edges[i][0];
            int b = edges[i][1];
            double na = normalize ? norm(source, a, d) : 1;
            double nb = normalize ? norm(target, b, d) : 1;
            for (int k = 0; k < d; k++) {
                t[i][k] = target[b * d + k] / nb - source[a * d + k] / na;
            }
        }
        return t;
    }

    private static double norm(float[] x, int row, int d) {
        double s = 0;
        for (int k = 0; k < d; k++) {
            s += sq(x[row * d + k]);
        }
        // A zero row stays zero after "normalising" instead of becoming NaN.
        return s == 0 ? 1 : Math.sqrt(s);
    }

    private static double sq(double v) {
        return v * v;
    }

    private static void check(float[] source, int d, int[][] edges, float[] target) {
        if (d <= 0 || source.length % d != 0 || target.length % d != 0) {
            throw new InputException("alignment: matrices of " + source.length + " and " + target.length
                    + " values are not [rows, " + d + "]");
        }
        if (edges.length == 0) {
            throw new InputException("alignment: no functor edges");
        }
        for (int[] e : edges) {
            if (e[0] < 0 || e[0] >= source.length / d || e[1] < 0 || e[1] >= target.length / d) {
                throw new InputException("alignment: edge (" + e[0] + ", " + e[1] + ") points outside the "
                        + source.length / d + " and " + target.length / d + " rows");
            }
        }
    }
}
