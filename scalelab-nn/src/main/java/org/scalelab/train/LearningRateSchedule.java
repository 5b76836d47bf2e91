package org.scalelab.train;

import org.scalelab.InputException;

/**
 * The learning rate of every update: linear warmup from peak/warmup to the peak over the first
 * {@code warmupSteps} updates, then either constant or a half-cosine decay to
 * {@code minRatio · peak} at {@code totalSteps} (Loshchilov &amp; Hutter 2017, SGDR, eq. 5 with a
 * single cycle; the warmup follows Goyal et al. 2017, §2.2). Steps are 0-based: update s uses
 * {@link #at(long) at(s)}.
 *
 * <pre>
 *   s &lt; W:             lr = peak · (s + 1) / W
 *   constant, s ≥ W:   lr = peak
 *   cosine,   s ≥ W:   lr = peak · (r + (1 − r) · ½ (1 + cos(π · min(1, (s − W) / max(1, T − W)))))
 * </pre>
 *
 * @param kind        constant or cosine after the warmup
 * @param peak        the learning rate reached at the end of the warmup
 * @param warmupSteps W, 0 for none
 * @param totalSteps  T, where the cosine reaches its floor (constant: stored as 0)
 * @param minRatio    r, the cosine's floor as a fraction of the peak (0 decays to zero; constant: stored as 0)
 */
public record LearningRateSchedule(Kind kind, double peak, int warmupSteps, long totalSteps, double minRatio) {
    public enum Kind { CONSTANT, COSINE }

    public LearningRateSchedule {
        if (kind == null) {
            throw new InputException("learning-rate schedule: kind is required (constant or cosine)");
        }
        if (!(peak > 0) || !Double.isFinite(peak)) {
            throw new InputException("learning rate must be a positive number, got " + peak);
        }
        if (warmupSteps < 0) {
            throw new InputException("warmup steps must be ≥ 0, got " + warmupSteps);
        }
        if (!(minRatio >= 0 && minRatio <= 1)) {
            throw new InputException("minimum learning-rate ratio must be in [0, 1], got " + minRatio);
        }
        if (kind == Kind.CONSTANT) {
            // A constant schedule has no length nor floor: one canonical form, so a run can be extended.
            totalSteps = 0;
            minRatio = 0;
        }
    }

    public static LearningRateSchedule constant(double peak, int warmupSteps) {
        return new LearningRateSchedule(Kind.CONSTANT, peak, warmupSteps, 0, 0);
    }

    public static LearningRateSchedule cosine(double peak, int warmupSteps, long totalSteps, double minRatio) {
        return new LearningRateSchedule(Kind.COSINE, peak, warmupSteps, totalSteps, minRatio);
    }

    /** The learning rate of update {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (kind == Kind.CONSTANT) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
        return peak * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
