package org.scalelab.cli;

import java.util.concurrent.Callable;
import org.scalelab.laws.CurveData;
import org.scalelab.laws.LawFits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
    @Mixin
    CurveFitInput input;

    @Mixin
    LawOptions.Extrapolation extrapolation;

    @Option(names = "--y-col", paramLabel = "COL", defaultValue = "loss",
            description = "Column holding y (must be > 0). Default: ${DEFAULT-VALUE}.")
    String yCol;

    @Option(names = "--no-offset", description = "Fix E = 0 (Kaplan et al. 2020 form y = (x_c/x)^alpha).")
    boolean noOffset;

    @Override
    public Integer call() {
        CurveData d = input.load(yCol);
        LawFits.CurveOptions o = new LawFits.CurveOptions(input.uncertainty.replicates(), input.uncertainty.seed,
                !extrapolation.noBacktest, extrapolation.forecastX(), !noOffset, null, null, 0, null);
        input.emit(LawFits.Law.POWER.analysis(), d, LawFits.curve(LawFits.Law.POWER, d, o));
        return 0;
    }
}
