package org.scalelab.phase;

import java.nio.DoubleBuffer;
import java.util.SplittableRandom;
import org.scalelab.geometry.Blas;
import org.scalelab.stats.Bootstrap;

/**
 * Class-mean contrasts as weights over points: a difference of means mean(positive) − mean(negative)
 * is w·X with w_i = 1/n₊ on positive rows and −1/n₋ on negative rows. A stratified bootstrap
 * replicate (each class resampled with replacement, its size kept) and a label shuffle (the labels
 * permuted, the class sizes kept) are other weight rows, so R replicates of a difference of means
 * over n points in d dimensions are one matrix product [R, n] × [n, d] ({@link Blas}).
 */
final class ClassContrasts {
    private ClassContrasts() {}

    /** Rows per product, so that [rows, d] results of wide hooks stay a few tens of MB. */
    static final int BLOCK = 256;

    /** w·X = mean(positive) − mean(negative). */
    static double[] observed(boolean[] positive) {
        int np = count(positive);
        int nn = positive.length - np;
        double[] w = new double[positive.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = positive[i] ? 1.0 / np : -1.0 / nn;
        }
        return w;
    }

    /** w·X = the mean of all rows. */
    static double[] mean(int n) {
        double[] w = new double[n];
        java.util.Arrays.fill(w, 1.0 / n);
        return w;
    }

    /**
     * Stratified bootstrap: replicate r draws n₊ positive rows from the positive rows and n₋ negative
     * rows from the negative rows, with replacement ({@link Bootstrap#resample}, seeded per class), and
     * weights each draw by ±1/class size.
     */
    static double[][] bootstrap(boolean[] positive, int replicates, long seed) {
        int[] pos = rows(positive, true);
        int[] neg = rows(positive, false);
        double[][] w = new double[replicates][positive.length];
        for (int r = 0; r < replicates; r++) {
            for (int i : Bootstrap.resample(pos.length, seed, r)) {
                w[r][pos[i]] += 1.0 / pos.length;
            }
            for (int i : Bootstrap.resample(neg.length, seed + 0x632BE59BD9B4E019L, r)) {
                w[r][neg[i]] -= 1.0 / neg.length;
            }
        }
        return w;
    }

    /** The stratified bootstrap's draws of replicate r: positive rows then negative rows (for reference checks). */
    static int[] bootstrapRows(boolean[] positive, long seed, int r) {
        int[] pos = rows(positive, true);
        int[] neg = rows(positive, false);
        int[] out = new int[positive.length];
        int k = 0;
        for (int i : Bootstrap.resample(pos.length, seed, r)) {
            out[k++] = pos[i];
        }
        for (int i : Bootstrap.resample(neg.length, seed + 0x632BE59BD9B4E019L, r)) {
            out[k++] = neg[i];
        }
        return out;
    }

    /** Label shuffle: replicate r permutes the labels uniformly (Fisher–Yates, seeded), class sizes kept. */
    static double[][] shuffled(boolean[] positive, int replicates, long seed) {
        double[][] w = new double[replicates][];
        for (int r = 0; r < replicates; r++) {
            w[r] = observed(shuffle(positive, seed, r));
        }
        return w;
    }

    /** Replicate r's permuted labels. */
    static boolean[] shuffle(boolean[] positive, long seed, int r) {
        boolean[] s = positive.clone();
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x2545F4914F6CDD1DL * (r + 1));
        for (int i = s.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            boolean t = s[i];
            s[i] = s[j];
            s[j] = t;
        }
        return s;
    }

    /** [weights rows][d] = weights · x, in blocks of {@link #BLOCK} rows. */
    static double[][] apply(double[][] weights, double[][] x) {
        int n = x.length;
        int d = n == 0 ? 0 : x[0].length;
        double[][] out = new double[weights.length][d];
        if (n == 0 || d == 0 || weights.length == 0) {
            return out;
        }
        DoubleBuffer xb = Blas.doubles((long) n * d);
        for (int i = 0; i < n; i++) {
            xb.put(i * d, x[i]);
        }
        int block = Math.min(BLOCK, weights.length);
        DoubleBuffer wb = Blas.doubles((long) block * n);
        DoubleBuffer cb = Blas.doubles((long) block * d);
        for (int from = 0; from < weights.length; from += block) {
            int m = Math.min(block, weights.length - from);
            for (int r = 0; r < m; r++) {
                wb.put(r * n, weights[from + r]);
            }
            Blas.productNNd(wb, m, xb, d, n, cb);
            for (int r = 0; r < m; r++) {
                cb.get(r * d, out[from + r]);
            }
        }
        return out;
    }

    /** w·x for one weight vector. */
    static double[] apply(double[] weights, double[][] x) {
        return apply(new double[][] {weights}, x)[0];
    }

    static double cosine(double[] a, double[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int j = 0; j < a.length; j++) {
            ab += a[j] * b[j];
            aa += a[j] * a[j];
            bb += b[j] * b[j];
        }
        return aa == 0 || bb == 0 ? Double.NaN : ab / Math.sqrt(aa * bb);
    }

    static int count(boolean[] positive) {
        int c = 0;
        for (boolean p : positive) {
            c += p ? 1 : 0;
        }
        return c;
    }

    private static int[] rows(boolean[] positive, boolean which) {
        int[] out = new int[which ? count(positive) : positive.length - count(positive)];
        int k = 0;
        for (int i = 0; i < positive.length; i++) {
            if (positive[i] == which) {
                out[k++] = i;
            }
        }
        return out;
    }
}
