package org.scalelab.laws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntToDoubleFunction;
import org.scalelab.stats.Bootstrap;

/**
 * Extrapolation backtest: fit a law without the largest-scale points, predict them, report the errors.
 * A scaling law is used to forecast the next, larger run, so its error on the largest runs it has
 * not seen is the honest measure of its worth (cf. Hoffmann et al. 2022, and the held-out largest
 * models of Caballero et al. 2022). The held-out set is the top {@value #HOLDOUT_FRACTION} of the
 * distinct x values (at least one), and the backtest runs only when at least parameters + 1 training
 * rows remain.
 */
public final class Backtest {
    /** Share of distinct x values (largest first) held out. */
    public static final double HOLDOUT_FRACTION = 0.2;

    private Backtest() {}

    /** Fits a law to (x, y) and returns its prediction function, or null when the fit failed. */
    @FunctionalInterface
    public interface Fitter {
        DoubleUnaryOperator fit(double[] x, double[] y);
    }

    /**
     * Row-based form for multi-variable laws (e.g. Chinchilla's L(N, D)): fits on the given rows and
     * returns a prediction for any row index, or null when the fit failed.
     */
    @FunctionalInterface
    public interface RowFitter {
        IntToDoubleFunction fit(int[] trainRows);
    }

    /** One held-out point: its row (0-based), its x (the hold-out key), observed and predicted y. */
    public record Point(int row, double x, double y, Double predicted, Double absError, Double relError) {}

    /**
     * {@code status} is "ran", "skipped" (not enough points; see reason) or "fit_failed".
     * {@code thresholdX}: rows with x ≥ this were held out. Relative error = |pred − y| / |y|.
     */
    public record Result(String status, String reason, double holdoutFraction, Double thresholdX, int nTrain,
                         int nHeldOut, Double meanAbsError, Double meanRelError, List<Point> points) {
        static Result skipped(String why) {
            return new Result("skipped", why, HOLDOUT_FRACTION, null, 0, 0, null, null, List.of());
        }
    }

    /** Backtest of a single-variable law: holds out the largest x values, fits the rest. */
    public static Result run(double[] x, double[] y, int nParams, Fitter fitter) {
        return runRows(x, y, nParams, rows -> {
            DoubleUnaryOperator f = fitter.fit(Bootstrap.take(x, rows), Bootstrap.take(y, rows));
            return f == null ? null : row -> f.applyAsDouble(x[row]);
        });
    }

    /**
     * Backtest over rows: {@code key[row]} orders the rows (e.g. compute for Chinchilla), {@code y[row]}
     * is the observed value; the rows with the largest keys are held out.
     */
    public static Result runRows(double[] key, double[] y, int nParams, RowFitter fitter) {
        double[] distinct = Arrays.stream(key).distinct().sorted().toArray();
        if (distinct.length < 3) {
            return Result.skipped(distinct.length + " distinct x values; need at least 3 to hold any out");
        }
        int holdDistinct = Math.max(1, (int) Math.round(HOLDOUT_FRACTION * distinct.length));
        double threshold = distinct[distinct.length - holdDistinct];
        List<Integer> train = new ArrayList<>();
        List<Integer> held = new ArrayList<>();
        for (int i = 0; i < key.length; i++) {
            (key[i] >= threshold ? held : train).add(i);
        }
        if (train.size() < nParams + 1) {
            return Result.skipped(train.size() + " rows remain below x=" + threshold + " for " + nParams
                    + " parameters; need at least " + (nParams + 1));
        }
        IntToDoubleFunction predictor = fitter.fit(train.stream().mapToInt(Integer::intValue).toArray());
        if (predictor == null) {
            return new Result("fit_failed", "the law could not be fitted to the " + train.size() + " training rows",
                    HOLDOUT_FRACTION, threshold, train.size(), held.size(), null, null, List.of());
        }
        List<Point> points = new ArrayList<>();
        double sumAbs = 0;
        double sumRel = 0;
        int nOk = 0;
        for (int row : held) {
            double pred = predictor.applyAsDouble(row);
            double abs = Math.abs(pred - y[row]);
            double rel = abs / Math.abs(y[row]);
            points.add(new Point(row, key[row], y[row], FittedParameter.finite(pred), FittedParameter.finite(abs),
                    FittedParameter.finite(rel)));
            if (Double.isFinite(abs)) {
                sumAbs += abs;
                sumRel += rel;
                nOk++;
            }
        }
        if (nOk == 0) {
            return new Result("fit_failed", "the fitted law gave no finite prediction for the held-out rows",
                    HOLDOUT_FRACTION, threshold, train.size(), held.size(), null, null, points);
        }
        return new Result("ran", null, HOLDOUT_FRACTION, threshold, train.size(), held.size(), sumAbs / nOk,
                FittedParameter.finite(sumRel / nOk), points);
    }
}
