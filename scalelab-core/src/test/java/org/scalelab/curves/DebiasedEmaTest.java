package org.scalelab.curves;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scalelab.InputException;

class DebiasedEmaTest {
    @Test
    void aConstantCurveStaysConstantFromTheFirstPoint() {
        double[] out = DebiasedEma.smooth(new double[] {3, 3, 3, 3}, 0.95);
        for (double x : out) {
            assertEquals(3, x, 1e-12, "the bias correction removes the pull towards zero");
        }
    }

    @Test
    void weightZeroIsOffAndNanStaysNanWithoutResettingTheAverage() {
        double[] v = {1, Double.NaN, 5, 2};
        assertArrayEquals(v, DebiasedEma.smooth(v, 0));
        double[] out = DebiasedEma.smooth(v, 0.5);
        assertTrue(Double.isNaN(out[1]));
        // After 1 and 5 (t = 2): m = 0.5·(0.5·1) + 0.5·5 = 2.75, / (1 − 0.25) = 11/3.
        assertEquals(11.0 / 3, out[2], 1e-12);
    }

    @Test
    void aWeightOutsideTheRangeIsRefusedNamingTheParameter() {
        InputException e = assertThrows(InputException.class, () -> DebiasedEma.smooth(new double[] {1}, 1.0));
        assertTrue(e.getMessage().startsWith("smooth: 1.0"), e.getMessage());
    }
}
