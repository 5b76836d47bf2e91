package org.scalelab.dynamics;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.InputException;

/**
 * When does an ability appear? The emergence step of one run is the first step at which accuracy
 * reaches a threshold, interpolated linearly in log10(step) between the last logged point below it
 * and the first at or above it (steps are logged on a log scale, so this is the natural
 * resolution). Across seeds: the geometric mean step, with a 95 % t-interval on log10(step) from
 * 3 seeds on. {@link #order} compares two abilities seed by seed, e.g. "analogy emerges after
 * composition" (Minegishi et al., arXiv 2602.01992).
 *
 * <p>Reaching the threshold once is not enough: on 8 examples a constant 50 % ability "reaches"
 * 0.5 at the first evaluation, and a constant 6 % one now and then by luck. The rise of a curve is
 * the largest gain of the mean accuracy after a step over the mean before it (a change-point
 * statistic, maximised over the split), and the mean rise across seeds is tested against
 * {@link BinomialNull}: every seed's curve constant at its own mean, on the same examples and
 * evaluation steps, the maximisation over splits included. An ability present from the start has
 * not emerged, so a seed counts only if its mean before that split is below the threshold. Verdict:
 * "emerged" when every seed reaches the threshold, starts below it, and the mean rise is beyond the
 * null; "emerged_in_some" when some seed does so by its own rise; else "not_emerged". With one seed
 * both are one test at α; with k seeds the cell's test is at α/2 and each seed's at α/(2k)
 * (Bonferroni), so together they fire in at most α of cells where nothing emerges.
 */
public final class Emergence {
    private Emergence() {}

    /**
     * @param threshold accuracy that counts as "the ability is there" (default 0.5)
     * @param test      level and replicates of the null test
     */
    public record Options(double threshold, BinomialNull.Options test) {
        public Options {
            if (!(threshold > 0 && threshold <= 1)) {
                throw new InputException("emergence threshold " + threshold + " must be in (0, 1]");
            }
        }

        public Options(double threshold) {
            this(threshold, BinomialNull.Options.defaults());
        }

        public static Options defaults() {
            return new Options(0.5);
        }
    }

    /**
     * @param evalSet       the ability (evaluation set) measured
     * @param stepPerSeed   each seed's emergence step, null where it never reached the threshold
     * @param emerged       seeds that reached it
     * @param step          geometric mean step of those seeds (null if none)
     * @param stepCi95      its 95 % interval in steps (null with fewer than 3 emerged seeds)
     * @param rise          each seed's rise (largest gain of the mean after a step over the mean before it)
     * @param test          the mean rise against the constant-accuracy null
     * @param seedTests     each seed's rise against its own null (at α/(2·seeds) with several seeds)
     * @param verdict       "emerged", "emerged_in_some" or "not_emerged"
     */
    public record Result(String evalSet, double threshold, int seeds, List<Double> stepPerSeed, int emerged, Double step,
                         List<Double> stepCi95, SeedInterval rise, BinomialNull.Test test, List<BinomialNull.Test> seedTests,
                         String verdict) {}

    /**
     * @param later        the ability expected later (e.g. analogical_ood)
     * @param earlier      the one expected earlier (e.g. compositional_near_ood)
     * @param log10Delta   per seed log10(step_later / step_earlier), over seeds where both emerged beyond their null (α)
     * @param verdict      "after" when the 95 % interval of the mean delta lies above 0, "before" when it lies below,
     *                     else "undetermined" (always with fewer than 3 such seeds)
     */
    public record Order(String later, String earlier, SeedInterval log10Delta, String verdict) {}

    /**
     * One ability measured on several seeds.
     *
     * @param evalSet  the ability (evaluation set) measured
     * @param seeds    its accuracy curve on each seed, in seed order
     * @param examples examples behind each accuracy
     */
    public record Input(String evalSet, List<Curve> seeds, int examples) {
        public Input {
            seeds = List.copyOf(seeds);
        }
    }

