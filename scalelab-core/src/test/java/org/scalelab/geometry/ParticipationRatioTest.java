package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ParticipationRatioTest {
    @Test
    void isotropicGaussianHasParticipationRatioNearItsDimension() {
        // Closed form: C = I_d gives (tr C)²/‖C‖²_F = d² / d = d; sampling noise lowers it by ≈ d²/n.
        int d = 20;
        PointSet p = PointSet.of(Synthetic.gaussian(20_000, d, 1), "gaussian");
        double pr = ParticipationRatio.of(p).value();
        assertEquals(d, pr, 0.05 * d);
        VarianceSpectrum s = VarianceSpectrum.of(p);
        // Equal eigenvalues: 90 % of the variance needs ≈ 0.9 d components.
        assertEquals(0.9 * d, s.componentsFor(0.90).value(), 2);
    }

    @Test
    void rankRDataHasParticipationRatioAndD95AtMostR() {
        int r = 5;
        PointSet p = PointSet.of(Synthetic.lowRank(3_000, 64, r, 7), "rank5");
        assertTrue(ParticipationRatio.of(p).value() <= r + 1e-3);
        VarianceSpectrum s = VarianceSpectrum.of(p);
        assertTrue(s.componentsFor(0.95).value() <= r);
        assertTrue(s.eigenvalues()[r] < 1e-4 * s.eigenvalues()[0], "eigenvalue r+1 should vanish");
    }

    @Test
    void streamingInChunksEqualsTheDirectFloat64CovarianceWhateverTheChunking() {
        // Far-offset, anisotropic data (mean 1e3, variances from 1 to 1e-4): the float32 path must not cancel.
        int n = 2_345;
        int d = 24;
        float[][] rows = Synthetic.gaussian(n, d, 5);
        for (float[] row : rows) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) (1e3 + row[j] * Math.pow(10, -2.0 * j / (d - 1)));
            }
        }
        PointSet p = PointSet.of(rows, "offset");
        // Reference: two-pass float64 covariance of the same float32 values (numpy.cov's definition).
        double[] mean = new double[d];
        for (float[] row : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / (double) n;
            }
        }
        double[] ref = new double[d * d];
        for (float[] row : rows) {
            for (int r = 0; r < d; r++) {
                for (int c = r; c < d; c++) {
                    ref[r * d + c] += (row[r] - mean[r]) * (row[c] - mean[c]) / (n - 1);
                }
            }
        }
        int[][] chunkings = {{1 << 20, 1 << 20}, {100, 100}, {100, 300}, {1000, 1}, {7, 1 << 15}};
        for (int[] ch : chunkings) {
            Covariance c = Covariance.of(p, ch[0], ch[1]);
            for (int r = 0; r < d; r++) {
                for (int col = r; col < d; col++) {
                    double scale = Math.sqrt(ref[r * d + r] * ref[col * d + col]);
                    assertEquals(ref[r * d + col], c.matrix[r * d + col], 1e-5 * scale,
                            "chunk " + ch[0] + ", flush " + ch[1] + ": C[" + r + "][" + col + "]");
                }
                assertEquals(mean[r], c.mean[r], 1e-9 * Math.abs(mean[r]));
            }
        }
    }

    @Test
    void tanglingsTotalVarianceIsTheCovariancesTrace() {
        float[][] x = Synthetic.gaussian(1_500, 40, 9);
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = 50 + (j + 1) * row[j];
            }
        }
        PointSet p = PointSet.of(x, "scaled");
        double trace = Covariance.of(p).trace();
        // The covariance's diagonal comes from float32 ssyrk sums (~1e-7 relative); the two-pass total is float64.
        assertEquals(trace, TrajectoryTangling.totalVariance(p), 1e-6 * trace);
        // Closed form of the generating law: Σ_j (j + 1)² for unit-variance columns, within sampling error.
        double law = 0;
        for (int j = 1; j <= 40; j++) {
            law += (double) j * j;
        }
        assertEquals(law, trace, 0.1 * law);
    }

    @Test
    void identicalPointsGiveNullWithReason() {
        float[][] same = new float[10][4];
        MetricValue v = ParticipationRatio.of(PointSet.of(same, "same"));
        assertFalse(v.present());
        assertTrue(v.reason().contains("zero variance"));
        assertFalse(ParticipationRatio.of(PointSet.of(new float[1][4], "one")).present());
    }
}
