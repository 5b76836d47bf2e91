package org.scalelab.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.io.NumericTable;
import org.scalelab.laws.CurveData;
import org.scalelab.laws.CurveFitResult;
import org.scalelab.laws.CurveFitter;
import org.scalelab.laws.ExponentialDecayFit;
import org.scalelab.report.CurveFitRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scalelab fit exp}: exponential decay to a floor, y = E + A·exp(−x/s). */
@Command(
        name = "exp",
        mixinStandardHelpOptions = true,
        description = {
            "Fit exponential decay to a floor, y = E + A*exp(-x/s), with bootstrap standard errors and 95 %% intervals, "
                    + "forecasts and an extrapolation backtest.",
            ""
        },
        footer = {
            "",
            "Example:",
            "  scalelab fit exp --data curve.csv --x-col step --y-col loss --forecast 20000"
        })
final class FitExpCommand implements Callable<Integer> {
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
            description = "Column holding y. Default: ${DEFAULT-VALUE}.")
    String yCol;

    @Override
    public Integer call() {
        String xCol = scale.column();
        NumericTable t = data.load(lab, List.of(xCol, yCol));
        CurveFitter.Options o = new CurveFitter.Options(uncertainty.replicates(), uncertainty.seed,
                !extrapolation.noBacktest, extrapolation.forecastX());
        CurveFitResult r = ExponentialDecayFit.analyze(new CurveData(t, xCol, yCol), o);
        double[] x = t.column(xCol);
        double[] y = t.column(yCol);
        CliSupport.emit(spec, lab, output, "fit.exp", r, r.provenance(), () -> CurveFitRenderer.text(r, xCol, yCol),
                report -> CurveFitRenderer.section(report, r, x, y, xCol, yCol, t.source()));
        return 0;
    }
}
