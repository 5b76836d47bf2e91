package org.scalelab.laws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.stats.Bootstrap;
import org.scalelab.stats.Quantiles;

/**
 * Coverage vs number of samples, fitted with the exponentiated power law of Brown et al. 2024
 * ("Large Language Monkeys", arXiv 2407.21787, §4): coverage(k) = exp(−a·k^(−b)), i.e.
 * −ln coverage(k) = a·k^(−b), a &gt; 0 and b &gt; 0 for coverage rising towards 1.
 *
 * <p><b>Fit.</b> Ordinary least squares of z = ln(−ln coverage) on x = ln k: z = ln a − b·x. We fit in
 * this space because the model is exactly linear there: the fit is closed form (no starting values,
 * no local minima, no convergence to check), recovers a and b exactly from noise-free data, and the
 * residuals are relative errors of −ln coverage, the quantity the law describes, so the few points
 * with small coverage at small k are not swamped by the many near-1 points at large k (as they would
 * be by least squares on coverage itself). The price: the transform amplifies noise where coverage is
 * close to 1, and points with coverage exactly 0 or 1 have no finite transform — they are kept in
 * the result but marked unused. The bootstrap over problems carries the resulting uncertainty.
 *
 * <p><b>Extrapolation.</b> The k needed for a target coverage T solves a·k^(−b) = −ln T:
 * k = (a / −ln T)^(1/b).
 */
public final class CoverageCurve {
    private CoverageCurve() {}

    /**
     * @param target     coverage for which to extrapolate the needed k (0 &lt; target &lt; 1)
     * @param bootstrap  replicates over problems (only with per-problem data; 0 disables)
     * @param level      confidence level of the percentile intervals
     * @param seed       bootstrap seed
     * @param ks         the k values at which per-problem data is evaluated (null → {@link PassAtK#defaultKs}
     *                   of the smallest n); given points carry their own k
     */
    public record Options(double target, int bootstrap, double level, long seed, int[] ks) {
        public static Options defaults() {
            return new Options(0.9, 1000, 0.95, 0);
        }

        /** Options with the default ks. */
        public Options(double target, int bootstrap, double level, long seed) {
            this(target, bootstrap, level, seed, null);
        }

        public Options withKs(int[] v) {
            return new Options(target, bootstrap, level, seed, v);
        }

        public Options {
            if (!(target > 0 && target < 1)) {
                throw new InputException("coverage target " + target + " must be strictly between 0 and 1");
            }
            if (bootstrap < 0) {
                throw new InputException("bootstrap replicates " + bootstrap + " must be ≥ 0");
            }
            if (!(level > 0 && level < 1)) {
                throw new InputException("confidence level " + level + " must be strictly between 0 and 1");
            }
        }
    }

    /** One observed point; {@code used} is false when coverage is 0 or 1 (no finite ln(−ln c)). */
    public record Observed(double k, double coverage, boolean used) {}

    /**
     * @param a, b               fitted law −ln coverage = a·k^(−b) (null when degenerate: nothing to fit)
     * @param aCi, bCi, kNeededCi bootstrap percentile intervals (null without per-problem data)
     * @param kNeeded            k for the target coverage (null when b ≤ 0 or the fit is degenerate)
     * @param rSquared           R² of the linear fit in (ln k, ln(−ln c)) space
     * @param bootstrapFailures  replicates whose fit was degenerate (left out of the intervals)
     * @param method             how a, b were estimated (always "ols_log_neglog")
     */
    public record Result(Double a, Double b, double[] aCi, double[] bCi, double target, Double kNeeded,
            double[] kNeededCi, Double rSquared, List<Observed> points, int pointsUsed, FitStatus status,
            String message, int bootstrapReplicates, int bootstrapFailures, double level, String method,
            Provenance provenance) {

        /** Fitted coverage at k: exp(−a·k^(−b)). */
        public double coverageAt(double k) {
            if (a == null) {
                return Double.NaN;
            }
            return Math.exp(-a * Math.pow(k, -b));
        }
    }

