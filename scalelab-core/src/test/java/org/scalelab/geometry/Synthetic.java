package org.scalelab.geometry;

import java.util.SplittableRandom;

/** Seeded synthetic point sets whose geometry is known in closed form. */
final class Synthetic {
    private Synthetic() {}

    static float[][] gaussian(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[n][d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return x;
    }

    /** n points on a random r-dimensional subspace of R^d (rank r), plus an offset far from 0. */
    static float[][] lowRank(int n, int d, int rank, long seed) {
        float[][] z = gaussian(n, rank, seed);
        float[][] basis = gaussian(rank, d, seed + 1);
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double s = 10;
                for (int k = 0; k < rank; k++) {
                    s += z[i][k] * basis[k][j];
                }
                x[i][j] = (float) s;
            }
        }
        return x;
    }

    /** A random walk: cumulative sums of iid Gaussian steps. */
    static float[][] randomWalk(int n, int d, long seed) {
        float[][] steps = gaussian(n, d, seed);
        float[][] x = new float[n][d];
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = x[i - 1][j] + steps[i][j];
            }
        }
        return x;
    }

    /** k well-separated isotropic blobs (centres 100 apart, unit spread), labels i % k. */
    static float[][] blobs(int n, int d, int k, long seed, long[] labelsOut) {
        float[][] x = gaussian(n, d, seed);
        for (int i = 0; i < n; i++) {
            int c = i % k;
            labelsOut[i] = c;
            x[i][c % d] += 100f * (1 + c / d);
        }
        return x;
    }
}
