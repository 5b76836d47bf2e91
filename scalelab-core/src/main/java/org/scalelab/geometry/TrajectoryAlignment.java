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
        int d = p.dimension();
        double[] sum = new double[d];
        double[] u = new double[d];
        float[] a = new float[d];
        float[] b = new float[d];
        int used = 0;
        for (int k = 0; k < p.trajectoryCount(); k++) {
            int start = p.trajectoryStart(k);
            int end = p.trajectoryEnd(k);
            if (end - start < 2) {
                continue;
            }
            p.row(start, a);
            p.row(end - 1, b);
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
                sum[j] += u[j] / norm;
            }
            used++;
        }
        if (used < 2) {
            return MetricValue.missing("alignment needs at least 2 trajectories with a non-zero displacement, got " + used);
        }
        double s2 = 0;
        for (double v : sum) {
            s2 += v * v;
        }
        double pairs = used * (used - 1) / 2.0;
        return MetricValue.of((s2 - used) / 2 / pairs);
    }
}
