package org.scalelab.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.laws.FitStatus;
import org.scalelab.laws.SigmoidFit;
import org.scalelab.report.Plot;
import org.scalelab.report.TextTable;
import org.scalelab.store.NumericTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scalelab fit sigmoid}: emergence curve of a downstream metric against log scale. */
@Command(
        name = "sigmoid",
        mixinStandardHelpOptions = true,
        description = {
            "Fit a downstream metric's emergence curve, a sigmoid in log x.",
            "The curve:",
            "  acc = floor + (ceiling - floor) / (1 + exp(-k*(log10 x - m)))",
            "and report the 50 %% point x50 = 10^m with a bootstrap 95 %% interval.",
            "floor and ceiling are fixed (default 0 and 1) or fitted with 'fit'.",
            ""
        },
        footer = {
            "",
            "Example (4-way multiple choice, chance 0.25):",
            "  scalelab fit sigmoid --data evals.csv --x compute --y-col accuracy \\",
            "      --floor 0.25 --ceiling 1"
        })
final class FitSigmoidCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Mixin
    CliSupport.DataOptions data;

    @Mixin
    CliSupport.OutputOptions output;

    @Mixin
    LawOptions.Scale scale;

    @Mixin
    LawOptions.Uncertainty uncertainty;

    @Mixin
    LawOptions.Extrapolation extrapolation;

    @Option(names = "--y-col", paramLabel = "COL", defaultValue = "accuracy",
            description = "Column holding the metric. Default: ${DEFAULT-VALUE}.")
    String yCol;

    @Option(names = "--floor", paramLabel = "V|fit", defaultValue = "0",
            description = "Lower asymptote, e.g. chance accuracy, or 'fit'. Default: ${DEFAULT-VALUE}.")
    String floor;

    @Option(names = "--ceiling", paramLabel = "V|fit", defaultValue = "1",
            description = "Upper asymptote, or 'fit'. Default: ${DEFAULT-VALUE}.")
    String ceiling;

    @Override
    public Integer call() {
        String xCol = scale.column();
        NumericTable t = data.load(lab, List.of(xCol, yCol));
        SigmoidFit.Options o = new SigmoidFit.Options(level("--floor", floor), level("--ceiling", ceiling),
                uncertainty.replicates(), uncertainty.seed, !extrapolation.noBacktest, extrapolation.forecastX());
        SigmoidFit.Result r = SigmoidFit.analyze(t, xCol, yCol, o);
        double[] x = t.column(xCol);
        double[] y = t.column(yCol);
        CliSupport.emit(spec, lab, output, "fit.sigmoid", r, r.provenance(), () -> text(r, xCol, yCol), report -> {
            report.verdict("status", r.status().json() + (r.reason() == null ? "" : ": " + r.reason()),
                    r.status() == FitStatus.CONVERGED);
            report.text("50 % point: " + xCol + " = " + TextTable.num(r.parameter("x50").value()) + ", 95 % CI "
                    + FitPlots.interval(r.parameter("x50").ci95()) + ".");
            report.table(FitPlots.PARAMETER_HEADER, FitPlots.parameterRows(r.parameters()));
            if (r.parameter("m").value() != null) {
                int nb = r.bootstrap() == null ? 0 : r.bootstrap().replicates();
                Plot p = FitPlots.fitPlot("Sigmoid fit", xCol, yCol, x, y, r::predict, r::predictReplicate, nb,
                        r.forecasts(), false);
                p.vline("x50", r.parameter("x50").v());
                report.plot("fit", p, "Metric against log scale with the fitted logistic; the line marks x50.");
                report.plot("residuals", FitPlots.residualPlot(xCol, x, y, r::predict, false), "Residuals y − fit.");
                FitPlots.bootstrapHistograms(report, r.bootstrapSamples());
            }
            FitPlots.backtestTable(report, r.backtest(), xCol);
        });
        return 0;
    }

    static Double level(String option, String v) {
        if ("fit".equalsIgnoreCase(v.trim())) {
            return null;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!Double.isFinite(d)) {
                throw new InputException(option + ": " + v + " is not finite");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new InputException(option + ": '" + v + "' is neither a number nor 'fit'");
        }
    }

    static String text(SigmoidFit.Result r, String xCol, String yCol) {
        StringBuilder sb = new StringBuilder();
        sb.append("sigmoid: ").append(yCol).append(" = ").append(r.form().replace("log10 x", "log10 " + xCol)).append("  (")
                .append(r.nPoints()).append(" points, status: ").append(r.status().json()).append(")\n");
        if (r.reason() != null) {
            sb.append("reason: ").append(r.reason()).append('\n');
        }
        sb.append(TextTable.render(FitPlots.PARAMETER_HEADER, FitPlots.parameterRows(r.parameters())));
        sb.append("\n50 % point: ").append(xCol).append(" = ").append(TextTable.num(r.parameter("x50").value()))
                .append(", 95 % CI ").append(FitPlots.interval(r.parameter("x50").ci95()));
        sb.append('\n').append(FitPlots.backtestLine(r.backtest(), xCol));
        sb.append(FitPlots.forecastBlock(r.forecasts(), xCol, yCol));
        sb.append(FitPlots.warningsBlock(r.warnings()));
        return sb.toString();
    }
}
