package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Tangling's default search (float32 blocks keep each time's pairs of highest ratio bound, measured
 * exactly; a time is compared with all others in float64 when the bound cannot decide) against the
 * definition computed by brute force: Q(t) = max_{t' ≠ t} Σ (ẋ_t − ẋ_t')² / (Σ (x_t − x_t')² + ε) in
 * float64 over the same float32 states and forward differences.
 */
class TanglingFilterTest {
    /** Trajectories of {@code length} points each, row-major, with their start offsets. */
    private static PointSet trajectories(float[][] rows, int length) {
        long[] offsets = new long[rows.length / length];
        for (int k = 0; k < offsets.length; k++) {
            offsets[k] = (long) k * length;
        }
        return PointSet.of(rows, "walks").withTrajectories(offsets, "offsets");
    }

    private static double[] bruteForce(float[][] rows, int length, double eps) {
        int trajectories = rows.length / length;
        int d = rows[0].length;
        int m = trajectories * (length - 1);
        float[][] x = new float[m][];
        float[][] v = new float[m][d];
        int r = 0;
        for (int k = 0; k < trajectories; k++) {
            for (int t = 0; t + 1 < length; t++, r++) {
                x[r] = rows[k * length + t];
                for (int c = 0; c < d; c++) {
                    v[r][c] = rows[k * length + t + 1][c] - rows[k * length + t][c]; // float32, as the metric stores it
                }
            }
        }
        double[] q = new double[m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i == j) {
                    continue;
                }
                double ds = 0;
                double dv = 0;
                for (int c = 0; c < d; c++) {
                    double a = (double) x[i][c] - x[j][c];
                    double b = (double) v[i][c] - v[j][c];
                    ds += a * a;
                    dv += b * b;
                }
                q[i] = Math.max(q[i], dv / (ds + eps));
            }
        }
        return q;
    }

    private static float[][] walks(int trajectories, int length, int d, double offset, double step, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] rows = new float[trajectories * length][d];
        for (int k = 0; k < trajectories; k++) {
            double[] at = new double[d];
            for (int c = 0; c < d; c++) {
                at[c] = offset + r.nextGaussian();
            }
            for (int t = 0; t < length; t++) {
                for (int c = 0; c < d; c++) {
                    at[c] += step * r.nextGaussian();
                    rows[k * length + t][c] = (float) at[c];
                }
            }
        }
        return rows;
    }

    @Test
    void float32SearchGivesTheBruteForceTanglingOfEveryTime() {
        Object[][] cases = {
            {walks(12, 30, 16, 0, 0.3, 1), "random walks, d = 16"},
            {walks(8, 40, 300, 0, 0.3, 2), "random walks, d = 300"},
            // Far from the origin with tiny steps: float32 cannot resolve the states' distances there.
            {walks(10, 25, 24, 1e3, 1e-3, 3), "tiny steps far from the origin"},
        };
        for (Object[] c : cases) {
            float[][] rows = (float[][]) c[0];
            int length = rows.length == 12 * 30 ? 30 : rows.length == 8 * 40 ? 40 : 25;
            PointSet p = trajectories(rows, length);
            double eps = 0.1 * TrajectoryTangling.totalVariance(p);
            int[] fallbacks = new int[1];
            double[] got = TrajectoryTangling.exactFromFloat32(p, eps, fallbacks);
            double[] want = bruteForce(rows, length, eps);
            for (int t = 0; t < want.length; t++) {
                assertEquals(want[t], got[t], 1e-12 * want[t], c[1] + ": time " + t + " (" + fallbacks[0] + " compared with all)");
            }
            double[] float64 = TrajectoryTangling.float64Ratios(p, eps);
            for (int t = 0; t < want.length; t++) {
                assertEquals(want[t], float64[t], 1e-9 * want[t], c[1] + ": float64 path, time " + t);
            }
        }
    }

    @Test
    void whenFloat32BoundsCannotDecideTheTimeIsComparedWithAllInFloat64() {
        // Twelve trajectories that retrace one path to within 1e-5, with ε = 1e-9: each time has 11 states
        // closer than the float32 error bound, more than the 8 candidates, so the bounds cannot decide and
        // times go to the float64 search.
        SplittableRandom r = new SplittableRandom(5);
        int trajectories = 12;
        int length = 30;
        int d = 64;
        double[][] path = new double[length][d];
        for (int t = 1; t < length; t++) {
            for (int c = 0; c < d; c++) {
                path[t][c] = path[t - 1][c] + r.nextGaussian();
            }
        }
        float[][] rows = new float[trajectories * length][d];
        for (int k = 0; k < trajectories; k++) {
            for (int t = 0; t < length; t++) {
                for (int c = 0; c < d; c++) {
                    rows[k * length + t][c] = (float) (path[t][c] + 1e-5 * r.nextGaussian());
                }
            }
        }
        PointSet p = trajectories(rows, length);
        double eps = 1e-9;
        int[] fallbacks = new int[1];
        double[] got = TrajectoryTangling.exactFromFloat32(p, eps, fallbacks);
        double[] want = bruteForce(rows, length, eps);
        for (int t = 0; t < want.length; t++) {
            assertEquals(want[t], got[t], 1e-12 * want[t], "time " + t);
        }
        assertTrue(fallbacks[0] > 0, "expected times compared with all others in float64");
    }
}
