package org.scalelab.laws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BacktestTest {
    @Test
    void holdsOutTopTwentyPercentOfDistinctXAndScoresAnExactLawPerfectly() {
        // 10 distinct x, each twice: the top 2 distinct values (4 rows) are held out.
        double[] x = new double[20];
        double[] y = new double[20];
        for (int i = 0; i < 20; i++) {
            x[i] = i / 2 + 1;
            y[i] = 2 * x[i];
        }
        Backtest.Result r = Backtest.run(x, y, 2, (xt, yt) -> {
            assertTrue(Arrays.stream(xt).allMatch(v -> v < 9), "training saw a held-out x");
            return v -> 2 * v;
        });
        assertEquals("ran", r.status());
        assertEquals(4, r.nHeldOut());
        assertEquals(16, r.nTrain());
        assertEquals(9.0, r.thresholdX());
        assertEquals(0.0, r.meanAbsError(), 1e-15);
    }

    @Test
    void reportsAbsoluteAndRelativeErrorsPerPoint() {
        double[] x = {1, 2, 3, 4, 5};
        double[] y = {1, 1, 1, 1, 2};
        Backtest.Result r = Backtest.run(x, y, 1, (xt, yt) -> v -> 1.0);
        assertEquals(1, r.nHeldOut());
        Backtest.Point p = r.points().get(0);
        assertEquals(4, p.row());
        assertEquals(1.0, p.absError());
        assertEquals(0.5, p.relError());
        assertEquals(1.0, r.meanAbsError());
        assertEquals(0.5, r.meanRelError());
    }

    @Test
    void rowFormHoldsOutLargestKeyRowsForMultiVariableLaws() {
        // Chinchilla-style: rows ordered by compute, the predictor sees row indices only.
        double[] compute = {1e18, 1e19, 1e20, 1e21, 1e22, 1e18, 1e19, 1e20, 1e21, 1e22};
        double[] loss = {3.0, 2.8, 2.6, 2.4, 2.2, 3.1, 2.9, 2.7, 2.5, 2.3};
        Backtest.Result r = Backtest.runRows(compute, loss, 3, train -> {
            assertEquals(8, train.length);
            return row -> loss[row] + 0.1;
        });
        assertEquals("ran", r.status());
        assertEquals(2, r.nHeldOut());
        assertTrue(r.points().stream().allMatch(p -> p.x() == 1e22));
        assertEquals(0.1, r.meanAbsError(), 1e-12);
    }

    @Test
    void skipsWhenTooFewTrainingRowsRemainAndReportsFailedFits() {
        double[] x = {1, 2, 3, 4};
        double[] y = {4, 3, 2, 1};
        Backtest.Result skipped = Backtest.run(x, y, 3, (xt, yt) -> v -> 0);
        assertEquals("skipped", skipped.status());
        assertTrue(skipped.reason().contains("need at least 4"), skipped.reason());
        Backtest.Result failed = Backtest.run(x, y, 1, (xt, yt) -> null);
        assertEquals("fit_failed", failed.status());
    }
}
