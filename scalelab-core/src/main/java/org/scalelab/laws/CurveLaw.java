package org.scalelab.laws;

import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A single-variable law y = f(x; p), as small as a definition can be: its parameter names, its value,
 * and how its parameters are estimated (starting points and bounds, usually through {@link CurveFit}'s
 * multi-start Levenberg–Marquardt). {@link CurveFitter} does everything else — input checks, status
 * and reasons, bootstrap, forecasts, backtest — the same way for every law, and reports a
 * {@link CurveFitResult}. Adding a law is one class implementing this interface (see
 * {@link ExponentialDecayFit}).
 */
public interface CurveLaw {
    /** Short name, the {@code law} of the result: "power", "sigmoid", "bnsl", … */
    String name();

    /** The formula, in the names of {@link #parameterNames()}. */
    String form();

    /** Names of the natural parameters p, in the order {@link #value} and {@link #estimate} use. */
    List<String> parameterNames();

    /** How many parameters the data must determine (fixed ones excluded): sets the minimum number of points. */
    default int freeParameters() {
        return parameterNames().size();
    }

    /**
     * True when the law is fitted on log y (y must then be > 0 and rss is on log y): losses of runs
     * that differ by orders of magnitude should count by their relative error. False: on y itself.
     */
    boolean logResiduals();

    /** y at x for natural parameters p. */
    double value(double[] p, double x);

    /**
     * Least-squares natural parameters for (x, y), or null when no start converged. {@code warm}
     * (natural parameters, may be null) is a known good start: the full-data optimum when a bootstrap
     * replicate is refitted.
     */
    double[] estimate(double[] x, double[] y, double[] warm);

    /**
     * Number of breaks of a law with breaks (a broken power law): its parameters after the first
     * {@code parameterNames().size() − 3·breaks()} come in (c, d, f) triples, one per break, and are
     * reported as breaks. 0 for a law without breaks.
     */
    default int breaks() {
        return 0;
    }

    /** True for a parameter held at a given value (e.g. a sigmoid's floor): it gets no interval. */
    default boolean fixed(int parameter) {
        return false;
    }

    /** Quantities computed from the parameters and reported beside them, with their own intervals. */
    default List<Derived> derived() {
        return List.of();
    }

    /** The law's own verdict on a converged fit: parameters at a bound, extrapolated asymptotes, … */
    default Verdict judge(double[] p, double[] x, double[] y) {
        return Verdict.CONVERGED;
    }

    /** The law's settings, recorded first among the provenance's options. */
    default Map<String, Object> options() {
        return Map.of();
    }

    /** A derived quantity, e.g. a sigmoid's 50 % point x50 = 10^m. */
    record Derived(String name, ToDoubleFunction<double[]> of) {}

    /** Status and reason of a converged fit, and warnings that do not change its status. */
    record Verdict(FitStatus status, String reason, List<String> warnings) {
        public static final Verdict CONVERGED = new Verdict(FitStatus.CONVERGED, null, List.of());

        public Verdict {
            warnings = List.copyOf(warnings);
        }

        static Verdict warnings(List<String> warnings) {
            return new Verdict(FitStatus.CONVERGED, null, warnings);
        }
    }
}
