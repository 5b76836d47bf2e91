package org.scalelab.geometry;

import java.util.Arrays;
import org.scalelab.stats.Quantiles;

/**
 * Trajectory tangling (Russo et al. 2018, Neuron 97:953, eq. in STAR Methods):
 * Q(t) = max_{t'} ‖ẋ_t − ẋ_{t'}‖² / (‖x_t − x_{t'}‖² + ε), where t' runs over every time of every
 * trajectory ("all times and conditions"), ẋ_t = x_{t+1} − x_t is the forward difference (the last
 * point of a trajectory has no derivative and is left out), and ε defaults to 0.1 × the total
 * variance of the states (Russo et al. use 0.1 × the summed variance). High Q: similar states with
 * different futures.
 *
 * <p>Both squared-distance matrices come in matched symmetric blocks from {@link SquaredDistances};
 * memory is O(block²), not O(m²). With {@link DistancePrecision#AUTO} (the default) the blocks are
 * float32 and each time keeps the {@value #CANDIDATES} pairs with the highest upper bound of their
 * ratio, which are then measured exactly (see {@link #exactFromFloat32}).
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
        return of(p, epsilon, maxTimes, DistancePrecision.AUTO, reason);
    }

    /** Pairs of a time kept by the float32 pass of {@link #exactFromFloat32}. */
    static final int CANDIDATES = 8;

    /**
     * As above in the given arithmetic: AUTO finds each time's maximising pairs in float32 and measures
     * them exactly; FLOAT64 and FLOAT32 take every ratio from distances of that arithmetic.
     */
    public static Summary of(PointSet p, Double epsilon, int maxTimes, DistancePrecision precision, String[] reason) {
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
        Times times = Times.of(p);
        FloatBuffers fb = times.buffers();
        int[] owner = times.owner();
        double[] q = precision == DistancePrecision.AUTO && m > 4 * CANDIDATES
                ? exactFromFloat32(fb, m, d, eps, null)
                : ratiosFrom(fb, m, d, eps, precision == DistancePrecision.FLOAT32 ? DistancePrecision.FLOAT32 : DistancePrecision.FLOAT64);
        return summary(q, owner, p.trajectoryCount(), eps);
    }

    /** Q(t) with every ratio from distance blocks of the given arithmetic. */
    private static double[] ratiosFrom(FloatBuffers fb, int m, int d, double eps, DistancePrecision precision) {
        double[] q = new double[m];
        visitBlocks(fb, m, d, precision, (i0, ni, j0, nj, sx, sd) -> {
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
        });
        return q;
    }

    @FunctionalInterface
    private interface BlockPair {
        /** {@code states} and {@code derivatives}: the matched [ni, nj] blocks of squared distances (row-major). */
        void visit(int i0, int ni, int j0, int nj, double[] states, double[] derivatives);
    }

    /** Every upper block (J ≥ I) of the states' and the derivatives' squared distances, matched, once. */
    private static void visitBlocks(FloatBuffers fb, int m, int d, DistancePrecision precision, BlockPair visitor) {
        SquaredDistances states = new SquaredDistances(fb.states, m, d, precision);
        SquaredDistances derivs = new SquaredDistances(fb.derivatives, m, d, precision);
        int block = states.blockSize();
        double[] sx = new double[block * block];
        for (int i0 = 0; i0 < m; i0 += block) {
            int ni = Math.min(block, m - i0);
            for (int j0 = i0; j0 < m; j0 += block) {
                int nj = Math.min(block, m - j0);
                System.arraycopy(states.block(i0, ni, j0, nj), 0, sx, 0, ni * nj);
                visitor.visit(i0, ni, j0, nj, sx, derivs.block(i0, ni, j0, nj));
            }
        }
    }

    /**
     * Exact Q(t) from float32 blocks. A float32 squared distance is off by at most {@link Float32Bound}
     * E, so each pair's ratio lies below
     * ub = (N' + E_N) / (max(D' − E_D, 0) + ε). Each time keeps the {@value #CANDIDATES} pairs of highest
     * ub and the highest ub of the pairs it dropped; the candidates' ratios are then computed exactly in
     * float64 from the rows (Σ (a_c − b_c)²). When the dropped pairs' highest ub is no more than the best
     * exact ratio, that is Q(t); otherwise the time's candidates are chosen again from float64 blocks
     * (dgemm, as the FLOAT64 path) against every time and measured exactly.
     *
     * @param fallbacks when not null, receives the number of times compared in float64 with all others (tests)
     */
    private static double[] exactFromFloat32(FloatBuffers fb, int m, int d, double eps, int[] fallbacks) {
        int k = CANDIDATES;
        Float32Bound stateBound = new Float32Bound(fb.states, m, d);
        Float32Bound derivativeBound = new Float32Bound(fb.derivatives, m, d);
        double[] best = new double[m * k];
        int[] who = new int[m * k];
        double[] dropped = new double[m];
        java.util.Arrays.fill(best, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(who, -1);
        java.util.Arrays.fill(dropped, Double.NEGATIVE_INFINITY);
        visitBlocks(fb, m, d, DistancePrecision.FLOAT32, (rows, ni, columns, nj, ub, sd) -> {
            // ub holds the states' block on entry; each entry is replaced by the pair's ratio bound.
            boolean diagonal = rows == columns;
            java.util.stream.IntStream.range(0, ni).parallel().forEach(i -> {
                int t = rows + i;
                for (int j = 0; j < nj; j++) {
                    int o = columns + j;
                    double bound = (sd[i * nj + j] + derivativeBound.of(t, o)) / (Math.max(ub[i * nj + j] - stateBound.of(t, o), 0) + eps);
                    ub[i * nj + j] = bound;
                    if (!(diagonal && i == j)) {
                        keepHighest(best, who, dropped, k, t, o, bound);
                    }
                }
            });
            if (!diagonal) {
                int parts = Math.min(nj, 4 * Runtime.getRuntime().availableProcessors());
                java.util.stream.IntStream.range(0, parts).parallel().forEach(part -> {
                    int from = (int) ((long) nj * part / parts);
                    int to = (int) ((long) nj * (part + 1) / parts);
                    for (int i = 0; i < ni; i++) {
                        for (int j = from; j < to; j++) {
                            keepHighest(best, who, dropped, k, columns + j, rows + i, ub[i * nj + j]);
                        }
                    }
                });
            }
        });
        double[] q = new double[m];
        java.util.stream.IntStream.range(0, m).parallel().forEach(t -> {
            double top = 0;
            for (int c = 0; c < k; c++) {
                int o = who[t * k + c];
                if (o >= 0) {
                    top = Math.max(top, exactRatio(fb, d, t, o, eps));
                }
            }
            q[t] = dropped[t] <= top ? top : Double.NaN; // NaN: decided below against every time
        });
        int[] open = java.util.stream.IntStream.range(0, m).filter(t -> Double.isNaN(q[t])).toArray();
        if (open.length > 0) {
            SquaredDistances exactStates = new SquaredDistances(fb.states, m, d, DistancePrecision.FLOAT64);
            SquaredDistances exactDerivs = new SquaredDistances(fb.derivatives, m, d, DistancePrecision.FLOAT64);
            int block = exactStates.blockSize();
            double[] sx = new double[block * block];
            for (int l0 = 0; l0 < open.length; l0 += block) {
                int ni = Math.min(block, open.length - l0);
                double[] near = new double[ni * k];
                int[] nearWho = new int[ni * k];
                double[] unused = new double[ni];
                java.util.Arrays.fill(near, Double.NEGATIVE_INFINITY);
                java.util.Arrays.fill(nearWho, -1);
                int from = l0;
                for (int j0 = 0; j0 < m; j0 += block) {
                    int nj = Math.min(block, m - j0);
                    System.arraycopy(exactStates.block(open, l0, ni, j0, nj), 0, sx, 0, ni * nj);
                    double[] sd = exactDerivs.block(open, l0, ni, j0, nj);
                    int columns = j0;
                    java.util.stream.IntStream.range(0, ni).parallel().forEach(r -> {
                        for (int j = 0; j < nj; j++) {
                            if (columns + j != open[from + r]) {
                                keepHighest(near, nearWho, unused, k, r, columns + j, sd[r * nj + j] / (sx[r * nj + j] + eps));
                            }
                        }
                    });
                }
                // The float64 candidates measured once more from the rows themselves (the Gram form leaves
                // ~1e-16 of the squared norms, which matters when ε and the states' distances are tiny).
                java.util.stream.IntStream.range(0, ni).parallel().forEach(r -> {
                    int t = open[from + r];
                    double top = 0;
                    for (int c = 0; c < k; c++) {
                        int o = nearWho[r * k + c];
                        if (o >= 0) {
                            top = Math.max(top, exactRatio(fb, d, t, o, eps));
                        }
                    }
                    q[t] = top;
                });
            }
        }
        if (fallbacks != null) {
            fallbacks[0] = open.length;
        }
        return q;
    }

    /** Test access: Q(t) of {@code p}'s times by the float32-candidate search, with the fallback count. */
    static double[] exactFromFloat32(PointSet p, double eps, int[] fallbacks) {
        Times times = Times.of(p);
        return exactFromFloat32(times.buffers(), times.m(), p.dimension(), eps, fallbacks);
    }

    /** Test access: Q(t) with every ratio from float64 blocks (the FLOAT64 path). */
    static double[] float64Ratios(PointSet p, double eps) {
        Times times = Times.of(p);
        return ratiosFrom(times.buffers(), times.m(), p.dimension(), eps, DistancePrecision.FLOAT64);
    }

    /** ‖Δv‖² / (‖Δs‖² + ε) of times t and o, both distances in float64 from the float32 rows. */
    private static double exactRatio(FloatBuffers fb, int d, int t, int o, double eps) {
        double ds = 0;
        double dv = 0;
        for (int c = 0; c < d; c++) {
            double a = (double) fb.states.get(t * d + c) - fb.states.get(o * d + c);
            double b = (double) fb.derivatives.get(t * d + c) - fb.derivatives.get(o * d + c);
            ds += a * a;
            dv += b * b;
        }
        return dv / (ds + eps);
    }

    /**
     * Row {@code row}'s K highest bounds (ascending in best[row·K ..]); a bound that is not kept, or is
     * pushed out, raises {@code dropped[row]}.
     */
    private static void keepHighest(double[] best, int[] who, double[] dropped, int k, int row, int other, double v) {
        int base = row * k;
        if (!(v > best[base])) {
            if (v > dropped[row]) {
                dropped[row] = v;
            }
            return;
        }
        if (best[base] > dropped[row]) {
            dropped[row] = best[base];
        }
        int at = base;
        while (at + 1 < base + k && best[at + 1] < v) {
            best[at] = best[at + 1];
            who[at] = who[at + 1];
            at++;
        }
        best[at] = v;
        who[at] = other;
    }

    /**
     * The summary of Q(t) of the m times (or sampled times) in time order, {@code owner[t]} the trajectory of time t (0 ..
     * trajectories − 1); public for engines that compute Q(t) elsewhere (Spark).
     */
    public static Summary summary(double[] q, int[] owner, int trajectories, double eps) {
        int m = q.length;
        double[] perTrajectory = new double[trajectories];
        int[] counts = new int[trajectories];
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
        return new Summary(eps, m, total / m, Quantiles.quantile(sorted, 0.5), Quantiles.quantile(sorted, 0.9), perTrajectory, counts);
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

    /** The m times that have a next step: their states x_t and forward differences ẋ_t = x_{t+1} − x_t (float32), and trajectories. */
    private record Times(FloatBuffers buffers, int[] owner, int m) {
        static Times of(PointSet p) {
            int d = p.dimension();
            int m = 0;
            for (int k = 0; k < p.trajectoryCount(); k++) {
                m += Math.max(0, p.trajectoryEnd(k) - p.trajectoryStart(k) - 1);
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
            return new Times(fb, owner, m);
        }
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
