package org.scalelab.laws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hipparchus.special.Gamma;
import org.scalelab.InputException;
import org.scalelab.Provenance;

/**
 * Compounding reliability of multi-step tasks: a task of n steps succeeds only if every step does.
 *
 * <p><b>Independent steps.</b> With per-step accuracy p, success = p^n; a target success s needs
 * p = s^(1/n). We report p also as "nines", −log10(1 − p) (0.999 → 3 nines). 1 − p is computed as
 * −expm1(ln s / n) so that 1 − p keeps its relative precision when p is within 1e-12 of 1.
 *
 * <p><b>Correlated steps (shared difficulty).</b> Steps of one task are rarely independent: a hard task
 * makes every step harder. Model: each task draws its own per-step accuracy q ~ Beta(a, b) with mean p
 * and intra-task correlation ρ between any two step outcomes (the beta-binomial model; the correlation
 * of two Bernoulli(q) outcomes sharing q is Var(q)/(p(1−p)) = 1/(a+b+1)). Solving mean p and
 * 1/(a+b+1) = ρ gives a = p(1−ρ)/ρ, b = (1−p)(1−ρ)/ρ, and
 * success = E[q^n] = B(a+n, b)/B(a, b) = Π_{i=0}^{n−1} (a+i)/(a+b+i)
 * (the n-th raw moment of the beta distribution). ρ → 0 recovers p^n; ρ → 1 gives p (a task is then
 * entirely solvable or not). By Jensen p^n ≤ success ≤ p: correlation always helps the all-steps task.
 */
public final class Reliability {
    private Reliability() {}

    /** Up to this many steps the product is summed term by term; beyond it lgamma is used (see {@link #logSuccess}). */
    static final long LOOP_LIMIT = 2_000_000;

    /** One cell of the table: per-step accuracy p over {@code steps} steps gives {@code success} (nines null for p = 1). */
    public record Row(double p, Double nines, long steps, double rho, double success) {}

    /** Task success for every (p, steps) pair, p-major. */
    public record Table(double rho, List<Row> rows, Provenance provenance) {}

    /** The per-step accuracy needed for {@code target} task success over {@code steps} steps. */
    public record Requirement(double target, long steps, double rho, double p, double failureRate, double nines) {}

    public record Requirements(double rho, List<Requirement> rows, Provenance provenance) {}

    /** Independent steps: p^n. */
    public static double success(double p, long steps) {
        return success(p, steps, 0.0);
    }

    /** Success of a {@code steps}-step task with mean per-step accuracy p and intra-task correlation ρ. */
    public static double success(double p, long steps, double rho) {
        checkP(p);
        checkSteps(steps);
        checkRho(rho);
        return Math.exp(logSuccess(p, 1.0 - p, steps, rho));
    }

