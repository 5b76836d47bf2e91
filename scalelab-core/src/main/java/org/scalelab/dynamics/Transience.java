package org.scalelab.dynamics;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.InputException;

/**
 * Is an ability learned and then lost? Minegishi et al. (arXiv 2602.01992) report analogy that
 * peaks and then fades as training continues, especially with many relation types. For one run:
 * the peak is the highest logged accuracy (its first step), the end is the mean of the last
 * {@code tail} points, the drop is peak − end, and the drop step is the first step after the peak
 * where accuracy has fallen by more than the threshold.
 *
 * <p>The peak is a maximum over evaluations, so noise alone gives a positive drop: 8 held-out
 * examples at a constant 6 % show a drop of 0.25 in about half of all runs. The mean drop across
 * seeds is therefore tested against {@link BinomialNull}: each seed's curve simulated as constant at
 * that seed's own mean accuracy over all its evaluations (under the null that mean is the best
 * estimate of the constant; the end level would be both noisier and, for a real transient, lower,
 * which shrinks the null and makes false calls likelier), on the same examples and evaluation
 * steps. Verdict: "transient" when the mean drop exceeds the threshold and the null's (1 − α)
 * quantile; "transient_in_some" when not, but some seed's own drop does; else "not_transient". With
 * one seed both are one test at α; with k seeds the mean's test is at α/2 and each seed's at
 * α/(2k) (Bonferroni), so together they fire in at most α of cells where nothing is transient.
 */
public final class Transience {
    private Transience() {}

    /**
     * @param threshold a drop larger than this (in accuracy) makes the ability transient (default 0.2): the
     *                  smallest effect worth reporting, on top of the null test
     * @param tail      logged points averaged for the end accuracy (default 1: the last point)
     * @param test      level and replicates of the null test
     */
    public record Options(double threshold, int tail, BinomialNull.Options test) {
        public Options {
            if (!(threshold > 0 && threshold < 1)) {
                throw new InputException("transience threshold " + threshold + " must be in (0, 1)");
            }
            if (tail < 1) {
                throw new InputException("transience tail " + tail + " must be at least 1 point");
            }
        }

        public Options(double threshold, int tail) {
            this(threshold, tail, BinomialNull.Options.defaults());
        }

        public static Options defaults() {
            return new Options(0.2, 1);
        }
    }

    /**
     * One seed: peak accuracy and its step, end accuracy, drop, the step it had fallen by more than the
     * threshold (null: never), and the seed's own test against the null (at α/(2·seeds) with several seeds).
     */
    public record Seed(String run, double peak, long peakStep, double end, double drop, Long dropStep, int examples,
                       BinomialNull.Test test) {}

    /**
     * @param examples       examples behind each accuracy (per seed, in seed order)
     * @param drop           the drop across seeds (interval only with ≥ 3 seeds)
     * @param test           the mean drop against the constant-accuracy null
     * @param transientSeeds seeds whose own drop exceeds the threshold and their own null quantile
     * @param verdict        "transient", "transient_in_some" or "not_transient"
     */
    public record Result(String evalSet, double threshold, List<Seed> seeds, SeedInterval drop, SeedInterval peakStepLog10,
                         BinomialNull.Test test, int transientSeeds, String verdict) {}

    /**
     * One ability measured on several curves (seeds, or every run of an experiment).
     *
     * @param evalSet  the ability (evaluation set) measured
     * @param curves   its accuracy curves
     * @param examples examples behind each accuracy of curve k, {@code examples[k]}
     */
    public record Input(String evalSet, List<Curve> curves, int[] examples) {
        public Input {
            curves = List.copyOf(curves);
            examples = examples.clone();
        }

        /** Curves measured on {@code examples} examples each. */
        public Input(String evalSet, List<Curve> curves, int examples) {
            this(evalSet, curves, filled(curves.size(), examples));
        }

        private static int[] filled(int n, int value) {
            int[] v = new int[n];
            java.util.Arrays.fill(v, value);
            return v;
        }
    }

