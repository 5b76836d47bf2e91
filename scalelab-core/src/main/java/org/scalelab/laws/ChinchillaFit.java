package org.scalelab.laws;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.scalelab.InputException;
import org.scalelab.Progress;
import org.scalelab.Provenance;

/**
 * Fits the Chinchilla law L(N, D) = E + A/N^α + B/D^β by the procedure of Hoffmann et al. 2022
 * (Sec. 3.3, Appendix D.2) as replicated by Besiroglu, Erdil, Barnett &amp; You 2024 ("Chinchilla
 * Scaling: A replication attempt", Epoch AI):
 *
 * <ul>
 *   <li>log-space model log L̂ = LSE(a − α·log N, b − β·log D, e) with A = eᵃ, B = eᵇ, E = eᵉ;</li>
 *   <li>objective Σᵢ Huber_δ(log Lᵢ − log L̂ᵢ), δ = 1e-3 (or the mean, {@link Reduce#MEAN});</li>
 *   <li>L-BFGS ({@link Lbfgs}, scipy L-BFGS-B stopping rules) from every point of a start grid,
 *       by default the published 4,500-point grid; the best <em>converged</em> start wins;</li>
 *   <li>optional pairs bootstrap: each replicate is refitted from the best full-data fit (one start
 *       per replicate, as in the Epoch notebook).</li>
 * </ul>
 *
 * Starts and replicates run in parallel; each is deterministic, and ties are broken by start index,
 * so the result does not depend on the number of threads.
 */
public final class ChinchillaFit {
    private ChinchillaFit() {}

