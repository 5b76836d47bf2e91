package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/**
 * Squared distances against their definition, Σ_j (x_ij − x_kj)² summed in float64 over the float32
 * inputs, in the regime where ‖x‖² + ‖y‖² − 2 x·y cancels: clusters of spread σ = 1e-3 around
 * centres 100 apart, offset 1e3.
 */
class SquaredDistancesTest {
    static final int N = 700;
    static final int D = 48;
    static final double SPREAD = 1e-3;

    final long[] labels = new long[N];
    final float[][] x = GeometryReferenceTest.tightClusters(N, D, 4, SPREAD, 100, 1e3, 3, labels);
    final int[] groups = new int[N];

    {
        for (int i = 0; i < N; i++) {
            groups[i] = (int) labels[i];
        }
    }

    double exact(int i, int k) {
        double s = 0;
        for (int j = 0; j < D; j++) {
            double v = (double) x[i][j] - x[k][j];
            s += v * v;
        }
        return s;
    }

    /**
     * Largest error over all pairs: {within-cluster pairs, in units of the within-cluster scale 2σ²d;
     * between-cluster pairs, relative to the exact squared distance}.
     */
    double[] worstErrors(SquaredDistances distances) {
        double scale = 2 * SPREAD * SPREAD * D;
        double[] worst = new double[2];
        distances.visitUpper((i0, ni, j0, nj, d2, diagonal) -> {
            for (int i = 0; i < ni; i++) {
                for (int j = 0; j < nj; j++) {
                    double e = exact(i0 + i, j0 + j);
                    double err = Math.abs(d2[i * nj + j] - e);
                    if (labels[i0 + i] == labels[j0 + j]) {
                        worst[0] = Math.max(worst[0], err / scale);
                    } else {
                        worst[1] = Math.max(worst[1], err / e);
                    }
                }
            }
        });
        return worst;
    }

    FloatBuffer rows() {
        return PointSet.of(x, "tight").buffer();
    }

    @Test
    void float32DistancesCentredOnTheirClustersErrOnlyRelativeToTheClusterSpread() {
        SquaredDistances byCluster = new SquaredDistances(rows(), N, D, 256, DistancePrecision.FLOAT32, groups, 4);
        assertEquals(4, byCluster.groupCount());
        double[] grouped = worstErrors(byCluster);
        // Within: sgemm's rounding relative to ‖x'‖² ≈ σ²d; between: x' rounded to float32 moves a
        // distance of ~100 by ~1e-10 × 100.
        assertTrue(grouped[0] < 1e-5, "float32, centred per cluster: within-cluster error " + grouped[0] + " × 2σ²d");
        assertTrue(grouped[1] < 1e-10, "float32, centred per cluster: between-cluster relative error " + grouped[1]);
        // The same sgemm on globally centred rows loses the within-cluster distances to cancellation.
        double[] global = worstErrors(new SquaredDistances(rows(), N, D, 256, DistancePrecision.FLOAT32));
        assertTrue(global[0] > 0.1, "float32, centred globally: within-cluster error " + global[0] + " × 2σ²d");
        double[] float64 = worstErrors(new SquaredDistances(rows(), N, D, 256, DistancePrecision.FLOAT64, groups, 4));
        assertTrue(float64[0] < 1e-9 && float64[1] < 1e-14, "float64, centred per cluster: " + float64[0] + ", " + float64[1]);
    }

    @Test
    void blocksOfAnyRowsCentredOnTheirClustersMatchTheDefinition() {
        SquaredDistances distances = new SquaredDistances(rows(), N, D, 128, DistancePrecision.FLOAT32, groups, 4);
        int[] picked = {5, 699, 3, 3, 120, 421};
        double[] d2 = distances.block(picked, 1, 4, 100, 128);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 128; j++) {
                double e = exact(picked[1 + i], 100 + j);
                assertEquals(e, d2[i * 128 + j], 1e-5 * 2 * SPREAD * SPREAD * D + 1e-10 * e, "row " + picked[1 + i] + ", column " + (100 + j));
            }
        }
    }

    @Test
    void parallelProductPassGivesEveryPairOnceOnEveryPath() {
        // Blocks of 128 over 700 rows: 6 block rows, a partial last one, diagonal blocks from syrk.
        SquaredDistances[] passes = {
            new SquaredDistances(rows(), N, D, 128, DistancePrecision.FLOAT32, groups, 4),
            new SquaredDistances(rows(), N, D, 128, DistancePrecision.FLOAT32, groups, 4).withoutCentredCopy(),
            new SquaredDistances(rows(), N, D, 128, DistancePrecision.FLOAT32, groups, 4).limitWorkers(1),
            new SquaredDistances(rows(), N, D, 128, DistancePrecision.FLOAT64, groups, 4),
            new SquaredDistances(rows(), N, D, 128, DistancePrecision.FLOAT64)};
        double scale = 2 * SPREAD * SPREAD * D;
        for (int p = 0; p < passes.length; p++) {
            SquaredDistances s = passes[p];
            int[] seen = new int[N * N];
            double[] worst = new double[s.workers()];
            s.visitUpperProducts((w, i0, ni, j0, nj, pf, pd, diagonal) -> {
                assertEquals(diagonal, i0 == j0);
                for (int i = 0; i < ni; i++) {
                    for (int j = diagonal ? i + 1 : 0; j < nj; j++) {
                        int a = i0 + i;
                        int b = j0 + j;
                        seen[a * N + b]++;
                        double v = (pf != null ? pf[i * nj + j] : pd[i * nj + j]) + s.rowTerm(a, s.group(b)) + s.columnTerm(b, s.group(a));
                        double e = exact(a, b);
                        // Per-cluster centring: within 1e-5 × 2σ²d, between 1e-10 relative; global (float64): 1e-6 relative
                        // (its cancellation is ~1e-16 × ‖x − mean‖² ≈ 1e-7 of a within-cluster distance here).
                        double err = Math.abs(v - e) / (s.groupCount() > 1 ? scale + 1e-5 * e : 0.1 * e);
                        assertTrue(w < s.workers());
                        worst[w] = Math.max(worst[w], err);
                    }
                }
            });
            for (int a = 0; a < N; a++) {
                for (int b = 0; b < N; b++) {
                    assertEquals(a < b ? 1 : 0, seen[a * N + b], "pass " + p + ": pair " + a + ", " + b);
                }
            }
            for (double w : worst) {
                assertTrue(w < 1e-5, "pass " + p + ": worst error " + w);
            }
        }
    }

    @Test
    void groupTablesAboveTheirBudgetAreNotBuilt() {
        // 2 n k + k d + k² doubles against max(64 MB, n d float32s / 8): 150 clusters of 20,000 × 4,096 fit, 200 do not.
        assertTrue(SquaredDistances.groupTablesFit(20_000, 4_096, 150));
        assertTrue(!SquaredDistances.groupTablesFit(20_000, 4_096, 200));
        assertTrue(SquaredDistances.groupTablesFit(N, D, N - 1));
    }
}
