package org.scalelab.geometry;

import java.nio.FloatBuffer;

/**
 * How far a float32 squared distance from {@link SquaredDistances} (rows centred on the float64 mean,
 * rounded to float32, cross term by sgemm) can be from the exact one: at most
 * E = 2γ_d‖x'‖‖y'‖ + 3u(‖x'‖ + ‖y'‖)², with γ_d = d·u / (1 − d·u) and u = 2⁻²⁴ — the worst-case error
 * of a length-d dot product (Higham 2002, "Accuracy and Stability of Numerical Algorithms", §3.1)
 * plus the rounding of the centred rows; 1 % on top covers the float64 rounding of the norms, the
 * mean and the bound itself. TwoNN and tangling use it to decide which float32 candidates must be
 * measured exactly.
 */
final class Float32Bound {
    private static final double U = 0x1p-24;

    private final double gamma;
    /** ‖x_i − x̄‖ of every row. */
    final double[] norm;

    /** The bound for rows of width d centred on any float64 point, their centred norms measured by the caller ({@link #forNorms}). */
    Float32Bound(int d) {
        this.gamma = d * U / (1 - d * U);
        this.norm = new double[0];
    }

    Float32Bound(FloatBuffer rows, int n, int d) {
        this.gamma = d * U / (1 - d * U);
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                mean[c] += rows.get(i * d + c);
            }
        }
        for (int c = 0; c < d; c++) {
            mean[c] /= n;
        }
        norm = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
                double v = rows.get(i * d + c) - mean[c];
                s += v * v;
            }
            norm[i] = Math.sqrt(s);
        }
    }

    /** The bound for rows i and j. */
    double of(int i, int j) {
        return forNorms(norm[i], norm[j]);
    }

    /** The bound for two rows of these centred norms. */
    double forNorms(double a, double b) {
        return 1.01 * (2 * gamma * a * b + 3 * U * (a + b) * (a + b));
    }

    /** The largest norm (for a bound against any row). */
    double maxNorm() {
        double m = 0;
        for (double v : norm) {
            m = Math.max(m, v);
        }
        return m;
    }
}