    /**
     * The input when coverage is already measured: coverage at each k, and where the points came from
     * (recorded in the provenance).
     */
    public record Points(double[] k, double[] coverage, List<Provenance.Input> inputs) {}

    /** Fits given (k, coverage) points; no confidence intervals (there are no problems to resample). */
    public static Result analyze(Points input, Options options) {
        double[] k = input.k();
        double[] coverage = input.coverage();
        validate(k, coverage);
        Line line = line(k, coverage);
        return result(k, coverage, line, null, null, null, 0, 0, options, input.inputs(), "testtime.coverage");
    }

    /**
     * Fits mean pass@k over problems (the unbiased estimate of coverage at k) at the options' ks, with
     * bootstrap percentile intervals from resampling problems with replacement.
     */
    public static Result analyze(PassAtK.Input input, Options options) {
        List<PassAtK.Problem> problems = input.problems();
        List<Provenance.Input> inputs = input.inputs();
        PassAtK.Result pass = PassAtK.analyze(input, new PassAtK.Options(options.ks()));
        double[] k = pass.ks().stream().mapToDouble(Integer::doubleValue).toArray();
        double[] cov = pass.curve().stream().mapToDouble(PassAtK.Point::passAtK).toArray();
        Line line = line(k, cov);
        int reps = options.bootstrap();
        if (reps == 0 || problems.size() < 2) {
            return result(k, cov, line, null, null, null, 0, 0, options, inputs, "testtime.coverage");
        }
        // Per-problem pass@k is computed once; a replicate only re-averages rows.
        double[][] perProblem = pass.perProblem().stream().map(PassAtK.ProblemPassAtK::passAtK).toArray(double[][]::new);
        double[] as = new double[reps];
        double[] bs = new double[reps];
        double[] kn = new double[reps];
        int failures = 0;
        for (int r = 0; r < reps; r++) {
            int[] idx = Bootstrap.resample(problems.size(), options.seed(), r);
            Line l = line(k, meanOver(perProblem, idx));
            if (l == null || !(l.b > 0)) {
                failures++;
                as[r] = bs[r] = kn[r] = Double.NaN;
                continue;
            }
            as[r] = l.a;
            bs[r] = l.b;
            kn[r] = kNeeded(l.a, l.b, options.target());
        }
        return result(k, cov, line, interval(as, options.level()), interval(bs, options.level()),
                interval(kn, options.level()), reps, failures, options, inputs, "testtime.coverage");
    }

    private static double[] meanOver(double[][] perProblem, int[] idx) {
        double[] mean = new double[perProblem[0].length];
        for (int i : idx) {
            for (int j = 0; j < mean.length; j++) {
                mean[j] += perProblem[i][j];
            }
        }
        for (int j = 0; j < mean.length; j++) {
            mean[j] /= idx.length;
        }
        return mean;
    }

    /** Percentile interval, or null when no replicate was finite (so JSON shows null, not "NaN"). */
    private static double[] interval(double[] samples, double level) {
        double[] ci = Quantiles.percentileInterval(samples, level);
        return Double.isFinite(ci[0]) ? ci : null;
    }

    /** k = (a / −ln T)^(1/b); +∞ guards are the caller's (b must be &gt; 0). */
    public static double kNeeded(double a, double b, double target) {
        return Math.pow(a / -Math.log(target), 1.0 / b);
    }

    /** The least-squares line in (ln k, ln(−ln c)); null when fewer than two distinct usable k. */
    private record Line(double a, double b, double rSquared, int used) {}

