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
import org.scalelab.stats.Bootstrap;
import org.scalelab.stats.Quantiles;

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

    /**
     * The input: training runs with parameters N, training tokens D and final loss L (all finite and
     * &gt; 0), and where they came from (recorded in the provenance).
     */
    public record Runs(double[] params, double[] tokens, double[] loss, List<Provenance.Input> inputs) {}

    /** Training tokens from training compute, D = C / (6 N) (Kaplan et al. 2020, C ≈ 6ND), run by run. */
    public static double[] tokensFromCompute(double[] params, double[] compute) {
        double[] d = new double[params.length];
        for (int i = 0; i < params.length; i++) {
            d[i] = compute[i] / (6 * params[i]);
        }
        return d;
    }

    /** Fits the law to the runs. */
    public static ChinchillaResult analyze(Runs runs, Options options) {
        return fit(runs.params(), runs.tokens(), runs.loss(), options, runs.inputs());
    }

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
            worker.objective.resample(logN, logD, logL, Bootstrap.counts(Bootstrap.resample(n, options.seed(), i), n));
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
        final ChinchillaObjective objective;
        final double[] x0 = new double[DIM];

        Worker(double[] logN, double[] logD, double[] logL, Options options, Lbfgs.Options lbfgsOptions) {
            lbfgs = new Lbfgs(DIM, lbfgsOptions);
            objective = new ChinchillaObjective(logN, logD, logL, options.huberDelta(),
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
                    double[] iv = Quantiles.percentileInterval(samples, 0.95);
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