    public static Result analyze(Input input, Options options) {
        String evalSet = input.evalSet();
        List<Curve> seeds = input.seeds();
        int examples = input.examples();
        if (seeds.isEmpty()) {
            throw new InputException(evalSet + ": no curves to test for emergence");
        }
        int k = seeds.size();
        List<Double> perSeed = new ArrayList<>();
        List<Double> logs = new ArrayList<>();
        double[] rises = new double[k];
        BinomialNull.Sampler[] null0 = new BinomialNull.Sampler[k];
        List<BinomialNull.Test> seedTests = new ArrayList<>();
        boolean someSeed = false;
        // With several seeds, the cell's test and the seeds' tests share α (half each; Bonferroni over seeds), so that
        // "emerged" or "emerged_in_some" together fire in at most α of cells where nothing emerges.
        BinomialNull.Options cellOptions = k == 1 ? options.test() : options.test().withAlpha(options.test().alpha() / 2);
        BinomialNull.Options perSeedOptions = k == 1 ? options.test() : options.test().withAlpha(options.test().alpha() / (2.0 * k));
        boolean allStartBelow = true;
        for (int i = 0; i < k; i++) {
            Curve c = seeds.get(i);
            Double s = step(c, options.threshold());
            perSeed.add(s);
            if (s != null) {
                logs.add(Math.log10(s));
            }
            rises[i] = rise(c.values());
            null0[i] = new BinomialNull.Sampler(examples, Transience.mean(c.values()));
            BinomialNull.Test t = seedTest(c, examples, perSeedOptions);
            seedTests.add(t);
            boolean startsBelow = before(c.values()) < options.threshold();
            allStartBelow &= startsBelow;
            someSeed |= s != null && startsBelow && t.significant();
        }
        Double mean = null;
        List<Double> ci = null;
        if (!logs.isEmpty()) {
            SeedInterval iv = SeedInterval.of(logs.stream().mapToDouble(Double::doubleValue).toArray());
            mean = Math.pow(10, iv.mean());
            ci = iv.ci95() == null ? null : List.of(Math.pow(10, iv.ci95().get(0)), Math.pow(10, iv.ci95().get(1)));
        }
        SeedInterval rise = SeedInterval.of(rises);
        // One seed: the mean rise is that seed's rise, and α / 1 = α, so its own test is the test.
        BinomialNull.Test test = k == 1 ? seedTests.get(0) : BinomialNull.test(rise.mean(), rng -> {
            double sum = 0;
            for (int i = 0; i < k; i++) {
                sum += rise(null0[i].curve(seeds.get(i).size(), rng));
            }
            return sum / k;
        }, cellOptions, model(examples, seeds.get(0).size()) + (k > 1 ? ", each seed at its own mean, mean over " + k + " seeds" : ""));
        String verdict = logs.size() == k && allStartBelow && test.significant() ? "emerged" : someSeed ? "emerged_in_some" : "not_emerged";
        return new Result(evalSet, options.threshold(), k, perSeed, logs.size(), mean, ci, rise, test, seedTests, verdict);
    }

    private static BinomialNull.Test seedTest(Curve c, int examples, BinomialNull.Options o) {
        BinomialNull.Sampler s = new BinomialNull.Sampler(examples, Transience.mean(c.values()));
        int points = c.size();
        return BinomialNull.test(rise(c.values()), rng -> rise(s.curve(points, rng)), o, model(examples, points));
    }

    private static String model(int examples, int points) {
        return "constant accuracy (the curve's mean), Binomial(" + examples + ", p)/" + examples + " at each of " + points + " evaluations";
    }

    /** max over j of mean(v[j..]) − mean(v[..j−1]): how far the curve rose at its sharpest split; 0 for one point. */
    static double rise(double[] v) {
        int j = split(v);
        return j == 0 ? 0 : Math.max(0, mean(v, j, v.length) - mean(v, 0, j));
    }

    /**
     * Mean accuracy before the sharpest split (the whole curve's mean for one point): an ability
     * emerges only if it was below the threshold there, not if it was present from the start.
     */
    static double before(double[] v) {
        int j = split(v);
        return j == 0 ? mean(v, 0, v.length) : mean(v, 0, j);
    }

    /** The j in 1 … n−1 maximising mean(v[j..]) − mean(v[..j−1]) (0 for one point). */
    private static int split(double[] v) {
        int n = v.length;
        double total = 0;
        for (double x : v) {
            total += x;
        }
        double before = 0;
        double best = Double.NEGATIVE_INFINITY;
        int at = 0;
        for (int j = 1; j < n; j++) {
            before += v[j - 1];
            double gain = (total - before) / (n - j) - before / j;
            if (gain > best) {
                best = gain;
                at = j;
            }
        }
        return at;
    }

    private static double mean(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }

    /** The step at which {@code c} first reaches {@code threshold}, or null if it never does. */
    static Double step(Curve c, double threshold) {
        long[] s = c.steps();
        double[] v = c.values();
        for (int i = 0; i < s.length; i++) {
            if (v[i] >= threshold) {
                if (i == 0 || v[i] == v[i - 1]) {
                    return (double) s[i];
                }
                double a = Math.log10(s[i - 1]);
                double b = Math.log10(s[i]);
                double frac = (threshold - v[i - 1]) / (v[i] - v[i - 1]);
                return Math.pow(10, a + frac * (b - a));
            }
        }
        return null;
    }

    /**
     * Compares two abilities measured on the same seeds (curves in the same seed order), over the seeds
     * where both reach the threshold and rise beyond their own null at α.
     */
    public static Order order(String later, List<Curve> laterCurves, int laterExamples, String earlier, List<Curve> earlierCurves,
                              int earlierExamples, Options options) {
        if (laterCurves.size() != earlierCurves.size()) {
            throw new InputException(later + " has " + laterCurves.size() + " seeds but " + earlier + " has " + earlierCurves.size());
        }
        List<Double> deltas = new ArrayList<>();
        for (int i = 0; i < laterCurves.size(); i++) {
            Double a = step(laterCurves.get(i), options.threshold());
            Double b = step(earlierCurves.get(i), options.threshold());
            if (a != null && b != null && seedTest(laterCurves.get(i), laterExamples, options.test()).significant()
                    && seedTest(earlierCurves.get(i), earlierExamples, options.test()).significant()) {
                deltas.add(Math.log10(a) - Math.log10(b));
            }
        }
        SeedInterval d = SeedInterval.of(deltas.stream().mapToDouble(Double::doubleValue).toArray());
        String verdict = d.above(0) ? "after" : d.below(0) ? "before" : "undetermined";
        return new Order(later, earlier, d, verdict);
    }
}
