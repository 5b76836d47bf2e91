package org.scalelab.laws;

import java.util.Arrays;
import java.util.List;
import org.scalelab.stats.Bootstrap;
import org.scalelab.stats.Quantiles;

/**
 * One fitted parameter of a law: the point estimate, its bootstrap standard error and 95 % percentile
 * interval (both null when no bootstrap was run or too few replicates succeeded). Non-finite numbers
 * are stored as null so the JSON never holds NaN.
 */
public record FittedParameter(String name, Double value, Double se, List<Double> ci95) {

    /** From a point estimate and its bootstrap replicates (may be null or empty: no bootstrap). */
    static FittedParameter of(String name, double value, double[] replicates) {
        if (replicates == null || Arrays.stream(replicates).filter(Double::isFinite).count() < 2) {
            return new FittedParameter(name, finite(value), null, null);
        }
        return new FittedParameter(name, finite(value), finite(Bootstrap.standardError(replicates)),
                interval(Quantiles.percentileInterval(replicates, 0.95)));
    }

    /** The value as a primitive (NaN when it is null). */
    public double v() {
        return value == null ? Double.NaN : value;
    }

    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** [lo, hi] as a JSON list, or null when the interval is undefined. */
    static List<Double> interval(double[] lohi) {
        if (!Double.isFinite(lohi[0]) || !Double.isFinite(lohi[1])) {
            return null;
        }
        return List.of(lohi[0], lohi[1]);
    }

    /** Finds a parameter by name in a result's list. */
    static FittedParameter named(List<FittedParameter> ps, String name) {
        return ps.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no parameter " + name));
    }
}
