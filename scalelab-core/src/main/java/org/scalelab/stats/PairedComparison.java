package org.scalelab.stats;

import org.hipparchus.distribution.continuous.NormalDistribution;
import org.hipparchus.distribution.discrete.BinomialDistribution;

/**
 * Two models compared on the same examples. A paired test uses that both saw example i: the
 * example-to-example variation they share cancels, so it detects differences an unpaired comparison
 * of two means with their own standard errors (as lm-evaluation-harness's result tables invite) misses.
 *
 * <ul>
 *   <li>{@link #mcnemar} for 0/1 outcomes (acc, acc_norm, mc1): McNemar's test in its exact form — under
 *       "no difference" each discordant example (one model right, the other wrong) is A's with
 *       probability ½, so the count of A-only examples is Binomial(b + c, ½) and the two-sided p-value is
 *       min(1, 2 P(X ≤ min(b, c))), which for p = ½ equals scipy's {@code binomtest(b, b + c).pvalue}.
 *       The interval of the accuracy difference is Newcombe's (1998) method 10 (Wilson score intervals
 *       of both accuracies, combined with the correlation φ of the paired outcomes; φ's numerator
 *       ad − bc shrunk by n/2 towards 0 when positive, as in Newcombe's paper and Altman et al.,
 *       <i>Statistics with Confidence</i>, 2000, ch. 6): unlike the Wald interval it stays inside
 *       [−1, 1] and does not collapse to a point when there are no discordant pairs.
 *   <li>{@link #bootstrap} for real-valued per-example metrics (mc2, log-probs): the paired bootstrap —
 *       examples resampled with replacement, both models' values kept together — of the mean
 *       difference; the percentile interval (Efron &amp; Tibshirani 1993, ch. 13) and the two-sided p-value
 *       of the bootstrap test that centres the replicates on the null (ch. 16):
 *       p = (1 + #{|d̄* − d̄| ≥ |d̄|}) / (B + 1).
 * </ul>
 */
public final class PairedComparison {
    private PairedComparison() {}