    private static Line line(double[] k, double[] cov) {
        double sx = 0, sz = 0;
        int m = 0;
        for (int i = 0; i < k.length; i++) {
            if (usable(cov[i])) {
                sx += Math.log(k[i]);
                sz += Math.log(-Math.log(cov[i]));
                m++;
            }
        }
        if (m < 2) {
            return null;
        }
        double mx = sx / m, mz = sz / m, sxx = 0, sxz = 0, szz = 0;
        for (int i = 0; i < k.length; i++) {
            if (usable(cov[i])) {
                double dx = Math.log(k[i]) - mx;
                double dz = Math.log(-Math.log(cov[i])) - mz;
                sxx += dx * dx;
                sxz += dx * dz;
                szz += dz * dz;
            }
        }
        if (sxx == 0) {
            return null;
        }
        double slope = sxz / sxx;
        double r2 = szz == 0 ? 1.0 : slope * sxz / szz;
        return new Line(Math.exp(mz - slope * mx), -slope, r2, m);
    }

    private static boolean usable(double c) {
        return c > 0 && c < 1;
    }

    private static void validate(double[] k, double[] cov) {
        if (k.length != cov.length) {
            throw new IllegalArgumentException("k and coverage differ in length");
        }
        if (k.length == 0) {
            throw new InputException("coverage fit: no points given");
        }
        for (int i = 0; i < k.length; i++) {
            if (!(k[i] >= 1) || !Double.isFinite(k[i])) {
                throw new InputException("coverage fit: point " + (i + 1) + ": k = " + k[i] + " must be a finite number ≥ 1");
            }
            if (!(cov[i] >= 0 && cov[i] <= 1)) {
                throw new InputException("coverage fit: point " + (i + 1) + ": coverage = " + cov[i] + " must be in [0, 1]");
            }
        }
    }

    private static Result result(double[] k, double[] cov, Line line, double[] aCi, double[] bCi, double[] kCi, int reps,
            int failures, Options o, List<Provenance.Input> inputs, String analysis) {
        List<Observed> pts = new ArrayList<>();
        for (int i = 0; i < k.length; i++) {
            pts.add(new Observed(k[i], cov[i], usable(cov[i])));
        }
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("target", o.target());
        options.put("bootstrap", o.bootstrap());
        options.put("level", o.level());
        Provenance prov = Provenance.of(analysis, inputs, options, reps > 0 ? o.seed() : null);
        String method = "ols_log_neglog";
        if (line == null) {
            long zeros = Arrays.stream(cov).filter(c -> c == 0).count();
            long ones = Arrays.stream(cov).filter(c -> c == 1).count();
            String why = "fewer than two points with 0 < coverage < 1 at distinct k (" + zeros + " at 0, " + ones
                    + " at 1 of " + k.length + "): coverage is flat, so no curve can be fitted";
            return new Result(null, null, null, null, o.target(), null, null, null, pts, 0,
                    FitStatus.DEGENERATE, why, reps, failures, o.level(), method, prov);
        }
        if (!(line.b > 0)) {
            String why = "fitted b = " + line.b + " ≤ 0: coverage does not rise with k, so no k reaches the target";
            return new Result(line.a, line.b, aCi, bCi, o.target(), null, null, line.rSquared, pts, line.used,
                    FitStatus.DEGENERATE, why, reps, failures, o.level(), method, prov);
        }
        double kn = kNeeded(line.a, line.b, o.target());
        if (line.used < 3) {
            // Two points fix a line exactly: a and b are determined, but nothing tests that the law holds.
            String why = "only " + line.used + " points with 0 < coverage < 1 for the law's 2 parameters: the line through them "
                    + "fits exactly, so the law is not tested; give at least 3";
            return new Result(line.a, line.b, aCi, bCi, o.target(), Double.isFinite(kn) ? kn : null, kCi, line.rSquared, pts,
                    line.used, FitStatus.DEGENERATE, why, reps, failures, o.level(), method, prov);
        }
        String msg = "least squares on ln(-ln coverage) vs ln k over " + line.used + " points"
                + (line.used < k.length ? " (" + (k.length - line.used) + " with coverage 0 or 1 left out)" : "");
        return new Result(line.a, line.b, aCi, bCi, o.target(), Double.isFinite(kn) ? kn : null, kCi, line.rSquared, pts,
                line.used, FitStatus.CONVERGED, msg, reps, failures, o.level(), method, prov);
    }
}