    public static Result analyze(Input input, Options options) {
        String evalSet = input.evalSet();
        List<Curve> curves = input.curves();
        int[] examples = input.examples();
        if (curves.isEmpty()) {
            throw new InputException(evalSet + ": no curves to test for transience");
        }
        if (examples.length != curves.size()) {
            throw new InputException(evalSet + ": " + curves.size() + " curves but " + examples.length + " example counts");
        }
        int k = curves.size();
        BinomialNull.Sampler[] null0 = new BinomialNull.Sampler[k];
        double[] drops = new double[k];
        double[] peakSteps = new double[k];
        List<Seed> seeds = new ArrayList<>();
        int count = 0;
        // With several seeds, the mean's test and the seeds' tests share α (half each; Bonferroni over seeds), so that
        // "transient" or "transient_in_some" together fire in at most α of cells where nothing is transient.
        BinomialNull.Options perSeed = k == 1 ? options.test() : options.test().withAlpha(options.test().alpha() / (2.0 * k));
        BinomialNull.Options cell = k == 1 ? options.test() : options.test().withAlpha(options.test().alpha() / 2);
        for (int i = 0; i < k; i++) {
            Curve c = curves.get(i);
            null0[i] = new BinomialNull.Sampler(examples[i], mean(c.values()));
            Seed s = seed(c, options);
            BinomialNull.Sampler one = null0[i];
            int points = c.size();
            BinomialNull.Test t = BinomialNull.test(s.drop(), rng -> drop(one.curve(points, rng), options.tail()), perSeed,
                    model(examples[i], points));
            s = new Seed(s.run(), s.peak(), s.peakStep(), s.end(), s.drop(), s.dropStep(), examples[i], t);
            seeds.add(s);
            drops[i] = s.drop();
            peakSteps[i] = Math.log10(s.peakStep());
            if (s.drop() > options.threshold() && t.significant()) {
                count++;
            }
        }
        SeedInterval drop = SeedInterval.of(drops);
        // One seed: the mean drop is that seed's drop, and α / 1 = α, so its own test is the test.
        BinomialNull.Test test = k == 1 ? seeds.get(0).test() : BinomialNull.test(drop.mean(), rng -> {
            double sum = 0;
            for (int i = 0; i < k; i++) {
                sum += drop(null0[i].curve(curves.get(i).size(), rng), options.tail());
            }
            return sum / k;
        }, cell, model(examples[0], curves.get(0).size()) + (k > 1 ? ", each seed at its own mean, mean over " + k + " seeds" : ""));
        boolean meanTransient = drop.mean() > options.threshold() && test.significant();
        String verdict = meanTransient ? "transient" : count > 0 ? "transient_in_some" : "not_transient";
        return new Result(evalSet, options.threshold(), seeds, drop, SeedInterval.of(peakSteps), test, count, verdict);
    }

    private static String model(int examples, int points) {
        return "constant accuracy (the curve's mean), Binomial(" + examples + ", p)/" + examples + " at each of " + points + " evaluations";
    }

    static Seed seed(Curve c, Options o) {
        double[] v = c.values();
        int peakAt = peakAt(v);
        double end = end(v, o.tail());
        Long dropStep = null;
        for (int i = peakAt + 1; i < v.length; i++) {
            if (v[peakAt] - v[i] > o.threshold()) {
                dropStep = c.steps()[i];
                break;
            }
        }
        return new Seed(c.run(), v[peakAt], c.steps()[peakAt], end, v[peakAt] - end, dropStep, 0, null);
    }

    /** Peak − end of a curve's values: the statistic, the same for observed and simulated curves. */
    public static double drop(double[] v, int tail) {
        return v[peakAt(v)] - end(v, tail);
    }

    private static int peakAt(double[] v) {
        int peakAt = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[peakAt]) {
                peakAt = i;
            }
        }
        return peakAt;
    }

    private static double end(double[] v, int tail) {
        int t = Math.min(tail, v.length);
        double end = 0;
        for (int i = v.length - t; i < v.length; i++) {
            end += v[i];
        }
        return end / t;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}
