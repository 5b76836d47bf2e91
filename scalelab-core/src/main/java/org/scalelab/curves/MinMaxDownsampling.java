package org.scalelab.curves;

import java.util.Arrays;
import org.scalelab.InputException;

/**
 * Reduces a curve to at most N points without hiding its extremes (the M4 aggregation of Jugel et al.,
 * "M4: A Visualization-Oriented Time Series Data Aggregation", VLDB 2014): the steps are cut into
 * N / 4 buckets of equal width, and each bucket keeps its first, last, lowest and highest point, in step
 * order. A drawn line through these points has the same vertical extent in every bucket as the full
 * curve, so a spike one step wide is always drawn; sampling points at random would lose it.
 *
 * <p>Bucket of step s: {@code (s − first) · buckets / (last − first + 1)} in integer division, where
 * first and last are the curve's first and last steps. Ties: the lowest (highest) point is the earliest
 * step holding the minimum (maximum). NaN values are never a bucket's lowest or highest point, but may
 * be its first or last. The store computes the same buckets in SQL ({@code LabStore.curve}); a test
 * checks both choose the same points.
 */
public final class MinMaxDownsampling {
    /** Points each bucket keeps at most: first, last, lowest, highest. */
    public static final int POINTS_PER_BUCKET = 4;
    /** The smallest point budget (one bucket). */
    public static final int MIN_POINTS = POINTS_PER_BUCKET;

    private MinMaxDownsampling() {}

    /** How many buckets a budget of {@code maxPoints} holds. */
    public static int buckets(int maxPoints) {
        if (maxPoints < MIN_POINTS) {
            throw new InputException("points: " + maxPoints + " is below the smallest budget of " + MIN_POINTS
                    + " (first, last, lowest and highest of one bucket)");
        }
        return maxPoints / POINTS_PER_BUCKET;
    }

    /** The bucket of {@code step} in a curve from {@code first} spanning {@code span} = last − first + 1 steps. */
    public static long bucket(long step, long first, long span, int buckets) {
        return Math.multiplyExact(step - first, (long) buckets) / span;
    }

    /**
     * The indices kept (increasing) when {@code series} is drawn with at most {@code maxPoints} points;
     * every index when it has no more points than that.
     */
    public static int[] keep(StepSeries series, int maxPoints) {
        int buckets = buckets(maxPoints);
        long[] steps = series.steps();
        double[] values = series.values();
        int n = steps.length;
        if (n <= maxPoints) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        long first = steps[0];
        long span = steps[n - 1] - first + 1;
        int[] kept = new int[buckets * POINTS_PER_BUCKET];
        int count = 0;
        int start = 0;
        while (start < n) {
            long b = bucket(steps[start], first, span, buckets);
            int end = start + 1;
            int lo = -1;
            int hi = -1;
            for (int i = start; i < n; i++) {
                if (i > start && bucket(steps[i], first, span, buckets) != b) {
                    break;
                }
                end = i + 1;
                double v = values[i];
                if (Double.isNaN(v)) {
                    continue;
                }
                if (lo < 0 || v < values[lo]) {
                    lo = i;
                }
                if (hi < 0 || v > values[hi]) {
                    hi = i;
                }
            }
            // First, lowest, highest, last, in step order, each once.
            int[] four = {start, lo, hi, end - 1};
            Arrays.sort(four);
            int previous = -1;
            for (int i : four) {
                if (i >= 0 && i != previous) {
                    kept[count++] = i;
                    previous = i;
                }
            }
            start = end;
        }
        return Arrays.copyOf(kept, count);
    }

    /** {@code series} with at most {@code maxPoints} points (itself when it has no more). */
    public static StepSeries downsample(StepSeries series, int maxPoints) {
        if (series.size() <= maxPoints) {
            buckets(maxPoints);
            return series;
        }
        return series.select(keep(series, maxPoints));
    }
}
