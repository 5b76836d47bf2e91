package org.scalelab.dynamics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class LogStepsTest {
    @Test
    void fourPointsPerDecadeAreRounded10ToTheKOver4PlusTheLastStep() {
        // round(10^(k/4)) for k = 0 … 11: 1, 1.78, 3.16, 5.62, 10, 17.8, 31.6, 56.2, 100, 178, 316, 562; then 1000 itself.
        assertArrayEquals(new long[] {1, 2, 3, 6, 10, 18, 32, 56, 100, 178, 316, 562, 1000}, LogSteps.of(1000, 4));
        assertArrayEquals(new long[] {1, 10, 100, 250}, LogSteps.of(250, 1), "the last step is always evaluated");
        assertArrayEquals(new long[] {1}, LogSteps.of(1, 8));
    }
}
