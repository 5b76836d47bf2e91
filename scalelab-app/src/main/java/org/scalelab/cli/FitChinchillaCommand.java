package org.scalelab.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.laws.ChinchillaFit;
import org.scalelab.laws.ChinchillaResult;
import org.scalelab.laws.LawFits;
import org.scalelab.report.ChinchillaRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
    @Mixin
    ChinchillaInput input;

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
        LawFits.Runs load(CliSupport.LabOption lab, CliSupport.DataOptions data) {
            return LawFits.runs(columns -> data.load(lab, columns), new LawFits.Columns(params, tokens, compute, loss),
                    "--tokens-col", "--compute-col");
        }
    }

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

        ChinchillaResult fit(LawFits.Runs d) {
            return ChinchillaFit.analyze(new ChinchillaFit.Runs(d.params(), d.tokens(), d.loss(),
                    List.of(d.table().provenanceInput())), toOptions());
        }
    }

    @Override
    public Integer call() {
        LawFits.Runs d = input.load();
        LawFits.Chinchilla fit = LawFits.chinchilla(d, input.law.toOptions(), !noBacktest, keepReplicates);
        ChinchillaResult r = fit.saved();
        ChinchillaResult full = fit.full();
        input.emit("fit.chinchilla", r, r.provenance(), () -> ChinchillaRenderer.text(r),
                report -> ChinchillaRenderer.section(report, r, full.replicates(), d.params(), d.tokens(), d.loss()));
        return 0;
    }
}