    /**
     * ln success, with the failure rate u = 1 − p passed separately so the inverse can work near p = 1
     * without losing u's precision. For ρ &gt; 0 the sum Σ ln(1 − b/(t+i)), t = a+b = (1−ρ)/ρ, is exact to
     * rounding; above {@link #LOOP_LIMIT} steps we use lnΓ(a+n) − lnΓ(a) − lnΓ(t+n) + lnΓ(t), whose
     * absolute error grows like 1e-16·(t+n)·ln(t+n) (cancellation between large lnΓ values).
     */
    static double logSuccess(double p, double u, long steps, double rho) {
        if (steps == 0 || u == 0) {
            return 0.0;
        }
        if (p == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (rho == 0) {
            return steps * Math.log1p(-u);
        }
        if (rho == 1) {
            return Math.log(p);
        }
        double t = (1 - rho) / rho;
        double a = p * t;
        double b = u * t;
        if (steps <= LOOP_LIMIT) {
            double s = 0;
            for (long i = 0; i < steps; i++) {
                s += Math.log1p(-b / (t + i));
            }
            return s;
        }
        return Gamma.logGamma(a + steps) - Gamma.logGamma(a) - Gamma.logGamma(t + steps) + Gamma.logGamma(t);
    }

    /** Independent steps: the per-step accuracy needed for target success, s^(1/n). */
    public static double requiredAccuracy(double target, long steps) {
        return requiredAccuracy(target, steps, 0.0);
    }

    /** The mean per-step accuracy p with success(p, steps, ρ) = target (bisection for ρ &gt; 0). */
    public static double requiredAccuracy(double target, long steps, double rho) {
        return 1.0 - requiredFailureRate(target, steps, rho);
    }

    /**
     * 1 − p for the target. Independent: −expm1(ln s / n). Correlated: bisection on ln(1 − p) inside
     * Jensen's bracket [1 − s^(1/n), 1 − s] (success is strictly decreasing in 1 − p), to a relative
     * width of 1e-13 of 1 − p; bisecting on the log keeps relative precision for many nines.
     */
    public static double requiredFailureRate(double target, long steps, double rho) {
        if (!(target > 0 && target < 1)) {
            throw new InputException("target success " + target + " must be strictly between 0 and 1");
        }
        checkSteps(steps);
        checkRho(rho);
        if (steps == 0) {
            throw new InputException("steps = 0: a task with no steps always succeeds; give steps ≥ 1");
        }
        double independent = -Math.expm1(Math.log(target) / steps);
        if (rho == 0 || steps == 1) {
            return independent;
        }
        if (rho == 1) {
            return 1 - target;
        }
        double logTarget = Math.log(target);
        double lo = Math.log(independent); // success ≥ target here
        double hi = Math.log1p(-target); //   success ≤ target here
        for (int it = 0; it < 200 && hi - lo > 1e-13; it++) {
            double mid = 0.5 * (lo + hi);
            double u = Math.exp(mid);
            if (logSuccess(1 - u, u, steps, rho) >= logTarget) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.exp(0.5 * (lo + hi));
    }

    /** Nines of a per-step accuracy: −log10(1 − p) (0.999 → 3; p = 0 → 0, not the −0 of negating log10(1)). */
    public static double nines(double p) {
        checkP(p);
        return 0.0 - Math.log10(1 - p);
    }

    /** The input of a success table: per-step accuracies p and task lengths in steps. */
    public record Grid(double[] p, long[] steps) {}

    /** The input of a requirements table: target task success rates and task lengths in steps. */
    public record Targets(double[] target, long[] steps) {}

    /**
     * @param rho intra-task correlation of step outcomes in [0, 1] (0 = independent steps)
     */
    public record Options(double rho) {
        public static Options defaults() {
            return new Options(0.0);
        }
    }

    /** success(p, n, ρ) for every p × steps pair. */
    public static Table analyze(Grid input, Options options) {
        double[] ps = input.p();
        long[] steps = input.steps();
        double rho = options.rho();
        checkRho(rho);
        List<Row> rows = new ArrayList<>();
        for (double p : ps) {
            for (long n : steps) {
                double nines = nines(p);
                rows.add(new Row(p, Double.isFinite(nines) ? nines : null, n, rho, success(p, n, rho)));
            }
        }
        Map<String, Object> recorded = new LinkedHashMap<>();
        recorded.put("p", Arrays.stream(ps).boxed().toList());
        recorded.put("steps", Arrays.stream(steps).boxed().toList());
        recorded.put("rho", rho);
        return new Table(rho, rows, Provenance.of("reliability.table", List.of(), recorded, null));
    }

    /** The needed p (and its nines) for every target × steps pair. */
    public static Requirements analyze(Targets input, Options options) {
        double[] targets = input.target();
        long[] steps = input.steps();
        double rho = options.rho();
        List<Requirement> rows = new ArrayList<>();
        for (double s : targets) {
            for (long n : steps) {
                double u = requiredFailureRate(s, n, rho);
                rows.add(new Requirement(s, n, rho, 1 - u, u, -Math.log10(u)));
            }
        }
        Map<String, Object> recorded = new LinkedHashMap<>();
        recorded.put("target", Arrays.stream(targets).boxed().toList());
        recorded.put("steps", Arrays.stream(steps).boxed().toList());
        recorded.put("rho", rho);
        return new Requirements(rho, rows, Provenance.of("reliability.requirement", List.of(), recorded, null));
    }

    private static void checkP(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new InputException("per-step accuracy p = " + p + " must be in [0, 1]");
        }
    }

    private static void checkSteps(long steps) {
        if (steps < 0) {
            throw new InputException("steps = " + steps + " must be ≥ 0");
        }
    }

    private static void checkRho(double rho) {
        if (!(rho >= 0 && rho <= 1)) {
            throw new InputException("intra-task correlation rho = " + rho + " must be in [0, 1]");
        }
    }
}
