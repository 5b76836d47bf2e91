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
    void identicalPointsGiveNullWithReason() {
        float[][] same = new float[10][4];
        MetricValue v = ParticipationRatio.of(PointSet.of(same, "same"));
        assertFalse(v.present());
        assertTrue(v.reason().contains("zero variance"));
        assertFalse(ParticipationRatio.of(PointSet.of(new float[1][4], "one")).present());
    }
}