    /** McNemar's exact test of {@code a[i]} against {@code b[i]}, with Newcombe's interval of the accuracy difference at {@code level}. */
    public static McNemarResult mcnemar(boolean[] a, boolean[] b, double level) {
        checkPaired(a.length, b.length);
        int both = 0;
        int onlyA = 0;
        int onlyB = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] && b[i]) {
                both++;
            } else if (a[i]) {
                onlyA++;
            } else if (b[i]) {
                onlyB++;
            }
        }
        return mcnemar(both, onlyA, onlyB, a.length - both - onlyA - onlyB, level);
    }

    /** McNemar's exact test from the paired table: both right, only A right, only B right, both wrong. */
    public static McNemarResult mcnemar(int bothCorrect, int onlyA, int onlyB, int bothWrong, double level) {
        if (bothCorrect < 0 || onlyA < 0 || onlyB < 0 || bothWrong < 0) {
            throw new IllegalArgumentException("negative count in the paired table");
        }
        checkLevel(level);
        int n = bothCorrect + onlyA + onlyB + bothWrong;
        if (n == 0) {
            throw new IllegalArgumentException("no examples to compare");
        }
        double accA = (double) (bothCorrect + onlyA) / n;
        double accB = (double) (bothCorrect + onlyB) / n;
        double[] ci = newcombe(bothCorrect, onlyA, onlyB, bothWrong, level);
        return new McNemarResult(n, bothCorrect, onlyA, onlyB, bothWrong, accA, accB, (double) (onlyA - onlyB) / n,
                ci[0], ci[1], exactTwoSided(onlyA, onlyA + onlyB), level);
    }

    /** Two-sided exact binomial p-value of k successes in m trials with p = ½: min(1, 2 P(X ≤ min(k, m − k))); 1 when m = 0. */
    static double exactTwoSided(int k, int m) {
        if (m == 0) {
            return 1;
        }
        int low = Math.min(k, m - k);
        if (2 * low == m) {
            return 1;
        }
        // P(X ≤ low) = Σ_{i ≤ low} C(m, i) / 2^m, summed from the largest term (i = low) down by the ratio
        // C(m, i−1) / C(m, i) = i / (m − i + 1), so no term overflows and the sum keeps full precision.
        // The largest term by Loader's saddle-point expansion (Hipparchus, as R's dbinom), accurate to a few
        // ulps where log-gamma differences lose ~1e-11 at m = 10,000.
        double top = new BinomialDistribution(m, 0.5).probability(low);
        double sum = 0;
        double term = 1;
        for (int i = low; i >= 0; i--) {
            sum += term;
            term *= (double) i / (m - i + 1);
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return Math.min(1, 2 * top * sum);
    }

    /** Newcombe's (1998) method 10 interval of p1 − p2 for the paired table (a, b, c, d), p1 = (a + b)/n, p2 = (a + c)/n. */
    static double[] newcombe(int a, int b, int c, int d, double level) {
        int n = a + b + c + d;
        double z = new NormalDistribution(0, 1).inverseCumulativeProbability(1 - (1 - level) / 2);
        double p1 = (double) (a + b) / n;
        double p2 = (double) (a + c) / n;
        double[] w1 = wilson(a + b, n, z);
        double[] w2 = wilson(a + c, n, z);
        double phi = 0;
        double denominator = (double) (a + b) * (c + d) * (a + c) * (b + d);
        if (denominator > 0) {
            double cross = (double) a * d - (double) b * c;
            double shrunk = cross > n / 2.0 ? cross - n / 2.0 : cross < 0 ? cross : 0;
            phi = shrunk / Math.sqrt(denominator);
        }
        double diff = p1 - p2;
        double dl1 = p1 - w1[0];
        double du1 = w1[1] - p1;
        double dl2 = p2 - w2[0];
        double du2 = w2[1] - p2;
        double lowerHalf = Math.sqrt(Math.max(0, dl1 * dl1 - 2 * phi * dl1 * du2 + du2 * du2));
        double upperHalf = Math.sqrt(Math.max(0, du1 * du1 - 2 * phi * du1 * dl2 + dl2 * dl2));
        return new double[] {diff - lowerHalf, diff + upperHalf};
    }

    /** Wilson's (1927) score interval of a proportion x / n at normal quantile z. */
    public static double[] wilson(int x, int n, double z) {
        double p = (double) x / n;
        double z2 = z * z;
        double centre = (2 * n * p + z2) / (2 * (n + z2));
        double half = z * Math.sqrt(z2 + 4 * n * p * (1 - p)) / (2 * (n + z2));
        return new double[] {centre - half, centre + half};
    }

    /**
     * Paired bootstrap of mean(a) − mean(b): {@code replicates} resamples of the examples (replicate r draws
     * {@link Bootstrap#resample}(n, seed, r)), the percentile interval at {@code level} and the centred
     * bootstrap test's two-sided p-value.
     */
    public static PairedBootstrapResult bootstrap(double[] a, double[] b, int replicates, long seed, double level) {
        checkPaired(a.length, b.length);
        checkLevel(level);
        if (replicates < 1) {
            throw new IllegalArgumentException("replicates must be at least 1, got " + replicates);
        }
        int n = a.length;
        double[] d = new double[n];
        double sumA = 0;
        double sumB = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(a[i]) || !Double.isFinite(b[i])) {
                throw new IllegalArgumentException("example " + i + ": value " + (Double.isFinite(a[i]) ? b[i] : a[i]) + " is not finite");
            }
            d[i] = a[i] - b[i];
            sumA += a[i];
            sumB += b[i];
        }
        double observed = mean(d);
        double[] means = new double[replicates];
        int extreme = 0;
        for (int r = 0; r < replicates; r++) {
            int[] idx = Bootstrap.resample(n, seed, r);
            double s = 0;
            for (int i : idx) {
                s += d[i];
            }
            means[r] = s / n;
            if (Math.abs(means[r] - observed) >= Math.abs(observed)) {
                extreme++;
            }
        }
        double[] ci = Quantiles.percentileInterval(means, level);
        return new PairedBootstrapResult(n, sumA / n, sumB / n, observed, ci[0], ci[1],
                (1.0 + extreme) / (replicates + 1.0), replicates, seed, level);
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static void checkPaired(int na, int nb) {
        if (na != nb) {
            throw new IllegalArgumentException("paired outcomes need the same examples: " + na + " against " + nb);
        }
        if (na == 0) {
            throw new IllegalArgumentException("no examples to compare");
        }
    }

    private static void checkLevel(double level) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("confidence level must be in (0, 1), got " + level);
        }
    }
}
