package org.scalelab.geometry;

/**
 * Alignment of trajectories: the mean pairwise cosine between their overall displacement
 * directions u_k = (x_last − x_first) / ‖x_last − x_first‖, over pairs k < l. Computed in O(K d) from
 * Σ_{k<l} u_k·u_l = (‖Σ u_k‖² − Σ ‖u_k‖²) / 2. Trajectories with one point or zero displacement are
 * left out; at least 2 must remain. Isotropic random directions give ≈ 0.
 */
public final class TrajectoryAlignment {
    private TrajectoryAlignment() {}

    public static MetricValue of(PointSet p) {
        if (!p.hasTrajectories()) {
            return MetricValue.missing("no trajectories given (--trajectories FILE.npy with start offsets)");
        }
        int[] once = new int[p.trajectoryCount()];
        java.util.Arrays.fill(once, 1);
        return weighted(directions(p), once);
    }

    /** Unit displacement direction of each trajectory; null for one point or zero displacement. */
    static double[][] directions(PointSet p) {
        int d = p.dimension();
        double[][] out = new double[p.trajectoryCount()][];
        float[] a = new float[d];
        float[] b = new float[d];
        for (int k = 0; k < p.trajectoryCount(); k++) {
            int start = p.trajectoryStart(k);
            int end = p.trajectoryEnd(k);
            if (end - start < 2) {
                continue;
            }
            p.row(start, a);
            p.row(end - 1, b);
            double[] u = new double[d];
            double norm = 0;
            for (int j = 0; j < d; j++) {
                u[j] = (double) b[j] - a[j];
                norm += u[j] * u[j];
            }
            if (norm == 0) {
                continue;
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                u[j] /= norm;
            }
            out[k] = u;
        }
        return out;
    }

    /**
     * Mean cosine over pairs of <em>different</em> trajectories when trajectory k appears counts[k]
     * times (a bootstrap resample): with S = Σ c_k u_k, (‖S‖² − Σ c_k²) / (N² − Σ c_k²), N = Σ c_k.
     * A trajectory paired with its own copy (cosine 1) is left out, else resampling would inflate
     * alignment by about 1/K.
     */
    static MetricValue weighted(double[][] u, int[] counts) {
        double[] sum = null;
        long n = 0;
        long same = 0;
        int used = 0;
        for (int k = 0; k < u.length; k++) {
            if (u[k] == null || counts[k] == 0) {
                continue;
            }
            if (sum == null) {
                sum = new double[u[k].length];
            }
            for (int j = 0; j < sum.length; j++) {
                sum[j] += counts[k] * u[k][j];
            }
            n += counts[k];
            same += (long) counts[k] * counts[k];
            used++;
        }
        if (used < 2) {
            return MetricValue.missing("alignment needs at least 2 trajectories with a non-zero displacement, got " + used);
        }
        double s2 = 0;
        for (double v : sum) {
            s2 += v * v;
        }
        return MetricValue.of((s2 - same) / ((double) n * n - same));
    }
}