    /** How the per-point Huber losses are combined. */
    public enum Reduce {
        /** Σ over points: Hoffmann et al. 2022, eq. 3 (and scipy's default here). */
        SUM,
        /**
         * Mean over points: the averaging variant of some replications. The objective is then ~1e-5,
         * far below the scale 1 of L-BFGS-B's relative ftol test, so runs stop early and where they stop
         * depends on the optimiser's path: scipy and this class agree only to about two digits here.
         */
        MEAN;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Reduce parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "sum" -> SUM;
                case "mean" -> MEAN;
                default -> throw new InputException("--reduce '" + s + "': use sum or mean");
            };
        }
    }

    /**
     * Start grid: every combination of the five axes is one start (alpha outermost, b innermost).
     *
     * @param alpha values of α
     * @param beta  values of β
     * @param e     values of e = log E
     * @param a     values of a = log A
     * @param b     values of b = log B
     */
    public record Grid(double[] alpha, double[] beta, double[] e, double[] a, double[] b) {
        /** The published grid (Hoffmann et al. 2022, App. D.2): 5·5·5·6·6 = 4,500 starts. */
        public static final String PUBLISHED = "alpha=0:2:0.5,beta=0:2:0.5,e=-1:1:0.5,a=0:25:5,b=0:25:5";
        /** A 3⁵ = 243-start grid for quick runs and tests. */
        public static final String COARSE = "alpha=0:2:1,beta=0:2:1,e=-1:1:1,a=0:20:10,b=0:20:10";

        public Grid {
            for (double[] axis : new double[][] {alpha, beta, e, a, b}) {
                if (axis == null || axis.length == 0) {
                    throw new InputException("start grid: every axis (alpha, beta, e, a, b) needs at least one value");
                }
            }
            alpha = alpha.clone();
            beta = beta.clone();
            e = e.clone();
            a = a.clone();
            b = b.clone();
        }

        public static Grid published() {
            return parse(PUBLISHED);
        }

        /**
         * Parses "alpha=lo:hi:step,beta=…,e=…,a=…,b=…" (hi inclusive; a single value "a=5" also works)
         * or the names "default"/"published" and "coarse".
         */
        public static Grid parse(String spec) {
            String s = spec.trim();
            if (s.equalsIgnoreCase("default") || s.equalsIgnoreCase("published")) {
                s = PUBLISHED;
            } else if (s.equalsIgnoreCase("coarse")) {
                s = COARSE;
            }
            Map<String, double[]> axes = new LinkedHashMap<>();
            for (String part : s.split(",")) {
                String[] kv = part.split("=", 2);
                if (kv.length != 2) {
                    throw new InputException("--grid '" + spec + "': '" + part + "' is not name=lo:hi:step");
                }
                String name = kv[0].trim();
                if (!List.of("alpha", "beta", "e", "a", "b").contains(name)) {
                    throw new InputException("--grid '" + spec + "': unknown axis '" + name + "' (use alpha, beta, e, a, b)");
                }
                axes.put(name, parseAxis(spec, name, kv[1].trim()));
            }
            for (String name : List.of("alpha", "beta", "e", "a", "b")) {
                if (!axes.containsKey(name)) {
                    throw new InputException("--grid '" + spec + "': axis '" + name + "' is missing; give all of alpha, beta, e, a, b");
                }
            }
            return new Grid(axes.get("alpha"), axes.get("beta"), axes.get("e"), axes.get("a"), axes.get("b"));
        }

        private static double[] parseAxis(String spec, String name, String range) {
            String[] p = range.split(":");
            try {
                if (p.length == 1) {
                    return new double[] {Double.parseDouble(p[0])};
                }
                if (p.length != 3) {
                    throw new NumberFormatException();
                }
                double lo = Double.parseDouble(p[0]);
                double hi = Double.parseDouble(p[1]);
                double step = Double.parseDouble(p[2]);
                if (!(step > 0) || !(hi >= lo) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
                    throw new InputException("--grid '" + spec + "': axis " + name + "=" + range + " needs lo ≤ hi and step > 0");
                }
                int count = (int) Math.round((hi - lo) / step) + 1;
                if (count > 1000) {
                    throw new InputException("--grid '" + spec + "': axis " + name + " has " + count + " values; use a larger step");
                }
                double[] v = new double[count];
                for (int i = 0; i < count; i++) {
                    v[i] = lo + i * step;
                }
                return v;
            } catch (NumberFormatException ex) {
                throw new InputException("--grid '" + spec + "': axis " + name + "=" + range + " is not lo:hi:step");
            }
        }

        public int size() {
            return alpha.length * beta.length * e.length * a.length * b.length;
        }

        /** Start {@code i} in the optimiser's coordinates [a, b, e, alpha, beta]. */
        void start(int i, double[] out) {
            int ib = i % b.length;
            i /= b.length;
            int ia = i % a.length;
            i /= a.length;
            int ie = i % e.length;
            i /= e.length;
            int ibeta = i % beta.length;
            int ialpha = i / beta.length;
            out[0] = a[ia];
            out[1] = b[ib];
            out[2] = e[ie];
            out[3] = alpha[ialpha];
            out[4] = beta[ibeta];
        }

        /** The grid as an explicit spec (each axis listed), for provenance. */
        public String spec() {
            return "alpha=" + list(alpha) + ",beta=" + list(beta) + ",e=" + list(e) + ",a=" + list(a) + ",b=" + list(b);
        }

        private static String list(double[] v) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < v.length; i++) {
                sb.append(i == 0 ? "" : " ").append(v[i]);
            }
            return sb.append(']').toString();
        }
    }

    /**
     * @param huberDelta      Huber δ on the log residual (1e-3 in the paper)
     * @param reduce          sum (paper) or mean of the per-point losses
     * @param grid            start grid
     * @param dropHighestLoss drop the K runs with the highest observed loss before fitting (Epoch used 5)
     * @param bootstrap       number of pairs-bootstrap refits (0 = none)
     * @param seed            bootstrap seed
     * @param threads         worker threads (starts and replicates run in parallel)
     */
    public record Options(double huberDelta, Reduce reduce, Grid grid, int dropHighestLoss, int bootstrap,
                          long seed, int threads) {
        public Options {
            if (!(huberDelta > 0) || !Double.isFinite(huberDelta)) {
                throw new InputException("--huber-delta " + huberDelta + ": must be a positive number (paper: 1e-3)");
            }
            if (dropHighestLoss < 0) {
                throw new InputException("--drop-highest-loss " + dropHighestLoss + ": must be ≥ 0");
            }
            if (bootstrap < 0) {
                throw new InputException("--bootstrap " + bootstrap + ": must be ≥ 0");
            }
            if (threads < 1) {
                throw new InputException("--threads " + threads + ": must be ≥ 1");
            }
        }

        public static Options defaults() {
            return new Options(1e-3, Reduce.SUM, Grid.published(), 0, 0, 0L,
                    Runtime.getRuntime().availableProcessors());
        }

        public Options withHuberDelta(double v) {
            return new Options(v, reduce, grid, dropHighestLoss, bootstrap, seed, threads);
        }

        public Options withReduce(Reduce v) {
            return new Options(huberDelta, v, grid, dropHighestLoss, bootstrap, seed, threads);
        }

        public Options withGrid(Grid v) {
            return new Options(huberDelta, reduce, v, dropHighestLoss, bootstrap, seed, threads);
        }

        public Options withDropHighestLoss(int v) {
            return new Options(huberDelta, reduce, grid, v, bootstrap, seed, threads);
        }

        public Options withBootstrap(int replicates, long bootstrapSeed) {
            return new Options(huberDelta, reduce, grid, dropHighestLoss, replicates, bootstrapSeed, threads);
        }

        public Options withThreads(int v) {
            return new Options(huberDelta, reduce, grid, dropHighestLoss, bootstrap, seed, v);
        }

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("huber_delta", huberDelta);
            m.put("reduce", reduce.json());
            m.put("grid", grid.spec());
            m.put("drop_highest_loss", dropHighestLoss);
            m.put("bootstrap", bootstrap);
            m.put("threads", threads);
            return m;
        }
    }

    private static final int DIM = 5;

    /** Fits in-memory data; provenance records a hash of the values. */
    public static ChinchillaResult fit(double[] params, double[] tokens, double[] loss, Options options) {
        validate(params, tokens, loss);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < params.length; i++) {
            sb.append(params[i]).append(',').append(tokens[i]).append(',').append(loss[i]).append('\n');
        }
        return fit(params, tokens, loss, options,
                List.of(new Provenance.Input("in-memory", Provenance.sha256(sb.toString()), params.length)));
    }

    /**
     * Fits runs (N = parameters, D = training tokens, L = final loss), all finite and &gt; 0.
     *
     * @param inputs where the data came from (recorded in the provenance)
     */
    public static ChinchillaResult fit(double[] params, double[] tokens, double[] loss, Options options,
                                       List<Provenance.Input> inputs) {
        validate(params, tokens, loss);
        long t0 = System.nanoTime();
        Provenance provenance = Provenance.of("fit chinchilla", inputs, options.asMap(),
                options.bootstrap() > 0 ? options.seed() : null);

        int[] keep = keptRows(loss, options.dropHighestLoss());
        int n = keep.length;
        double[] logN = new double[n];
        double[] logD = new double[n];
        double[] logL = new double[n];
        for (int i = 0; i < n; i++) {
            logN[i] = Math.log(params[keep[i]]);
            logD[i] = Math.log(tokens[keep[i]]);
            logL[i] = Math.log(loss[keep[i]]);
        }
        Builder r = new Builder(options, provenance, n, params.length - n);
        if (n < DIM + 1) {
            return r.degenerate("only " + n + " runs after dropping " + (params.length - n)
                    + "; the law has 5 parameters, so at least 6 runs are needed");
        }
        if (allEqual(logN) || allEqual(logD)) {
            return r.degenerate("all runs share one " + (allEqual(logN) ? "parameter count" : "token count")
                    + "; the law needs runs at several model sizes and data sizes");
        }

        // Grid fit: one L-BFGS run per start, in parallel, each writing its own slot.
        Grid grid = options.grid();
        int starts = grid.size();
        double[][] xs = new double[starts][];
        double[] fs = new double[starts];
        Lbfgs.Status[] status = new Lbfgs.Status[starts];
        int[] iters = new int[starts];
        long[] evals = new long[starts];
        parallelFor("fit: L-BFGS starts", starts, options.threads(), w -> new Worker(logN, logD, logL, options, Lbfgs.Options.defaults()), (worker, i) -> {
            grid.start(i, worker.x0);
            Lbfgs.Result res = worker.lbfgs.minimize(worker.objective, worker.x0);
            xs[i] = res.x();
            fs[i] = res.value();
            status[i] = res.status();
            iters[i] = res.iterations();
            evals[i] = res.evaluations();
        });
        int best = -1;
        int bestAny = -1;
        int converged = 0;
        long totalEvals = 0;
        long totalIterations = 0;
        for (int i = 0; i < starts; i++) {
            totalEvals += evals[i];
            totalIterations += iters[i];
            if (!Double.isFinite(fs[i])) {
                continue;
            }
            if (bestAny < 0 || fs[i] < fs[bestAny]) {
                bestAny = i;
            }
            if (status[i].converged()) {
                converged++;
                if (best < 0 || fs[i] < fs[best]) {
                    best = i;
                }
            }
        }
        r.starts = starts;
        r.convergedStarts = converged;
        r.evaluations = totalEvals;
        r.gridIterations = totalIterations;
        r.seconds = (System.nanoTime() - t0) * 1e-9;
        if (bestAny < 0) {
            return r.degenerate("the objective is not finite at any of the " + starts + " starts");
        }
        if (best < 0) {
            r.setOptimum(xs[bestAny], fs[bestAny], status[bestAny], iters[bestAny]);
            return r.finish(FitStatus.NOT_CONVERGED, "none of the " + starts
                    + " starts converged; the lowest objective stopped with " + status[bestAny].json()
                    + " (try another --grid)");
        }
        r.setOptimum(xs[best], fs[best], status[best], iters[best]);
        ChinchillaResult.Params p = ChinchillaResult.Params.fromLogSpace(xs[best]);
        if (!p.isFinite()) {
            return r.finish(FitStatus.DEGENERATE, "the optimum overflows (A = " + p.A() + ", B = " + p.B()
                    + ", E = " + p.E() + "); the data do not pin down the law");
        }
        if (!(p.alpha() > 0) || !(p.beta() > 0)) {
            String which = !(p.alpha() > 0) ? "alpha = " + p.alpha() : "beta = " + p.beta();
            return r.finish(FitStatus.DEGENERATE, which + " ≤ 0 at the optimum: loss does not fall with "
                    + (!(p.alpha() > 0) ? "model size" : "data") + ", so the law does not describe these runs");
        }

        if (options.bootstrap() > 0) {
            bootstrap(r, logN, logD, logL, xs[best], options);
        }
        return r.finish(FitStatus.CONVERGED, null);
    }

    /**
     * Extrapolation backtest ({@link Backtest#runRows}): refit with the same options (no bootstrap)
     * without the runs of the largest 20 % of compute values C = 6ND, then predict those runs' loss.
     */
    public static Backtest.Result backtest(double[] params, double[] tokens, double[] loss, Options options) {
        validate(params, tokens, loss);
        // Drop the highest-loss runs once, over all the data, as the full fit does; the backtest then
        // splits what remains (dropping again inside each refit would hide K more training runs).
        int[] keep = keptRows(loss, options.dropHighestLoss());
        Backtest.Result r = backtestKept(Bootstrap.take(params, keep), Bootstrap.take(tokens, keep), Bootstrap.take(loss, keep),
                new Options(options.huberDelta(), options.reduce(), options.grid(), 0, 0, options.seed(), options.threads()));
        // Report held-out points by their row in the caller's data, not in the kept subset.
        List<Backtest.Point> points = r.points().stream()
                .map(p -> new Backtest.Point(keep[p.row()], p.x(), p.y(), p.predicted(), p.absError(), p.relError()))
                .toList();
        return new Backtest.Result(r.status(), r.reason(), r.holdoutFraction(), r.thresholdX(), r.nTrain(), r.nHeldOut(),
                r.meanAbsError(), r.meanRelError(), points);
    }

    private static Backtest.Result backtestKept(double[] params, double[] tokens, double[] loss, Options noBootstrap) {
        double[] compute = new double[params.length];
        for (int i = 0; i < compute.length; i++) {
            compute[i] = ComputeOptimal.FLOP_PER_PARAM_TOKEN * params[i] * tokens[i];
        }
        return Backtest.runRows(compute, loss, DIM, rows -> {
            ChinchillaResult r;
            try {
                r = fit(Bootstrap.take(params, rows), Bootstrap.take(tokens, rows), Bootstrap.take(loss, rows), noBootstrap);
            } catch (InputException e) {
                return null;
            }
            if (r.status() != FitStatus.CONVERGED) {
                return null;
            }
            ChinchillaResult.Params p = r.fitted();
            return row -> p.loss(params[row], tokens[row]);
        });
    }

    /**
     * Refits of the bootstrap replicates stop on the gradient only (max|g| ≤ 1e-5, ftol off), like the
     * scipy BFGS refits of the Epoch AI replication. L-BFGS-B's ftol is absolute when |f| &lt; 1, and the
     * summed Huber objective is ~1e-3, so from the full-data optimum it stops after a few tiny steps and
     * the intervals come out several times too narrow (ChinchillaFitTest checks coverage).
     */
    static final Lbfgs.Options BOOTSTRAP_LBFGS = new Lbfgs.Options(10, 0, 1e-5, 15000, 15000, 20, 1e-3, 0.9);

    /** Pairs bootstrap: replicate i resamples the kept runs with {@link Bootstrap#resample} and refits from the best x. */
    private static void bootstrap(Builder r, double[] logN, double[] logD, double[] logL, double[] xBest, Options options) {
        long t0 = System.nanoTime();
        int reps = options.bootstrap();
        int n = logN.length;
        double[][] rows = new double[reps][];
        parallelFor("fit: bootstrap refits", reps, options.threads(), w -> new Worker(logN, logD, logL, options, BOOTSTRAP_LBFGS), (worker, i) -> {
            int[] idx = Bootstrap.resample(n, options.seed(), i);
            worker.objective.resample(logN, logD, logL, idx);
            Lbfgs.Result res = worker.lbfgs.minimize(worker.objective, xBest);
            if (res.status().converged()) {
                rows[i] = ChinchillaResult.Params.fromLogSpace(res.x()).row();
            }
        });
        List<double[]> kept = new ArrayList<>();
        for (double[] row : rows) {
            if (row != null) {
                kept.add(row);
            }
        }
        r.replicates = kept;
        r.bootstrapSeconds = (System.nanoTime() - t0) * 1e-9;
    }

    /** Indices of the runs kept: all, or those with loss &lt; the K-th highest loss (ties at it are dropped too, like Epoch AI's filter). */
    static int[] keptRows(double[] loss, int dropHighest) {
        if (dropHighest == 0) {
            int[] all = new int[loss.length];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        if (dropHighest >= loss.length) {
            throw new InputException("--drop-highest-loss " + dropHighest + ": only " + loss.length + " runs; drop fewer");
        }
        double[] sorted = loss.clone();
        Arrays.sort(sorted);
        double threshold = sorted[loss.length - dropHighest];
        return java.util.stream.IntStream.range(0, loss.length).filter(i -> loss[i] < threshold).toArray();
    }

    private static void validate(double[] params, double[] tokens, double[] loss) {
        if (params.length != tokens.length || params.length != loss.length) {
            throw new InputException("chinchilla fit: params, tokens and loss have " + params.length + ", "
                    + tokens.length + " and " + loss.length + " values; give one of each per run");
        }
        String[] names = {"params", "tokens", "loss"};
        double[][] cols = {params, tokens, loss};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < params.length; i++) {
                if (!(cols[c][i] > 0) || !Double.isFinite(cols[c][i])) {
                    throw new InputException("chinchilla fit: row " + (i + 1) + ", " + names[c] + " = " + cols[c][i]
                            + " must be a finite number > 0 (the law is fitted on log scale); fix or remove the row");
                }
            }
        }
    }

    private static boolean allEqual(double[] v) {
        for (double d : v) {
            if (d != v[0]) {
                return false;
            }
        }
        return true;
    }

    /** Per-thread state: an optimiser and an objective with its own buffers. */
    private static final class Worker {
        final Lbfgs lbfgs;
        final Objective objective;
        final double[] x0 = new double[DIM];

        Worker(double[] logN, double[] logD, double[] logL, Options options, Lbfgs.Options lbfgsOptions) {
            lbfgs = new Lbfgs(DIM, lbfgsOptions);
            objective = new Objective(logN.clone(), logD.clone(), logL.clone(), options.huberDelta(),
                    options.reduce() == Reduce.MEAN);
        }
    }

    @FunctionalInterface
    private interface Task<W> {
        void run(W worker, int index);
    }

    /**
     * Runs {@code task(worker, i)} for i in [0, count) on {@code threads} threads (the caller is one of
     * them), handing out indices one at a time so uneven starts balance; one worker state per thread.
     */
    private static <W> void parallelFor(String name, int count, int threads, IntFunction<W> newWorker, Task<W> task) {
        try (Progress.Task progress = Progress.start(name, count)) {
            parallelFor(count, threads, newWorker, (worker, i) -> {
                task.run(worker, i);
                progress.step();
            });
        }
    }

    private static <W> void parallelFor(int count, int threads, IntFunction<W> newWorker, Task<W> task) {
        AtomicInteger next = new AtomicInteger();
        Throwable[] failure = new Throwable[1];
        Runnable loop = () -> {
            W worker = newWorker.apply(0);
            try {
                for (int i; (i = next.getAndIncrement()) < count; ) {
                    task.run(worker, i);
                }
            } catch (Throwable t) {
                synchronized (failure) {
                    if (failure[0] == null) {
                        failure[0] = t;
                    }
                }
                next.set(count);
            }
        };
        int helpers = Math.min(threads, count) - 1;
        Thread[] pool = new Thread[Math.max(helpers, 0)];
        for (int t = 0; t < pool.length; t++) {
            pool[t] = new Thread(loop, "chinchilla-fit-" + t);
            pool[t].setDaemon(true);
            pool[t].start();
        }
        loop.run();
        for (Thread t : pool) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while fitting", e);
            }
        }
        if (failure[0] instanceof RuntimeException re) {
            throw re;
        }
        if (failure[0] instanceof Error err) {
            throw err;
        }
    }

    /**
     * Value and gradient of the Huber objective in one pass over the runs; x = [a, b, e, alpha, beta].
     * log L̂ = LSE(a − α log N, b − β log D, e); r = log L − log L̂; h = Huber_δ(r); ψ = h'(r).
     * ∂log L̂/∂a = u₁/s, ∂/∂α = −log N·u₁/s, ∂/∂b = u₂/s, ∂/∂β = −log D·u₂/s, ∂/∂e = u₃/s, where
     * u₁ = e^(a−α log N), u₂ = e^(b−β log D), u₃ = eᵉ, s = u₁ + u₂ + u₃ (so log L̂ = log s).
     *
     * <p>Speed: δ = 1e-3 puts almost every run on a linear arm of the Huber loss (|r| &gt; δ), where
     * ψ = ±δ and h = ±δ·(log L − log s) − δ²/2. The arm is decided without a logarithm (r &gt; δ ⇔
     * s &lt; L·e^(−δ)), and Σ log s over an arm is taken once per evaluation as the log of a running
     * product (renormalised by powers of two so it never overflows). Only runs inside ±δ need their own
     * log. The arithmetic is the same function; rounding differs by ~n·ε in Σ log s.
     */
    static final class Objective implements Lbfgs.Objective {
        // Outside (1e-290, 1e290) the direct sum loses precision or overflows; there we shift by the max.
        private static final double SAFE_LO = 1e-290;
        private static final double SAFE_HI = 1e290;
        // Running products stay within [2^-50, 2^50] before multiplying by s ∈ (1e-290, 1e290) ≈ 2^±963.
        private static final double PROD_HI = 0x1p50;
        private static final double PROD_LO = 0x1p-50;
        private static final double LN2 = 0.6931471805599453;
        private static final double EXP_MIN = -707;
        private static final double EXP_MAX = 708;
        private final double[] logN;
        private final double[] logD;
        private final double[] logL;
        // s below sBelow[i] ⇔ r > δ (upper arm); s above sAbove[i] ⇔ r < −δ (lower arm)
        private final double[] sBelow;
        private final double[] sAbove;
        // Runs share model sizes (the Fig. 4 data: 142 sizes for 245 runs; a bootstrap sample repeats
        // runs), so A/N^α and B/D^β are computed once per distinct N and D: uniqueN[idxN[i]] = logN[i].
        private final double[] uniqueN;
        private final double[] uniqueD;
        private final int[] idxN;
        private final int[] idxD;
        private final double[] expN;
        private final double[] expD;
        private final double[] scratch;
        private int countN;
        private int countD;
        private final double delta;
        private final boolean mean;

        Objective(double[] logN, double[] logD, double[] logL, double delta, boolean mean) {
            int n = logL.length;
            this.logN = logN;
            this.logD = logD;
            this.logL = logL;
            this.delta = delta;
            this.mean = mean;
            this.sBelow = new double[n];
            this.sAbove = new double[n];
            this.uniqueN = new double[n];
            this.uniqueD = new double[n];
            this.idxN = new int[n];
            this.idxD = new int[n];
            this.expN = new double[n];
            this.expD = new double[n];
            this.scratch = new double[n];
            prepare();
        }

        private void prepare() {
            for (int i = 0; i < logL.length; i++) {
                sBelow[i] = Math.exp(logL[i] - delta);
                sAbove[i] = Math.exp(logL[i] + delta);
            }
            countN = distinct(logN, uniqueN, idxN, scratch);
            countD = distinct(logD, uniqueD, idxD, scratch);
        }

        /** Sorted distinct values of v into unique, and each v[i]'s position there into idx; returns the count. */
        private static int distinct(double[] v, double[] unique, int[] idx, double[] scratch) {
            System.arraycopy(v, 0, scratch, 0, v.length);
            Arrays.sort(scratch);
            int u = 0;
            for (int i = 0; i < scratch.length; i++) {
                if (u == 0 || scratch[i] != unique[u - 1]) {
                    unique[u++] = scratch[i];
                }
            }
            for (int i = 0; i < v.length; i++) {
                idx[i] = Arrays.binarySearch(unique, 0, u, v[i]);
            }
            return u;
        }

        /** Loads the bootstrap sample {@code idx} of the full data into this objective's buffers. */
        void resample(double[] fullN, double[] fullD, double[] fullL, int[] idx) {
            for (int i = 0; i < idx.length; i++) {
                logN[i] = fullN[idx[i]];
                logD[i] = fullD[idx[i]];
                logL[i] = fullL[idx[i]];
            }
            prepare();
        }

        @Override
        public double evaluate(double[] x, double[] grad) {
            final double a = x[0];
            final double b = x[1];
            final double e = x[2];
            final double alpha = x[3];
            final double beta = x[4];
            final double expE = Math.exp(e);
            final double delta = this.delta;
            final double halfDelta = 0.5 * delta;
            final int n = logL.length;
            double quadratic = 0; // Σ h over runs inside ±δ and runs taking the stable path
            double upperLogL = 0; // Σ log L over the upper arm (r > δ)
            double lowerLogL = 0; // Σ log L over the lower arm (r < −δ)
            double upperProd = 1; // Π s over the upper arm, times 2^upperExp
            double lowerProd = 1;
            int upperExp = 0;
            int lowerExp = 0;
            int upperCount = 0;
            int lowerCount = 0;
            double ga = 0;
            double gb = 0;
            double ge = 0;
            double galpha = 0;
            double gbeta = 0;
            // Exponents are clamped into exp's table range: beyond it a term is 0 or above 1e307, s leaves
            // (SAFE_LO, SAFE_HI) and the run takes the stable path, which recomputes its terms unclamped.
            // Never leaving the range also keeps exp's rare branch out of the compiled loop: a line search
            // that overshoots would otherwise deoptimise the objective and make the JIT compile it again.
            for (int j = 0; j < countN; j++) {
                expN[j] = exp(Math.max(EXP_MIN, Math.min(EXP_MAX, a - alpha * uniqueN[j])));
            }
            for (int j = 0; j < countD; j++) {
                expD[j] = exp(Math.max(EXP_MIN, Math.min(EXP_MAX, b - beta * uniqueD[j])));
            }
            for (int i = 0; i < n; i++) {
                double ln = logN[i];
                double ld = logD[i];
                double u1 = expN[idxN[i]]; // e^(a − α log N)
                double u2 = expD[idxD[i]]; // e^(b − β log D)
                double u3 = expE;
                double s = u1 + u2 + u3;
                double psi;
                if (s > SAFE_LO && s < SAFE_HI) {
                    if (s < sBelow[i]) {
                        psi = delta;
                        upperLogL += logL[i];
                        upperCount++;
                        upperProd *= s;
                        if (upperProd > PROD_HI || upperProd < PROD_LO) {
                            int k = Math.getExponent(upperProd);
                            upperProd = Math.scalb(upperProd, -k);
                            upperExp += k;
                        }
                    } else if (s > sAbove[i]) {
                        psi = -delta;
                        lowerLogL += logL[i];
                        lowerCount++;
                        lowerProd *= s;
                        if (lowerProd > PROD_HI || lowerProd < PROD_LO) {
                            int k = Math.getExponent(lowerProd);
                            lowerProd = Math.scalb(lowerProd, -k);
                            lowerExp += k;
                        }
                    } else {
                        double r = logL[i] - log(s);
                        quadratic += 0.5 * r * r;
                        psi = r;
                    }
                } else {
                    // numerically stable log-sum-exp: subtract the max before exponentiating
                    double t1 = a - alpha * ln;
                    double t2 = b - beta * ld;
                    double m = Math.max(Math.max(t1, t2), e);
                    u1 = Math.exp(t1 - m);
                    u2 = Math.exp(t2 - m);
                    u3 = Math.exp(e - m);
                    s = u1 + u2 + u3;
                    double r = logL[i] - (m + Math.log(s));
                    if (r > delta) {
                        quadratic += delta * (r - halfDelta);
                        psi = delta;
                    } else if (r < -delta) {
                        quadratic += delta * (-r - halfDelta);
                        psi = -delta;
                    } else {
                        quadratic += 0.5 * r * r;
                        psi = r;
                    }
                }
                double q = psi / s;
                double w1 = q * u1;
                double w2 = q * u2;
                ga -= w1;
                gb -= w2;
                ge -= q * u3;
                galpha += w1 * ln;
                gbeta += w2 * ld;
            }
            // Σ_upper δ(log L − log s − δ/2) + Σ_lower δ(log s − log L − δ/2)
            double upperLogS = upperCount == 0 ? 0 : Math.log(upperProd) + upperExp * LN2;
            double lowerLogS = lowerCount == 0 ? 0 : Math.log(lowerProd) + lowerExp * LN2;
            double value = quadratic + delta * ((upperLogL - upperLogS) - (lowerLogL - lowerLogS))
                    - (upperCount + lowerCount) * delta * halfDelta;
            double scale = mean ? 1.0 / n : 1.0;
            grad[0] = ga * scale;
            grad[1] = gb * scale;
            grad[2] = ge * scale;
            grad[3] = galpha * scale;
            grad[4] = gbeta * scale;
            return value * scale;
        }

        // Inlined exp and log for the hot loop. HotSpot's Math.exp/Math.log are out-of-line stubs: in a
        // loop that carries six accumulators every call spills registers, which cost ~1/3 of the
        // objective. These stay in registers and use short dependency chains (Estrin's scheme).
        // Accuracy (ChinchillaFitTest): within 2 ulp of Math.exp / Math.log on their domains here.
        private static final double LOG2E = 1.4426950408889634;
        private static final double LN2_HI = 6.93147180369123816490e-01; // high bits of ln 2 (fdlibm split)
        private static final double LN2_LO = 1.90821492927058770002e-10; // ln 2 − LN2_HI
        private static final double SQRT2 = 1.4142135623730951;

        private static final double LN2_64_HI = LN2_HI / 64; // exact: LN2_HI has 32 significant bits
        private static final double LN2_64_LO = LN2_LO / 64;
        private static final double INV_LN2_64 = 64 / 0.6931471805599453;
        /** 2^(j/64), j = 0..63 (StrictMath: the same table on every platform). */
        private static final double[] EXP2_TABLE = new double[64];

        static {
            for (int j = 0; j < 64; j++) {
                EXP2_TABLE[j] = StrictMath.pow(2, j / 64.0);
            }
        }

        /**
         * eˣ (Tang's table method): x = (64m + j)·ln2/64 + r with |r| ≤ ln2/128 (Cody–Waite
         * reduction, k·LN2_64_HI exact), eˣ = 2ᵐ · 2^(j/64) · eʳ, eʳ by its degree-5 Taylor polynomial
         * (truncation &lt; 4e-17). Outside (−708, 709) it defers to Math.exp (overflow, subnormals).
         */
        static double exp(double x) {
            if (!(x > -708 && x < 709)) {
                return Math.exp(x);
            }
            double kd = Math.rint(x * INV_LN2_64);
            int k = (int) kd;
            double r = (x - kd * LN2_64_HI) - kd * LN2_64_LO;
            double r2 = r * r;
            // r + r²/2 + r³/6 + r⁴/24 + r⁵/120 (eʳ − 1), Estrin-style to shorten the dependency chain
            double pm1 = r + r2 * ((0.5 + r * (1.0 / 6)) + r2 * ((1.0 / 24) + r * (1.0 / 120)));
            double t = EXP2_TABLE[k & 63];
            double scale = Double.longBitsToDouble((long) ((k >> 6) + 1023) << 52);
            return (t + t * pm1) * scale;
        }

        /**
         * ln x for normal positive x: x = 2ᵉ·m with m ∈ [√½, √2), ln m = 2·atanh(f), f = (m−1)/(m+1),
         * |f| ≤ 0.172, by its series to f²¹ (truncation &lt; 3e-17).
         */
        static double log(double x) {
            long bits = Double.doubleToRawLongBits(x);
            int e = (int) (bits >>> 52) - 1023;
            double m = Double.longBitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);
            if (m > SQRT2) {
                m *= 0.5;
                e++;
            }
            double f = (m - 1) / (m + 1);
            double s = f * f;
            double s2 = s * s;
            double s4 = s2 * s2;
            double s8 = s4 * s4;
            // p(s) = Σ_{j=0..9} 2/(2j+3)·sʲ, so ln m = 2f + f·s·p(s)
            double q0 = s * (2.0 / 5) + 2.0 / 3;
            double q1 = s * (2.0 / 9) + 2.0 / 7;
            double q2 = s * (2.0 / 13) + 2.0 / 11;
            double q3 = s * (2.0 / 17) + 2.0 / 15;
            double q4 = s * (2.0 / 21) + 2.0 / 19;
            double w0 = q1 * s2 + q0;
            double w1 = q3 * s2 + q2;
            double v0 = w1 * s4 + w0;
            double p = q4 * s8 + v0;
            double tail = f * s * p + e * LN2_LO;
            return e * LN2_HI + (2 * f + tail);
        }
    }

    /** Collects the pieces of a result as the fit proceeds. */
    private static final class Builder {
        final Options options;
        final Provenance provenance;
        final int nPoints;
        final int nDropped;
        int starts;
        int convergedStarts;
        long evaluations;
        long gridIterations;
        double seconds;
        double bootstrapSeconds;
        double[] x;
        double objective = Double.NaN;
        Lbfgs.Status optimizer;
        int iterations;
        List<double[]> replicates = List.of();

        Builder(Options options, Provenance provenance, int nPoints, int nDropped) {
            this.options = options;
            this.provenance = provenance;
            this.nPoints = nPoints;
            this.nDropped = nDropped;
        }

        void setOptimum(double[] x, double f, Lbfgs.Status status, int iterations) {
            this.x = x;
            this.objective = f;
            this.optimizer = status;
            this.iterations = iterations;
        }

        ChinchillaResult degenerate(String reason) {
            return finish(FitStatus.DEGENERATE, reason);
        }

        ChinchillaResult finish(FitStatus status, String reason) {
            ChinchillaResult.Params p = x == null
                    ? new ChinchillaResult.Params(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN)
                    : ChinchillaResult.Params.fromLogSpace(x);
            Map<String, Double> logParams = new LinkedHashMap<>();
            String[] names = {"a", "b", "e", "alpha", "beta"};
            for (int i = 0; i < DIM; i++) {
                logParams.put(names[i], x == null ? null : ChinchillaResult.finiteOrNull(x[i]));
            }
            Map<String, Double> se = new LinkedHashMap<>();
            Map<String, List<Double>> ci = new LinkedHashMap<>();
            if (!replicates.isEmpty()) {
                List<String> keys = new ArrayList<>(ChinchillaResult.PARAM_NAMES);
                keys.addAll(List.of("a", "b", "G"));
                for (String key : keys) {
                    double[] samples = new double[replicates.size()];
                    for (int i = 0; i < samples.length; i++) {
                        samples[i] = quantity(ChinchillaResult.Params.fromRow(replicates.get(i)), key);
                    }
                    se.put(key, ChinchillaResult.finiteOrNull(Bootstrap.standardError(samples)));
                    double[] iv = Bootstrap.percentileInterval(samples, 0.95);
                    ci.put(key, Arrays.asList(ChinchillaResult.finiteOrNull(iv[0]), ChinchillaResult.finiteOrNull(iv[1])));
                }
            }
            Map<String, Double> optimal = new LinkedHashMap<>();
            optimal.put("a", ChinchillaResult.finiteOrNull(quantity(p, "a")));
            optimal.put("b", ChinchillaResult.finiteOrNull(quantity(p, "b")));
            optimal.put("G", ChinchillaResult.finiteOrNull(quantity(p, "G")));
            return new ChinchillaResult("chinchilla", status, reason, p.asMap(), logParams, optimal,
                    ChinchillaResult.finiteOrNull(objective), nPoints, nDropped, se, ci, starts, convergedStarts,
                    optimizer, iterations, evaluations, gridIterations, options.huberDelta(), options.reduce().json(),
                    options.grid().spec(), options.dropHighestLoss(), options.bootstrap(), replicates.size(),
                    options.seed(), options.threads(), seconds, bootstrapSeconds, replicates, null, provenance);
        }
    }

    /** A parameter or a derived compute-optimal quantity (a, b, G of {@link ComputeOptimal}) by name. */
    static double quantity(ChinchillaResult.Params p, String key) {
        return switch (key) {
            case "E" -> p.E();
            case "A" -> p.A();
            case "B" -> p.B();
            case "alpha" -> p.alpha();
            case "beta" -> p.beta();
            case "a" -> ComputeOptimal.exponentA(p);
            case "b" -> ComputeOptimal.exponentB(p);
            case "G" -> ComputeOptimal.coefficientG(p);
            default -> throw new IllegalArgumentException(key);
        };
    }
}
