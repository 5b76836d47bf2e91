package org.scalelab.world;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.InputException;

/**
 * Is an ability learned and then lost? Minegishi et al. (arXiv 2602.01992) report analogy that
 * peaks and then fades as training continues, especially with many relation types. For one run:
 * the peak is the highest logged accuracy (its first step), the end is the mean of the last
 * {@code tail} points, the drop is peak − end, and the drop step is the first step after the peak
 * where accuracy has fallen by more than the threshold. Across seeds the drop gets a 95 %
 * t-interval; the verdict is "transient" when the mean drop exceeds the threshold and its interval
 * excludes 0 (one seed: its drop exceeds the threshold).
 */
public final class Transience {
    private Transience() {}

    /**
     * @param threshold a drop larger than this (in accuracy) makes the ability transient (default 0.2)
     * @param tail      logged points averaged for the end accuracy (default 1: the last point)
     */
    public record Options(double threshold, int tail) {
        public Options {
            if (!(threshold > 0 && threshold < 1)) {
                throw new InputException("transience threshold " + threshold + " must be in (0, 1)");
            }
            if (tail < 1) {
                throw new InputException("transience tail " + tail + " must be at least 1 point");
            }
        }

        public static Options defaults() {
            return new Options(0.2, 1);
        }
    }

    /** One seed: peak accuracy and its step, end accuracy, drop, and the step it had fallen by more than the threshold (null: never). */
    public record Seed(String run, double peak, long peakStep, double end, double drop, Long dropStep) {}

    /**
     * @param transientSeeds seeds whose own drop exceeds the threshold
     * @param verdict        "transient", "transient_in_some" (some seeds, not the mean) or "not_transient"
     */
    public record Result(String evalSet, double threshold, List<Seed> seeds, SeedInterval drop, SeedInterval peakStepLog10,
                         int transientSeeds, String verdict) {}

    public static Result detect(String evalSet, List<Curve> curves, Options options) {
        if (curves.isEmpty()) {
            throw new InputException(evalSet + ": no curves to test for transience");
        }
        List<Seed> seeds = new ArrayList<>();
        double[] drops = new double[curves.size()];
        double[] peakSteps = new double[curves.size()];
        int count = 0;
        for (int k = 0; k < curves.size(); k++) {
            Seed s = seed(curves.get(k), options);
            seeds.add(s);
            drops[k] = s.drop();
            peakSteps[k] = Math.log10(s.peakStep());
            if (s.drop() > options.threshold()) {
                count++;
            }
        }
        SeedInterval drop = SeedInterval.of(drops);
        boolean meanTransient = drop.mean() > options.threshold() && drop.above(0);
        String verdict = meanTransient ? "transient" : count > 0 ? "transient_in_some" : "not_transient";
        return new Result(evalSet, options.threshold(), seeds, drop, SeedInterval.of(peakSteps), count, verdict);
    }

    static Seed seed(Curve c, Options o) {
        double[] v = c.values();
        int peakAt = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[peakAt]) {
                peakAt = i;
            }
        }
        int tail = Math.min(o.tail(), v.length);
        double end = 0;
        for (int i = v.length - tail; i < v.length; i++) {
            end += v[i];
        }
        end /= tail;
        Long dropStep = null;
        for (int i = peakAt + 1; i < v.length; i++) {
            if (v[peakAt] - v[i] > o.threshold()) {
                dropStep = c.steps()[i];
                break;
            }
        }
        return new Seed(c.run(), v[peakAt], c.steps()[peakAt], end, v[peakAt] - end, dropStep);
    }
}
