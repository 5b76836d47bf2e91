package org.scalelab.geometry;

import java.util.Arrays;

/**
 * Trajectory tangling (Russo et al. 2018, Neuron 97:953, eq. in STAR Methods):
 * Q(t) = max_{t'} ‖ẋ_t − ẋ_{t'}‖² / (‖x_t − x_{t'}‖² + ε), where t' runs over every time of every
 * trajectory ("all times and conditions"), ẋ_t = x_{t+1} − x_t is the forward difference (the last
 * point of a trajectory has no derivative and is left out), and ε defaults to 0.1 × the total
 * variance of the states (Russo et al. use 0.1 × the summed variance). High Q: similar states with
 * different futures.
 *
 * <p>Both squared-distance matrices come in matched symmetric blocks from {@link SquaredDistances};
 * memory is O(block²), not O(m²).
 */
public final class TrajectoryTangling {
    private TrajectoryTangling() {}

    public static final double DEFAULT_EPSILON_FRACTION = 0.1;

    /**
     * Above this many times the m² pairs (two distance matrices) take minutes to hours; the metric is
     * then null with a reason instead of silently running that long.
     */
    public static final int DEFAULT_MAX_TIMES = 50_000;

    /**
     * Aggregates of Q(t) over all times, and the mean Q of each trajectory (NaN if it has no
     * derivative) with its number of times.
     */
    public record Summary(double epsilon, int times, double mean, double median, double p90, double[] perTrajectoryMean, int[] perTrajectoryTimes) {}

    /** The summary, or null with a reason in {@code reason[0]}. */
    public static Summary of(PointSet p, Double epsilon, String[] reason) {
        return of(p, epsilon, DEFAULT_MAX_TIMES, reason);
    }

    /** As {@link #of(PointSet, Double, String[])} with an explicit cap on the number of times. */
    public static Summary of(PointSet p, Double epsilon, int maxTimes, String[] reason) {
        if (!p.hasTrajectories()) {
            reason[0] = "no trajectories given (--trajectories FILE.npy with start offsets)";
            return null;
        }
        int d = p.dimension();
        int m = 0;
        for (int k = 0; k < p.trajectoryCount(); k++) {
            m += Math.max(0, p.trajectoryEnd(k) - p.trajectoryStart(k) - 1);
        }
        if (m < 2) {
            reason[0] = "tangling needs at least 2 times with a next step, got " + m;
            return null;
        }
        if (m > maxTimes) {
            reason[0] = "tangling compares all " + m + " times pairwise, above the limit of " + maxTimes
                    + "; raise it (--tangling-max-times) or analyse fewer trajectories";
            return null;
        }
        double eps;
        if (epsilon != null) {
            eps = epsilon;
        } else {
            eps = DEFAULT_EPSILON_FRACTION * totalVariance(p);
        }
        if (!(eps > 0)) {
            reason[0] = "epsilon must be positive (the states have zero variance?), got " + eps;
            return null;
        }
        FloatBuffers fb = new FloatBuffers(m, d);
        int[] owner = new int[m];
        float[] a = new float[d];
        float[] b = new float[d];
        int r = 0;
        for (int k = 0; k < p.trajectoryCount(); k++) {
            for (int t = p.trajectoryStart(k); t + 1 < p.trajectoryEnd(k); t++) {
                p.row(t, a);
                p.row(t + 1, b);
                for (int j = 0; j < d; j++) {
                    fb.states.put(r * d + j, a[j]);
                    fb.derivatives.put(r * d + j, b[j] - a[j]);
                }
                owner[r++] = k;
            }
        }
        double[] q = new double[m];
        SquaredDistances states = new SquaredDistances(fb.states, m, d);
        SquaredDistances derivs = new SquaredDistances(fb.derivatives, m, d);
        int block = states.blockSize();
        double[] sx = new double[block * block];
        for (int i0 = 0; i0 < m; i0 += block) {
            int ni = Math.min(block, m - i0);
            for (int j0 = i0; j0 < m; j0 += block) {
                int nj = Math.min(block, m - j0);
                System.arraycopy(states.block(i0, ni, j0, nj), 0, sx, 0, ni * nj);
                double[] sd = derivs.block(i0, ni, j0, nj);
                for (int i = 0; i < ni; i++) {
                    for (int j = 0; j < nj; j++) {
                        double ratio = sd[i * nj + j] / (sx[i * nj + j] + eps);
                        if (ratio > q[i0 + i]) {
                            q[i0 + i] = ratio;
                        }
                        if (ratio > q[j0 + j]) {
                            q[j0 + j] = ratio;
                        }
                    }
                }
            }
        }
        double[] perTrajectory = new double[p.trajectoryCount()];
        int[] counts = new int[p.trajectoryCount()];
        double total = 0;
        for (int i = 0; i < m; i++) {
            perTrajectory[owner[i]] += q[i];
            counts[owner[i]]++;
            total += q[i];
        }
        for (int k = 0; k < perTrajectory.length; k++) {
            perTrajectory[k] = counts[k] == 0 ? Double.NaN : perTrajectory[k] / counts[k];
        }
        double[] sorted = q.clone();
        Arrays.sort(sorted);
        return new Summary(eps, m, total / m, quantile(sorted, 0.5), quantile(sorted, 0.9), perTrajectory, counts);
    }

    /**
     * Σ_j var(x_j) = Σ_i ‖x_i − x̄‖² / (n − 1), the covariance's trace, in two O(n·d) passes (no d × d
     * product needed for a trace).
     */
    static double totalVariance(PointSet p) {
        int n = p.size();
        int d = p.dimension();
        double[] mean = new double[d];
        float[] row = new float[d];
        for (int i = 0; i < n; i++) {
            p.row(i, row);
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            p.row(i, row);
            for (int j = 0; j < d; j++) {
                double v = row[j] - mean[j];
                s += v * v;
            }
        }
        return s / (n - 1);
    }

    /** Linear-interpolated quantile of sorted values (numpy's default "linear" method). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static final class FloatBuffers {
        final java.nio.FloatBuffer states;
        final java.nio.FloatBuffer derivatives;

        FloatBuffers(int m, int d) {
            states = PointSet.allocate((long) m * d);
            derivatives = PointSet.allocate((long) m * d);
        }
    }
}
