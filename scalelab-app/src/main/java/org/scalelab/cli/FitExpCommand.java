package org.scalelab.cli;

import java.util.concurrent.Callable;
import org.scalelab.laws.CurveData;
import org.scalelab.laws.LawFits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
    @Mixin
    CurveFitInput input;

    @Mixin
    LawOptions.Extrapolation extrapolation;

    @Option(names = "--y-col", paramLabel = "COL", defaultValue = "loss",
            description = "Column holding y. Default: ${DEFAULT-VALUE}.")
    String yCol;

    @Override
    public Integer call() {
        CurveData d = input.load(yCol);
        LawFits.CurveOptions o = new LawFits.CurveOptions(input.uncertainty.replicates(), input.uncertainty.seed,
                !extrapolation.noBacktest, extrapolation.forecastX(), true, null, null, 0, null);
        input.emit(LawFits.Law.EXP.analysis(), d, LawFits.curve(LawFits.Law.EXP, d, o));
        return 0;
    }
}
