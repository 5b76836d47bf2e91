package org.scalelab.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scalelab.InputException;

/** Step pooling checked on rows small enough to average by hand. */
class StepPoolingTest {
    /** Two trajectories: 5 rows (x = 0…4) and 3 rows (x = 10…12), 2 columns (x, 2x). */
    static PointSet tokens() {
        float[][] rows = new float[8][];
        for (int i = 0; i < 5; i++) {
            rows[i] = new float[] {i, 2 * i};
        }
        for (int i = 0; i < 3; i++) {
            rows[5 + i] = new float[] {10 + i, 2 * (10 + i)};
        }
        return PointSet.of(rows, "t").withTrajectories(new long[] {0, 5}, "offsets");
    }

    @Test
    void meanPoolsEachStepsRowsAndLeavesOutRowsBeforeTheFirstStep() {
        // Trajectory 0: steps at rows 1 and 3 → [1, 3) and [3, 5); row 0 is in no step. Trajectory 1: one step [0, 3).
        PointSet p = StepPooling.pool(tokens(), new int[][] {{1, 3}, {0}}, StepPooling.Pool.MEAN);
        assertEquals(3, p.size());
        assertEquals(2, p.trajectoryCount());
        assertEquals(0, p.trajectoryStart(0));
        assertEquals(2, p.trajectoryStart(1));
        assertEquals(1.5f, p.get(0, 0)); // (1 + 2) / 2
        assertEquals(3f, p.get(0, 1));
        assertEquals(3.5f, p.get(1, 0)); // (3 + 4) / 2
        assertEquals(11f, p.get(2, 0)); // (10 + 11 + 12) / 3
        assertEquals(22f, p.get(2, 1));
    }

    @Test
    void lastTakesTheRowOfEachStepsLastToken() {
        PointSet p = StepPooling.pool(tokens(), new int[][] {{1, 3}, {0, 1}}, StepPooling.Pool.LAST);
        assertEquals(4, p.size());
        assertEquals(2f, p.get(0, 0));
        assertEquals(4f, p.get(1, 0));
        assertEquals(10f, p.get(2, 0));
        assertEquals(12f, p.get(3, 0));
    }

    @Test
    void aTrajectoryWithoutStepsGivesNoPoints() {
        PointSet p = StepPooling.pool(tokens(), new int[][] {{}, {0, 2}}, StepPooling.Pool.MEAN);
        assertEquals(2, p.size());
        assertEquals(1, p.trajectoryCount());
        assertEquals(10.5f, p.get(0, 0));
    }

    @Test
    void labelsFollowTheirSteps() {
        PointSet t = tokens().withLabels(new long[] {7, 7, 7, 7, 7, 9, 9, 9}, "labels");
        PointSet p = StepPooling.pool(t, new int[][] {{0, 2}, {1}}, StepPooling.Pool.MEAN);
        assertEquals(7, p.label(0));
        assertEquals(7, p.label(1));
        assertEquals(9, p.label(2));
    }

    @Test
    void stepStartsOutsideTheTrajectoryOrNotIncreasingAreRefused() {
        InputException e = assertThrows(InputException.class, () -> StepPooling.pool(tokens(), new int[][] {{0, 5}, {0}}, StepPooling.Pool.MEAN));
        assertTrue(e.getMessage().contains("trajectory 0 step 1"), e.getMessage());
        assertThrows(InputException.class, () -> StepPooling.pool(tokens(), new int[][] {{2, 2}, {0}}, StepPooling.Pool.MEAN));
        assertThrows(InputException.class, () -> StepPooling.pool(PointSet.of(new float[][] {{1}}, "x"), new int[][] {{0}}, StepPooling.Pool.MEAN));
    }

    @Test
    void unitAndPoolParseTheirNamesAndNameTheirFlagOtherwise() {
        assertEquals(StepPooling.Unit.STEP, StepPooling.Unit.parse(" Step "));
        assertEquals(StepPooling.Unit.TOKEN, StepPooling.Unit.parse("token"));
        assertEquals(StepPooling.Pool.LAST, StepPooling.Pool.parse("last"));
        assertTrue(assertThrows(InputException.class, () -> StepPooling.Unit.parse("sentence")).getMessage().startsWith("--unit: 'sentence'"));
        assertTrue(assertThrows(InputException.class, () -> StepPooling.Pool.parse("max")).getMessage().startsWith("--pool: 'max'"));
        assertEquals("step (mean)", StepPooling.describe(StepPooling.Unit.STEP, StepPooling.Pool.MEAN));
        assertEquals("token", StepPooling.describe(StepPooling.Unit.TOKEN, StepPooling.Pool.LAST));
    }
}
