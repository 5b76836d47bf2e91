package org.scalelab.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.laws.FitStatus;
import org.scalelab.laws.PowerLawFit;
import org.scalelab.report.TextTable;
import org.scalelab.store.NumericTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scalelab fit power}: y = E + A·x^(−α) (or Kaplan's E = 0 form) with bootstrap intervals and a backtest. */
@Command(
        name = "power",
        mixinStandardHelpOptions = true,
        description = {
            "Fit y = E + A*x^-alpha to one scale variable (params, tokens or compute).",
            "The fit is in log space, with bootstrap standard errors and 95 %% intervals, forecasts",
            "and an extrapolation backtest. --no-offset fits Kaplan et al.'s pure power",
            "law y = (x_c/x)^alpha instead.",
            ""
        },
        footer = {
            "",
            "Example:",
            "  scalelab fit power --data data/chinchilla_hoffmann2022_fig4.csv \\",
            "      --x compute --y-col loss --forecast 1e24 --out lab/reports/power"
        })
final class FitPowerCommand implements Callable<Integer> {
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

    @Option(names = "--y-col", paramLabel = "COL", defaultValue = "loss",
            description = "Column holding y (must be > 0). Default: ${DEFAULT-VALUE}.")
    String yCol;

    @Option(names = "--no-offset", description = "Fix E = 0 (Kaplan et al. 2020 form y = (x_c/x)^alpha).")
    boolean noOffset;

    @Override
    public Integer call() {
        String xCol = scale.column();
        NumericTable t = data.load(lab, List.of(xCol, yCol));
        PowerLawFit.Options o = new PowerLawFit.Options(!noOffset, uncertainty.replicates(), uncertainty.seed,
                !extrapolation.noBacktest, extrapolation.forecastX());
        PowerLawFit.Result r = PowerLawFit.analyze(t, xCol, yCol, o);
        double[] x = t.column(xCol);
        double[] y = t.column(yCol);
        CliSupport.emit(spec, lab, output, "fit.power", r, r.provenance(), () -> text(r, xCol, yCol), report -> {
            report.verdict("status", r.status().json() + (r.reason() == null ? "" : ": " + r.reason()),
                    r.status() == FitStatus.CONVERGED);
            report.text(yCol + " = " + r.form().replace("*x^", "*" + xCol + "^") + " fitted to " + r.nPoints() + " points of "
                    + t.source() + " by least squares on log " + yCol + ".");
            report.table(FitPlots.PARAMETER_HEADER, FitPlots.parameterRows(r.parameters()));
            if (r.status() != FitStatus.DEGENERATE || r.parameter("alpha").value() != null) {
                int nb = r.bootstrap() == null ? 0 : r.bootstrap().replicates();
                report.plot("fit", FitPlots.fitPlot("Power-law fit", xCol, yCol, x, y, r::predict,
                        r::predictReplicate, nb, r.forecasts(), true), "Data and fitted law on log–log axes.");
                report.plot("residuals", FitPlots.residualPlot(xCol, x, y, r::predict, true),
                        "Residuals in log space: a trend means the law's shape does not fit.");
                FitPlots.bootstrapHistograms(report, r.bootstrapSamples());
            }
            FitPlots.backtestTable(report, r.backtest(), xCol);
        });
        return 0;
    }

    static String text(PowerLawFit.Result r, String xCol, String yCol) {
        StringBuilder sb = new StringBuilder();
        sb.append("power law: ").append(yCol).append(" = ").append(r.form().replace("*x^", "*" + xCol + "^")).append("  (")
                .append(r.nPoints()).append(" points, status: ").append(r.status().json()).append(")\n");
        if (r.reason() != null) {
            sb.append("reason: ").append(r.reason()).append('\n');
        }
        sb.append(TextTable.render(FitPlots.PARAMETER_HEADER, FitPlots.parameterRows(r.parameters())));
        if (r.bootstrap() != null) {
            sb.append("\nbootstrap: ").append(r.bootstrap().succeeded()).append('/').append(r.bootstrap().replicates())
                    .append(" refits converged (seed ").append(r.bootstrap().seed()).append(')');
        }
        sb.append("\nrms residual of log ").append(yCol).append(": ").append(TextTable.num(r.rmseLog()));
        sb.append('\n').append(FitPlots.backtestLine(r.backtest(), xCol));
        sb.append(FitPlots.forecastBlock(r.forecasts(), xCol, yCol));
        sb.append(FitPlots.warningsBlock(r.warnings()));
        return sb.toString();
    }
}
