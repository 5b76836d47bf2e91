package org.scalelab.geometry;

/**
 * Mean cosine between consecutive step vectors along trajectories: with s_t = x_{t+1} − x_t, the mean
 * over all trajectories and t of cos(s_t, s_{t+1}). References: a random walk (independent steps)
 * gives ≈ 0; independent noise points give steps sharing x_{t+1} with opposite sign, so
 * cos → −1/2 in high dimension, so a negative step cosine alone is not structure. Pairs with a zero-length step are
 * skipped.
 */
public final class StepCosine {
    private StepCosine() {}

    public static MetricValue of(PointSet p) {
        if (!p.hasTrajectories()) {
            return MetricValue.missing("no trajectories given (--trajectories FILE.npy with start offsets)");
        }
        int d = p.dimension();
        float[] x0 = new float[d];
        float[] x1 = new float[d];
        float[] x2 = new float[d];
        double sum = 0;
        long pairs = 0;
        for (int k = 0; k < p.trajectoryCount(); k++) {
            int start = p.trajectoryStart(k);
            int end = p.trajectoryEnd(k);
            for (int t = start; t + 2 < end; t++) {
                double c = cosineAt(p, t, x0, x1, x2);
                if (!Double.isNaN(c)) {
                    sum += c;
                    pairs++;
                }
            }
        }
        if (pairs == 0) {
            return MetricValue.missing("no trajectory has 3 points with two non-zero consecutive steps");
        }
        return MetricValue.of(sum / pairs);
    }

    /**
     * The same mean cosine within each trajectory alone: entry k averages cos(s_t, s_{t+1}) over
     * trajectory k's pairs of consecutive non-zero steps, NaN when it has none.
     */
    public static double[] perTrajectory(PointSet p) {
        double[] out = new double[p.trajectoryCount()];
        int d = p.dimension();
        float[] x0 = new float[d];
        float[] x1 = new float[d];
        float[] x2 = new float[d];
        for (int k = 0; k < out.length; k++) {
            double sum = 0;
            int pairs = 0;
            for (int t = p.trajectoryStart(k); t + 2 < p.trajectoryEnd(k); t++) {
                double c = cosineAt(p, t, x0, x1, x2);
                if (!Double.isNaN(c)) {
                    sum += c;
                    pairs++;
                }
            }
            out[k] = pairs == 0 ? Double.NaN : sum / pairs;
        }
        return out;
    }

    /** cos(s_t, s_{t+1}) for rows t, t + 1, t + 2 (read into the three buffers); NaN when a step has length zero. */
    private static double cosineAt(PointSet p, int t, float[] x0, float[] x1, float[] x2) {
        p.row(t, x0);
        p.row(t + 1, x1);
        p.row(t + 2, x2);
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int j = 0; j < x0.length; j++) {
            double a = (double) x1[j] - x0[j];
            double b = (double) x2[j] - x1[j];
            dot += a * b;
            na += a * a;
            nb += b * b;
        }
        return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : Double.NaN;
    }
}
