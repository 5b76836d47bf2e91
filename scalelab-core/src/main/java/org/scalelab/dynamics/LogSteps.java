package org.scalelab.dynamics;

import java.util.TreeSet;

/**
 * The steps at which a run is evaluated: {@code perDecade} points per factor of 10, rounded to
 * whole steps and deduplicated, plus the last step. Emergence and transience happen on a log time
 * scale (Minegishi et al. plot accuracy against log steps), so equal spacing in log step gives
 * every phase of training the same resolution at a fixed evaluation cost.
 */
public final class LogSteps {
    private LogSteps() {}

    public static long[] of(long total, int perDecade) {
        if (total <= 0 || perDecade <= 0) {
            throw new IllegalArgumentException("total and perDecade must be positive");
        }
        TreeSet<Long> s = new TreeSet<>();
        for (int k = 0; ; k++) {
            long step = Math.round(Math.pow(10, (double) k / perDecade));
            if (step >= total) {
                break;
            }
            s.add(step);
        }
        s.add(total);
        return s.stream().mapToLong(Long::longValue).toArray();
    }
}
