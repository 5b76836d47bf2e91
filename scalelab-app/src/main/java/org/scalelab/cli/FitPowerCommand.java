package org.scalelab.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.io.NumericTable;
import org.scalelab.laws.CurveData;
import org.scalelab.laws.CurveFitResult;
import org.scalelab.laws.PowerLawFit;
import org.scalelab.report.CurveFitRenderer;
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
        CurveFitResult r = PowerLawFit.analyze(new CurveData(t, xCol, yCol), o);
        double[] x = t.column(xCol);
        double[] y = t.column(yCol);
        CliSupport.emit(spec, lab, output, "fit.power", r, r.provenance(), () -> CurveFitRenderer.text(r, xCol, yCol),
                report -> CurveFitRenderer.section(report, r, x, y, xCol, yCol, t.source()));
        return 0;
    }
}
