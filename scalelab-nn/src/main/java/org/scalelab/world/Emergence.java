package org.scalelab.world;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.InputException;

/**
 * When does an ability appear? The emergence step of one run is the first step at which accuracy
 * reaches a threshold, interpolated linearly in log10(step) between the last logged point below it
 * and the first at or above it (steps are logged on a log scale, so this is the natural
 * resolution). Across seeds: the geometric mean step with a 95 % t-interval on log10(step).
 * {@link #order} compares two abilities seed by seed, e.g. "analogy emerges after composition"
 * (Minegishi et al., arXiv 2602.01992).
 */
public final class Emergence {
    private Emergence() {}

    /** @param threshold accuracy that counts as "the ability is there" (default 0.5) */
    public record Options(double threshold) {
        public Options {
            if (!(threshold > 0 && threshold <= 1)) {
                throw new InputException("emergence threshold " + threshold + " must be in (0, 1]");
            }
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
     * @param stepCi95      its 95 % interval in steps (null with fewer than 2 emerged seeds)
     * @param verdict       "emerged" (every seed), "emerged_in_some" or "not_emerged"
     */
    public record Result(String evalSet, double threshold, int seeds, List<Double> stepPerSeed, int emerged, Double step,
                         List<Double> stepCi95, String verdict) {}

    /**
     * @param later        the ability expected later (e.g. analogical_ood)
     * @param earlier      the one expected earlier (e.g. compositional_near_ood)
     * @param log10Delta   per seed log10(step_later / step_earlier), over seeds where both emerged
     * @param verdict      "after" when the interval of the mean delta lies above 0 (with one seed: the
     *                     delta is positive), "before" when it lies below, else "undetermined"
     */
    public record Order(String later, String earlier, SeedInterval log10Delta, String verdict) {}

    public static Result detect(String evalSet, List<Curve> seeds, Options options) {
        List<Double> perSeed = new ArrayList<>();
        List<Double> logs = new ArrayList<>();
        for (Curve c : seeds) {
            Double s = step(c, options.threshold());
            perSeed.add(s);
            if (s != null) {
                logs.add(Math.log10(s));
            }
        }
        Double mean = null;
        List<Double> ci = null;
        if (!logs.isEmpty()) {
            SeedInterval iv = SeedInterval.of(logs.stream().mapToDouble(Double::doubleValue).toArray());
            mean = Math.pow(10, iv.mean());
            ci = iv.ci95() == null ? null : List.of(Math.pow(10, iv.ci95().get(0)), Math.pow(10, iv.ci95().get(1)));
        }
        String verdict = logs.isEmpty() ? "not_emerged" : logs.size() == seeds.size() ? "emerged" : "emerged_in_some";
        return new Result(evalSet, options.threshold(), seeds.size(), perSeed, logs.size(), mean, ci, verdict);
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

    /** Compares two abilities measured on the same seeds (curves in the same seed order). */
    public static Order order(String later, List<Curve> laterCurves, String earlier, List<Curve> earlierCurves, Options options) {
        if (laterCurves.size() != earlierCurves.size()) {
            throw new InputException(later + " has " + laterCurves.size() + " seeds but " + earlier + " has " + earlierCurves.size());
        }
        List<Double> deltas = new ArrayList<>();
        for (int i = 0; i < laterCurves.size(); i++) {
            Double a = step(laterCurves.get(i), options.threshold());
            Double b = step(earlierCurves.get(i), options.threshold());
            if (a != null && b != null) {
                deltas.add(Math.log10(a) - Math.log10(b));
            }
        }
        SeedInterval d = SeedInterval.of(deltas.stream().mapToDouble(Double::doubleValue).toArray());
        String verdict = deltas.isEmpty() ? "undetermined" : d.above(0) ? "after" : below(d) ? "before" : "undetermined";
        return new Order(later, earlier, d, verdict);
    }

    private static boolean below(SeedInterval d) {
        return d.ci95() == null ? d.n() == 1 && d.mean() < 0 : d.ci95().get(1) < 0;
    }
}
