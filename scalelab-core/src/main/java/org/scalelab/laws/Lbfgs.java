package org.scalelab.laws;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Unconstrained limited-memory BFGS with a strong-Wolfe line search.
 *
 * <p>Algorithm: Nocedal &amp; Wright, <i>Numerical Optimization</i>, 2nd ed. (2006): Alg. 7.5 (L-BFGS)
 * with the two-loop recursion of Alg. 7.4 and the initial scaling H₀ = γI, γ = sᵀy / yᵀy (eq. 7.20);
 * line search Alg. 3.5 (bracketing) and Alg. 3.6 (zoom) with the cubic interpolation of eq. 3.59.
 *
 * <p>Stopping rules and defaults follow scipy's {@code minimize(method='L-BFGS-B')} without bounds
 * (Byrd, Lu, Nocedal &amp; Zhu 1995; Morales &amp; Nocedal 2011), so that our fits stop where the
 * reference procedure stops: memory m = 10; converged when the relative reduction
 * (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ ftol = 2.220446049250313e-09 (factr·ε_mach) or when
 * max|g| ≤ gtol = 1e-5; at most 15,000 iterations, 15,000 evaluations and 20 evaluations per line
 * search; sufficient-decrease c₁ = 1e-3 and curvature c₂ = 0.9 (the constants of L-BFGS-B's dcsrch);
 * the very first step is scaled to unit length. As in L-BFGS-B, a failed line search first drops the
 * memory and retries along −g; only a failure from steepest descent ends the run.
 *
 * <p>Not thread-safe: an instance owns its work buffers so that repeated minimisations (thousands of
 * starts) allocate only their result. Use one instance per thread.
 */
public final class Lbfgs {

    /** A smooth function and its gradient, evaluated together in one pass. */
    @FunctionalInterface
    public interface Objective {
        /** Returns f(x) and writes ∇f(x) into {@code grad} (length = x.length). */
        double evaluate(double[] x, double[] grad);
    }

    /**
     * @param memory         number of (s, y) correction pairs kept (scipy's maxcor)
     * @param ftol           relative-reduction tolerance on f (scipy's ftol = factr·ε)
     * @param gtol           tolerance on the largest absolute gradient component (scipy's gtol/pgtol)
     * @param maxIterations  iteration cap (scipy's maxiter)
     * @param maxEvaluations cap on value+gradient evaluations (scipy's maxfun)
     * @param maxLineSearch  evaluations per line search (scipy's maxls)
     * @param c1             sufficient-decrease (Armijo) constant of the strong Wolfe conditions
     * @param c2             curvature constant of the strong Wolfe conditions
     */
    public record Options(int memory, double ftol, double gtol, int maxIterations, int maxEvaluations,
                          int maxLineSearch, double c1, double c2) {
        public Options {
            if (memory < 1 || maxIterations < 1 || maxEvaluations < 1 || maxLineSearch < 1) {
                throw new IllegalArgumentException("L-BFGS memory and limits must be ≥ 1");
            }
            if (!(ftol >= 0) || !(gtol >= 0) || !(0 < c1 && c1 < c2 && c2 < 1)) {
                throw new IllegalArgumentException("L-BFGS needs ftol, gtol ≥ 0 and 0 < c1 < c2 < 1");
            }
        }

        /** scipy L-BFGS-B defaults (scipy 1.10+: maxiter = maxfun = 15000, maxls = 20). */
        public static Options defaults() {
            return new Options(10, 2.220446049250313e-09, 1e-5, 15000, 15000, 20, 1e-3, 0.9);
        }
    }

    /** Why the run stopped. Only the two CONVERGED_* values count as converged. */
    public enum Status {
        CONVERGED_FTOL("converged_ftol"),
        CONVERGED_GTOL("converged_gtol"),
        MAX_ITERATIONS("max_iterations"),
        MAX_EVALUATIONS("max_evaluations"),
        LINE_SEARCH_FAILED("line_search_failed"),
        NON_FINITE("non_finite");

        private final String json;

        Status(String json) {
            this.json = json;
        }

        public boolean converged() {
            return this == CONVERGED_FTOL || this == CONVERGED_GTOL;
        }

        @JsonValue
        public String json() {
            return json;
        }
    }

    /** The last accepted iterate, its value, why the run stopped, and the work done. */
    public record Result(double[] x, double value, Status status, int iterations, int evaluations) {}

    private static final double STEP_MAX = 1e10;
    private static final double EPS = Math.ulp(1.0);

    private final int n;
    private final Options options;
    // current iterate and gradient; trial point of the line search; best Armijo point of the zoom
    private final double[] x;
    private final double[] g;
    private final double[] xTrial;
    private final double[] gTrial;
    private final double[] xLo;
    private final double[] gLo;
    private final double[] dir;
    // correction pairs in a ring buffer, row k = pair k: [memory][n] flattened
    private final double[] s;
    private final double[] y;
    private final double[] rho;
    private final double[] alphaTmp;
    private int pairs;
    private int head;
    private int evaluations;
    // line-search outputs
    private double fTrial;
    private double fLo;

    public Lbfgs(int dimension, Options options) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be ≥ 1");
        }
        this.n = dimension;
        this.options = options;
        this.x = new double[n];
        this.g = new double[n];
        this.xTrial = new double[n];
        this.gTrial = new double[n];
        this.xLo = new double[n];
        this.gLo = new double[n];
        this.dir = new double[n];
        this.s = new double[options.memory() * n];
        this.y = new double[options.memory() * n];
        this.rho = new double[options.memory()];
        this.alphaTmp = new double[options.memory()];
    }

    public Lbfgs(int dimension) {
        this(dimension, Options.defaults());
    }

    /** Minimises {@code f} from {@code x0} (not modified). */
    public Result minimize(Objective f, double[] x0) {
        if (x0.length != n) {
            throw new IllegalArgumentException("start has " + x0.length + " coordinates, expected " + n);
        }
        System.arraycopy(x0, 0, x, 0, n);
        pairs = 0;
        head = 0;
        evaluations = 1;
        double fx = f.evaluate(x, g);
        if (!Double.isFinite(fx) || !allFinite(g)) {
            return result(fx, Status.NON_FINITE, 0);
        }
        if (maxAbs(g) <= options.gtol()) {
            return result(fx, Status.CONVERGED_GTOL, 0);
        }
        int iteration = 0;
        while (true) {
            if (iteration >= options.maxIterations()) {
                return result(fx, Status.MAX_ITERATIONS, iteration);
            }
            direction();
            double gd = dot(g, dir);
            if (!(gd < 0)) {
                // Not a descent direction (rounding in H): drop the memory and use −g, as L-BFGS-B does.
                if (pairs > 0) {
                    pairs = 0;
                    continue;
                }
                return result(fx, Status.LINE_SEARCH_FAILED, iteration);
            }
            // First iteration: no curvature information yet, so take a step of unit length (L-BFGS-B).
            double step = iteration == 0 ? Math.min(1.0 / Math.sqrt(dot(dir, dir)), STEP_MAX) : 1.0;
            int outcome = lineSearch(f, fx, gd, step);
            if (outcome == LS_BUDGET) {
                return result(fx, Status.MAX_EVALUATIONS, iteration);
            }
            if (outcome == LS_FAILED) {
                if (pairs > 0) {
                    pairs = 0;
                    continue;
                }
                return result(fx, Status.LINE_SEARCH_FAILED, iteration);
            }
            double[] xNew = outcome == LS_TRIAL ? xTrial : xLo;
            double[] gNew = outcome == LS_TRIAL ? gTrial : gLo;
            double fNew = outcome == LS_TRIAL ? fTrial : fLo;
            iteration++;
            storePair(xNew, gNew);
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            double fOld = fx;
            fx = fNew;
            if (maxAbs(g) <= options.gtol()) {
                return result(fx, Status.CONVERGED_GTOL, iteration);
            }
            double scale = Math.max(Math.max(Math.abs(fOld), Math.abs(fx)), 1.0);
            if (fOld - fx <= options.ftol() * scale) {
                return result(fx, Status.CONVERGED_FTOL, iteration);
            }
            if (evaluations >= options.maxEvaluations()) {
                return result(fx, Status.MAX_EVALUATIONS, iteration);
            }
        }
    }

    private Result result(double fx, Status status, int iterations) {
        return new Result(x.clone(), fx, status, iterations, evaluations);
    }

    /** Two-loop recursion (N&amp;W Alg. 7.4): dir = −H_k g with H_k⁰ = γI; dir = −g when memory is empty. */
    private void direction() {
        int m = options.memory();
        for (int i = 0; i < n; i++) {
            dir[i] = g[i];
        }
        if (pairs == 0) {
            for (int i = 0; i < n; i++) {
                dir[i] = -dir[i];
            }
            return;
        }
        // newest to oldest
        for (int j = 0; j < pairs; j++) {
            int k = Math.floorMod(head - 1 - j, m);
            int o = k * n;
            double a = 0;
            for (int i = 0; i < n; i++) {
                a += s[o + i] * dir[i];
            }
            a *= rho[k];
            alphaTmp[k] = a;
            for (int i = 0; i < n; i++) {
                dir[i] -= a * y[o + i];
            }
        }
        int newest = Math.floorMod(head - 1, m) * n;
        double sy = 0;
        double yy = 0;
        for (int i = 0; i < n; i++) {
            sy += s[newest + i] * y[newest + i];
            yy += y[newest + i] * y[newest + i];
        }
        double gamma = sy / yy;
        for (int i = 0; i < n; i++) {
            dir[i] *= gamma;
        }
        // oldest to newest, as an ascending loop over the ring of pairs so that C2 compiles the method once
        // (docs/development.md, "JVM options")
        for (int age = 0; age < pairs; age++) {
            int k = Math.floorMod(head - pairs + age, m);
            int o = k * n;
            double b = 0;
            for (int i = 0; i < n; i++) {
                b += y[o + i] * dir[i];
            }
            b *= rho[k];
            double c = alphaTmp[k] - b;
            for (int i = 0; i < n; i++) {
                dir[i] += c * s[o + i];
            }
        }
        for (int i = 0; i < n; i++) {
            dir[i] = -dir[i];
        }
    }

    /** Keeps (s, y) only when sᵀy &gt; ε·yᵀy, so H stays positive definite (the L-BFGS-B safeguard). */
    private void storePair(double[] xNew, double[] gNew) {
        int o = head * n;
        double sy = 0;
        double yy = 0;
        for (int i = 0; i < n; i++) {
            double si = xNew[i] - x[i];
            double yi = gNew[i] - g[i];
            s[o + i] = si;
            y[o + i] = yi;
            sy += si * yi;
            yy += yi * yi;
        }
        if (!(sy > EPS * yy)) {
            return;
        }
        rho[head] = 1.0 / sy;
        head = (head + 1) % options.memory();
        pairs = Math.min(pairs + 1, options.memory());
    }

    private static final int LS_TRIAL = 0; // accept xTrial: strong Wolfe conditions hold
    private static final int LS_LO = 1; // accept xLo: sufficient decrease, but the bracket collapsed
    private static final int LS_FAILED = 2;
    private static final int LS_BUDGET = 3;

    /**
     * Strong-Wolfe line search along {@code dir} from {@code x}: bracketing phase (N&amp;W Alg. 3.5)
     * then zoom (Alg. 3.6). Non-finite trial values count as "too far" and shrink the step.
     */
    private int lineSearch(Objective f, double f0, double d0, double step) {
        double c1 = options.c1();
        double curvature = -options.c2() * d0;
        int budget = Math.min(options.maxLineSearch(), options.maxEvaluations() - evaluations);
        boolean budgetIsGlobal = options.maxEvaluations() - evaluations <= options.maxLineSearch();
        double aPrev = 0;
        double fPrev = f0;
        double dPrev = d0;
        double a = step;
        boolean loSet = false;
        fLo = f0;
        for (int i = 0; ; i++) {
            if (budget-- <= 0) {
                if (loSet) {
                    return LS_LO;
                }
                return budgetIsGlobal ? LS_BUDGET : LS_FAILED;
            }
            double fa = evalAt(f, a);
            double da = dot(gTrial, dir);
            if (!Double.isFinite(fa) || !Double.isFinite(da)) {
                // Overshot into overflow: shrink towards the last good step and try again.
                a = aPrev + 0.1 * (a - aPrev);
                if (a - aPrev <= EPS * Math.max(1.0, aPrev)) {
                    return LS_FAILED;
                }
                continue;
            }
            if (fa > f0 + c1 * a * d0 || (i > 0 && fa >= fPrev)) {
                return zoom(f, f0, d0, aPrev, fPrev, dPrev, a, fa, da, budget, budgetIsGlobal, loSet);
            }
            if (Math.abs(da) <= curvature) {
                return LS_TRIAL;
            }
            saveLo(fa);
            loSet = true;
            if (da >= 0) {
                return zoom(f, f0, d0, a, fa, da, aPrev, fPrev, dPrev, budget, budgetIsGlobal, true);
            }
            if (a >= STEP_MAX) {
                return LS_LO;
            }
            // Extrapolate: cubic step, kept within [a + 1.1(a − aPrev), a + 4(a − aPrev)] (Moré–Thuente bounds).
            double lo = a + 1.1 * (a - aPrev);
            double hi = Math.min(a + 4 * (a - aPrev), STEP_MAX);
            double next = cubicMinimizer(aPrev, fPrev, dPrev, a, fa, da);
            next = Double.isFinite(next) ? Math.min(Math.max(next, lo), hi) : hi;
            aPrev = a;
            fPrev = fa;
            dPrev = da;
            a = next;
        }
    }

    /** Zoom (N&amp;W Alg. 3.6): aLo satisfies sufficient decrease and has the lowest f seen so far. */
    private int zoom(Objective f, double f0, double d0, double aLo, double fLoIn, double dLo,
                     double aHi, double fHi, double dHi, int budget, boolean budgetIsGlobal, boolean loSet) {
        double c1 = options.c1();
        double curvature = -options.c2() * d0;
        double fLoCur = fLoIn;
        while (true) {
            double width = Math.abs(aHi - aLo);
            if (budget-- <= 0 || width <= EPS * Math.max(Math.abs(aLo), Math.abs(aHi))) {
                // Rounding prevents progress (dcsrch's warning): keep the best Armijo point if there is one.
                if (loSet && aLo > 0) {
                    return LS_LO;
                }
                return budget < 0 && budgetIsGlobal ? LS_BUDGET : LS_FAILED;
            }
            double a = cubicMinimizer(aLo, fLoCur, dLo, aHi, fHi, dHi);
            double left = Math.min(aLo, aHi) + 0.1 * width;
            double right = Math.max(aLo, aHi) - 0.1 * width;
            // Safeguard: keep the trial inside the middle 80 % of the bracket; bisect when the cubic has no minimiser.
            a = Double.isNaN(a) ? 0.5 * (aLo + aHi) : Math.min(Math.max(a, left), right);
            double fa = evalAt(f, a);
            double da = dot(gTrial, dir);
            if (!Double.isFinite(fa) || !Double.isFinite(da)) {
                aHi = a;
                fHi = Double.POSITIVE_INFINITY;
                dHi = Double.NaN;
                continue;
            }
            if (fa > f0 + c1 * a * d0 || fa >= fLoCur) {
                aHi = a;
                fHi = fa;
                dHi = da;
            } else {
                if (Math.abs(da) <= curvature) {
                    return LS_TRIAL;
                }
                if (da * (aHi - aLo) >= 0) {
                    aHi = aLo;
                    fHi = fLoCur;
                    dHi = dLo;
                }
                aLo = a;
                fLoCur = fa;
                dLo = da;
                saveLo(fa);
                loSet = true;
            }
        }
    }

    /** Minimiser of the cubic interpolating φ and φ' at a0 and a1 (N&amp;W eq. 3.59); NaN if none. */
    static double cubicMinimizer(double a0, double f0, double d0, double a1, double f1, double d1) {
        double e1 = d0 + d1 - 3 * (f0 - f1) / (a0 - a1);
        double disc = e1 * e1 - d0 * d1;
        if (!(disc >= 0)) {
            return Double.NaN;
        }
        double e2 = Math.copySign(Math.sqrt(disc), a1 - a0);
        return a1 - (a1 - a0) * (d1 + e2 - e1) / (d1 - d0 + 2 * e2);
    }

    private double evalAt(Objective f, double a) {
        for (int i = 0; i < n; i++) {
            xTrial[i] = x[i] + a * dir[i];
        }
        evaluations++;
        fTrial = f.evaluate(xTrial, gTrial);
        return fTrial;
    }

    private void saveLo(double fa) {
        System.arraycopy(xTrial, 0, xLo, 0, n);
        System.arraycopy(gTrial, 0, gLo, 0, n);
        fLo = fa;
    }

    private static double dot(double[] u, double[] v) {
        double sum = 0;
        for (int i = 0; i < u.length; i++) {
            sum += u[i] * v[i];
        }
        return sum;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) {
            m = Math.max(m, Math.abs(d));
        }
        return m;
    }

    private static boolean allFinite(double[] v) {
        for (double d : v) {
            if (!Double.isFinite(d)) {
                return false;
            }
        }
        return true;
    }
}
