package org.scalelab.cli;

import java.util.concurrent.Callable;
import org.scalelab.InputException;
import org.scalelab.laws.CurveData;
import org.scalelab.laws.LawFits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
    @Mixin
    CurveFitInput input;

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
        CurveData d = input.load(yCol);
        LawFits.CurveOptions o = new LawFits.CurveOptions(input.uncertainty.replicates(), input.uncertainty.seed,
                !extrapolation.noBacktest, extrapolation.forecastX(), true, level("--floor", floor), level("--ceiling", ceiling), 0, null);
        input.emit(LawFits.Law.SIGMOID.analysis(), d, LawFits.curve(LawFits.Law.SIGMOID, d, o));
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
}
