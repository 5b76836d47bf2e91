package org.scalelab.dynamics;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.scalelab.InputException;

/**
 * The noise floor of an accuracy curve: what a detector's statistic looks like when nothing happens.
 * An accuracy measured on {@code n} held-out examples is k/n; under the null each evaluation is an
 * independent Binomial(n, p) draw, with p constant over training (or, for scaling, monotone over sizes).
 * A detector computes its statistic on the observed curves, then on {@link Options#replicates}
 * simulated sets of curves with the same number of examples and the same evaluation schedule, so any
 * selection in the statistic (the peak is the maximum over evaluations) is in the null too; it
 * calls an effect only when the observed statistic is beyond the null's (1 − α) quantile, i.e. its
 * Monte Carlo p-value (1 + #{null ≥ observed}) / (1 + replicates) is at most α (Davison &amp;
 * Hinkley 1997, §4.2.1).
 *
 * <p>Assumption, stated: successive evaluations on the same fixed held-out set are treated as
 * independent draws. They are not when the model barely changes between them (the same items stay
 * right), but independence gives the null more spread and a larger maximum, so it errs towards not
 * calling an effect.
 */
public final class BinomialNull {
    private BinomialNull() {}

    /**
     * @param alpha      level of every call (default 0.05)
     * @param replicates simulated data sets per test (default 1,000)
     * @param seed       seed of the simulation: same data, same seed, same p-values
     */
    public record Options(double alpha, int replicates, long seed) {
        public Options {
            if (!(alpha > 0 && alpha < 1)) {
                throw new InputException("--alpha " + alpha + ": must be in (0, 1)");
            }
            if (replicates < 19) {
                throw new InputException("--null-replicates " + replicates + ": at least 19 (a p-value of 0.05 needs 19 replicates)");
            }
        }

        public static Options defaults() {
            return new Options(0.05, 1000, 0L);
        }

        Options withAlpha(double a) {
            return new Options(a, replicates, seed);
        }
    }

    /**
     * One test against the null.
     *
     * @param statistic  the observed statistic
     * @param threshold  the null's (1 − α) quantile: the statistic must exceed it
     * @param pValue     Monte Carlo p-value
     * @param alpha      the level used
     * @param replicates simulated data sets
     * @param model      the null, in words
     */
    public record Test(double statistic, double threshold, double pValue, double alpha, int replicates, String model) {
        public boolean significant() {
            return pValue <= alpha;
        }
    }

    /** Draws Binomial(n, p) / n by inverting a table of its distribution function. */
    public static final class Sampler {
        private final int n;
        private final double[] cdf;

        public Sampler(int n, double p) {
            if (n < 1) {
                throw new InputException("a held-out set needs at least one example, got " + n);
            }
            this.n = n;
            double q = Math.min(1, Math.max(0, p));
            cdf = new double[n + 1];
            if (q == 0 || q == 1) {
                for (int k = 0; k <= n; k++) {
                    cdf[k] = q == 0 || k == n ? 1 : 0;
                }
                return;
            }
            // log pmf(k) = log C(n, k) + k log q + (n − k) log(1 − q), with log C(n, k) summed term by term.
            double[] logPmf = new double[n + 1];
            double logC = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k <= n; k++) {
                if (k > 0) {
                    logC += Math.log((double) (n - k + 1) / k);
                }
                logPmf[k] = logC + k * Math.log(q) + (n - k) * Math.log1p(-q);
                max = Math.max(max, logPmf[k]);
            }
            double total = 0;
            for (int k = 0; k <= n; k++) {
                total += Math.exp(logPmf[k] - max);
                cdf[k] = total;
            }
            for (int k = 0; k <= n; k++) {
                cdf[k] /= total;
            }
            cdf[n] = 1;
        }

        /** P(accuracy ≤ k/n). */
        double cdf(int k) {
            return cdf[k];
        }

        double draw(SplittableRandom rng) {
            double u = rng.nextDouble();
            int k = Arrays.binarySearch(cdf, u);
            k = k >= 0 ? k : -k - 1;
            while (k < n && cdf[k] <= u) {
                k++;
            }
            return (double) k / n;
        }

        /** A curve constant at p observed at {@code points} evaluations. */
        public double[] curve(int points, SplittableRandom rng) {
            double[] v = new double[points];
            for (int i = 0; i < points; i++) {
                v[i] = draw(rng);
            }
            return v;
        }
    }

    /** Something simulated under the null: the statistic of one replicate. */
    interface Replicate {
        double statistic(SplittableRandom rng);
    }

    /**
     * Tests {@code observed} against {@code replicates} draws of {@code replicate}. Seeded: the same
     * options give the same null, whatever ran before.
     */
    static Test test(double observed, Replicate replicate, Options o, String model) {
        SplittableRandom rng = new SplittableRandom(o.seed() ^ 0x6e756c6cL);
        double[] sims = new double[o.replicates()];
        int atLeast = 0;
        for (int b = 0; b < sims.length; b++) {
            sims[b] = replicate.statistic(rng);
            // A relative tolerance so that the same value computed in another order counts as equal.
            if (sims[b] >= observed - 1e-12) {
                atLeast++;
            }
        }
        Arrays.sort(sims);
        double threshold = sims[Math.min(sims.length - 1, (int) Math.ceil((1 - o.alpha()) * (sims.length + 1)) - 1)];
        return new Test(observed, threshold, (1.0 + atLeast) / (1.0 + sims.length), o.alpha(), sims.length, model);
    }

    /**
     * The examples behind a curve when they are not known: the smallest n ≤ {@code max} for which every
     * value is a whole number of n-ths. It can only be smaller than the truth (0.25 and 0.5 read as
     * n = 4 even when 8 were measured), which widens the null: conservative.
     */
    public static int inferExamples(double[] values, int max) {
        for (int n = 1; n <= max; n++) {
            boolean whole = true;
            for (double v : values) {
                if (Math.abs(v * n - Math.rint(v * n)) > 1e-6) {
                    whole = false;
                    break;
                }
            }
            if (whole) {
                return n;
            }
        }
        return max;
    }
}
