package org.scalelab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.laws.ChinchillaFit;
import org.scalelab.laws.ChinchillaResult;
import org.scalelab.laws.ComputeOptimal;
import org.scalelab.report.CurveFitRenderer;
import org.scalelab.report.Plot;
import org.scalelab.report.TextTable;
import org.scalelab.store.NumericTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
        name = "chinchilla",
        mixinStandardHelpOptions = true,
        description = {
            "Fit L(N, D) = E + A/N^alpha + B/D^beta to training runs (parameters N, tokens D, final loss L).",
            "",
            "The procedure of Hoffmann et al. 2022 (App. D.2) as replicated by Besiroglu et al. 2024 (Epoch AI): "
                    + "Huber loss (delta 1e-3) on log L, L-BFGS from 4,500 starts, the best converged start wins; "
                    + "pairs-bootstrap standard errors and 95%% intervals from refits started at the best fit.",
            ""
        },
        footer = {"", "Example:",
            "  scalelab fit chinchilla --data data/chinchilla_hoffmann2022_fig4.csv \\",
            "      --drop-highest-loss 5 --bootstrap 4000",
            "Columns params,tokens,loss; or params,compute,loss with tokens = compute / (6 params)."})
final class FitChinchillaCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.DataOptions data;

    @Mixin
    CliSupport.OutputOptions output;

    @Mixin
    Columns columns;

    @Mixin
    LawOptions law;

    @Option(names = "--no-backtest",
            description = "Skip the backtest (refit without the runs of the largest 20%% of compute C = 6ND, predict their loss).")
    boolean noBacktest;

    @Option(names = "--keep-replicates",
            description = "Keep each bootstrap replicate's parameters in the JSON result (lets `scalelab forecast --fit` give intervals).")
    boolean keepReplicates;

    /** Which columns hold N, D (or C) and L. */
    static final class Columns {
        @Option(names = "--params-col", defaultValue = "params", description = "Column with the parameter count N (default: ${DEFAULT-VALUE}).")
        String params;

        @Option(names = "--tokens-col", description = "Column with the training tokens D (default: tokens; if absent, D = compute / (6 N)).")
        String tokens;

        @Option(names = "--compute-col", description = "Column with training FLOP C, used as D = C / (6 N) when there is no tokens column (default: compute).")
        String compute;

        @Option(names = "--loss-col", defaultValue = "loss", description = "Column with the final loss L (default: ${DEFAULT-VALUE}).")
        String loss;

        /** Reads N, D, L; D from the tokens column, or C/(6N) (Kaplan et al. 2020, C ≈ 6ND) when only compute is there. */
        Loaded load(CliSupport.LabOption lab, CliSupport.DataOptions data) {
            if (tokens != null && compute != null) {
                throw new InputException("give --tokens-col or --compute-col, not both");
            }
            if (compute == null) {
                String tokensCol = tokens == null ? "tokens" : tokens;
                try {
                    NumericTable t = data.load(lab, List.of(params, tokensCol, loss));
                    return new Loaded(t, t.column(params), t.column(tokensCol), t.column(loss));
                } catch (InputException e) {
                    if (tokens != null || !e.getMessage().contains("no column '" + tokensCol + "'")) {
                        throw e;
                    }
                }
            }
            String computeCol = compute == null ? "compute" : compute;
            NumericTable t;
            try {
                t = data.load(lab, List.of(params, computeCol, loss));
            } catch (InputException e) {
                if (compute == null && e.getMessage().contains("no column '" + computeCol + "'")) {
                    throw new InputException(e.getMessage().replace("no column 'compute'", "no column 'tokens' or 'compute'")
                            .replace("--*-col", "--tokens-col or --compute-col"), e);
                }
                throw e;
            }
            t.requirePositive(params);
            double[] n = t.column(params);
            double[] c = t.column(computeCol);
            double[] d = new double[n.length];
            for (int i = 0; i < n.length; i++) {
                d[i] = c[i] / (6 * n[i]);
            }
            return new Loaded(t, n, d, t.column(loss));
        }
    }

    record Loaded(NumericTable table, double[] params, double[] tokens, double[] loss) {}

    /** Options of the fit procedure, shared with {@code scalelab forecast}. */
    static final class LawOptions {
        @Option(names = "--huber-delta", defaultValue = "1e-3", description = "Huber delta on the log-loss residual (default: ${DEFAULT-VALUE}, the paper's).")
        double huberDelta;

        @Option(names = "--reduce", defaultValue = "sum", description = "Combine per-run losses by sum (paper) or mean (default: ${DEFAULT-VALUE}).")
        String reduce;

        @Option(names = "--grid", defaultValue = "default", paramLabel = "SPEC",
                description = "Start grid: 'default' (the published 4,500 starts, alpha=0:2:0.5,beta=0:2:0.5,e=-1:1:0.5,a=0:25:5,b=0:25:5), "
                        + "'coarse' (243 starts) or your own axes lo:hi:step (e = log E, a = log A, b = log B).")
        String grid;

        @Option(names = "--drop-highest-loss", defaultValue = "0", paramLabel = "K",
                description = "Drop the K runs with the highest loss first (Epoch AI used 5; default: ${DEFAULT-VALUE}).")
        int dropHighestLoss;

        @Option(names = "--bootstrap", defaultValue = "1000", paramLabel = "N",
                description = "Pairs-bootstrap refits for standard errors and 95%% intervals; 0 for none (default: ${DEFAULT-VALUE}).")
        int bootstrap;

        @Option(names = "--seed", defaultValue = "0", description = "Bootstrap seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--threads", description = "Worker threads (default: all cores).")
        Integer threads;

        ChinchillaFit.Options toOptions() {
            return new ChinchillaFit.Options(huberDelta, ChinchillaFit.Reduce.parse(reduce), ChinchillaFit.Grid.parse(grid),
                    dropHighestLoss, bootstrap, seed, threads == null ? Runtime.getRuntime().availableProcessors() : threads);
        }

        ChinchillaResult fit(Loaded d) {
            return ChinchillaFit.fit(d.params(), d.tokens(), d.loss(), toOptions(), List.of(d.table().provenanceInput()));
        }
    }

    @Override
    public Integer call() {
        Loaded d = columns.load(lab, data);
        ChinchillaResult fitted = law.fit(d);
        ChinchillaResult full = noBacktest || fitted.status() != org.scalelab.laws.FitStatus.CONVERGED ? fitted
                : fitted.withBacktest(ChinchillaFit.backtest(d.params(), d.tokens(), d.loss(), law.toOptions()));
        ChinchillaResult r = keepReplicates ? full : full.withoutReplicates();
        CliSupport.emit(spec, lab, output, "fit.chinchilla", r, r.provenance(), () -> table(r), report -> {
            report.text(summary(r));
            report.table(List.of("parameter", "estimate", "standard error", "95% interval"), rows(r));
            ChinchillaResult.Params p = r.fitted();
            if (p.isFinite()) {
                chinchillaPlots(report, d, p, full.replicateParams());
            }
            CurveFitRenderer.backtestTable(report, r.backtest(), "compute");
            if (full.replicates() != null && !full.replicates().isEmpty()) {
                String[] what = {"irreducible loss", "model-size coefficient", "data coefficient", "model-size exponent",
                    "data exponent"};
                for (int j = 0; j < ChinchillaResult.PARAM_NAMES.size(); j++) {
                    String name = ChinchillaResult.PARAM_NAMES.get(j);
                    report.plot("bootstrap_" + name, Plot.of("Bootstrap replicates of " + name, name, "replicates")
                            .histogram(name, column(full.replicates(), j), 40)
                            .vline("fit", r.params().get(name) == null ? Double.NaN : r.params().get(name)),
                            "Pairs-bootstrap refits of the " + what[j] + " " + name + ".");
                }
            }
        });
        return 0;
    }

    /**
     * Data and law on log axes (each run's loss against its compute, with the loss along the
     * compute-optimal frontier), residuals, observed vs fitted, and the frontier N_opt(C) with its band.
     */
    static void chinchillaPlots(org.scalelab.report.Report report, Loaded d, ChinchillaResult.Params p,
            List<ChinchillaResult.Params> replicates) {
        int n = d.loss().length;
        double[] compute = new double[n];
        double[] predicted = new double[n];
        double[] residual = new double[n];
        for (int i = 0; i < n; i++) {
            compute[i] = 6 * d.params()[i] * d.tokens()[i];
            predicted[i] = p.loss(d.params()[i], d.tokens()[i]);
            residual[i] = Math.log(d.loss()[i]) - Math.log(predicted[i]);
        }
        double[] grid = CurveFitRenderer.logGrid(min(compute), max(compute) * 100, 80);
        double[] frontier = new double[grid.length];
        double[] nOpt = new double[grid.length];
        double[] lo = new double[grid.length];
        double[] hi = new double[grid.length];
        for (int g = 0; g < grid.length; g++) {
            nOpt[g] = ComputeOptimal.optimalParams(p, grid[g]);
            frontier[g] = p.loss(nOpt[g], ComputeOptimal.optimalTokens(p, grid[g]));
            double[] reps = new double[replicates.size()];
            for (int b = 0; b < reps.length; b++) {
                reps[b] = ComputeOptimal.optimalParams(replicates.get(b), grid[g]);
            }
            double[] ci = org.scalelab.stats.Quantiles.percentileInterval(reps, 0.95);
            lo[g] = ci[0];
            hi[g] = ci[1];
        }
        double maxC = max(compute);
        report.plot("fit", Plot.of("Loss against training compute", "compute C = 6ND (FLOP)", "loss").logX().logY()
                .points("runs", compute, d.loss())
                .line("fitted law along the compute-optimal frontier", grid, frontier)
                .vline("largest run", maxC),
                "Each run's final loss; the curve is the fitted L(N_opt(C), D_opt(C)), the lowest loss the law allows at "
                        + "each compute, extrapolated 100× past the largest run.");
        report.plot("residuals", Plot.of("Residuals", "compute C (FLOP)", "log L − log L̂").logX()
                .points("residual", compute, residual).hline("0", 0),
                "Log residuals against compute: a trend means the law's shape does not fit; the Huber loss ignores outliers.");
        double plo = Math.min(min(predicted), min(d.loss()));
        double phi = Math.max(max(predicted), max(d.loss()));
        report.plot("observed_vs_predicted", Plot.of("Observed vs fitted loss", "fitted L(N, D)", "observed loss")
                .points("runs", predicted, d.loss()).dashed("y = x", new double[] {plo, phi}, new double[] {plo, phi}),
                "Each run's final loss against the fitted law; runs dropped by --drop-highest-loss are included.");
        Plot opt = Plot.of("Compute-optimal model size", "compute C (FLOP)", "N_opt (parameters)").logX().logY();
        if (!replicates.isEmpty()) {
            opt.band("95% interval", grid, nOpt, lo, hi);
        }
        report.plot("frontier", opt.line("N_opt(C)", grid, nOpt).points("runs (N)", compute, d.params()),
                "Compute-optimal model size N_opt(C) = G (C/6)^a (Hoffmann et al. 2022, eq. 4), with the runs' own sizes.");
    }

    static String summary(ChinchillaResult r) {
        String s = "Chinchilla law L(N, D) = E + A/N^alpha + B/D^beta: " + r.status().json()
                + (r.reason() == null ? "" : " (" + r.reason() + ")") + ". " + r.nPoints() + " runs"
                + (r.nDropped() > 0 ? " (" + r.nDropped() + " highest-loss dropped)" : "") + ", Huber delta "
                + TextTable.num(r.huberDelta()) + " (" + r.reduce() + "), " + r.convergedStarts() + " of " + r.starts()
                + " starts converged";
        if (r.bootstrap() > 0) {
            s += ", " + r.bootstrapConverged() + " of " + r.bootstrap() + " bootstrap refits converged";
        }
        return s + ". Compute-optimal: N_opt = G (C/6)^a, D_opt = (C/6)^b / G (Hoffmann et al. 2022, eq. 4).";
    }

    static List<List<String>> rows(ChinchillaResult r) {
        List<List<String>> rows = new ArrayList<>();
        for (String k : ChinchillaResult.PARAM_NAMES) {
            rows.add(row(k, r.params().get(k), r));
        }
        for (Map.Entry<String, Double> e : r.computeOptimal().entrySet()) {
            rows.add(row(e.getKey(), e.getValue(), r));
        }
        return rows;
    }

    private static List<String> row(String key, Double value, ChinchillaResult r) {
        List<Double> ci = r.ci95().get(key);
        String interval = ci == null ? "—" : "[" + TextTable.num(ci.get(0)) + ", " + TextTable.num(ci.get(1)) + "]";
        return List.of(key, TextTable.num(value), TextTable.num(r.se().get(key)), interval);
    }

    static String table(ChinchillaResult r) {
        return summary(r) + "\n" + TextTable.render(List.of("parameter", "estimate", "standard error", "95% interval"), rows(r)).stripTrailing()
                + String.format(java.util.Locale.ROOT, "%nobjective %s, grid fit %.2f s, bootstrap %.2f s",
                        TextTable.num(r.objective()), r.seconds(), r.bootstrapSeconds())
                + "\n" + CurveFitRenderer.backtestLine(r.backtest(), "compute");
    }

    static double[] column(List<double[]> rows, int c) {
        return rows.stream().mapToDouble(row -> row[c]).toArray();
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }
}
