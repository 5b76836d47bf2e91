package org.scalelab.cli;

import java.util.concurrent.Callable;
import org.scalelab.laws.CurveData;
import org.scalelab.laws.CurveFitter;
import org.scalelab.laws.LawFits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code scalelab fit bnsl}: broken neural scaling law (Caballero et al. 2022) with 0..k breaks. */
@Command(
        name = "bnsl",
        mixinStandardHelpOptions = true,
        description = {
            "Fit a broken neural scaling law with up to K breaks (Caballero et al. 2022).",
            "The law (eq. 1):",
            "  y = a + b*x^-c0 * prod_i (1 + (x/d_i)^(1/f_i))^(-c_i*f_i)",
            "with 0..K breaks, choosing the number of breaks by BIC (or AIC). Every",
            "k's fit is reported; the chosen one gets bootstrap intervals, including",
            "for the break locations d_i.",
            ""
        },
        footer = {
            "",
            "Example:",
            "  scalelab fit bnsl --data data/chinchilla_hoffmann2022_fig4.csv \\",
            "      --x compute --y-col loss --breaks 2 --out lab/reports/bnsl"
        })
final class FitBnslCommand implements Callable<Integer> {
    @Mixin
    CurveFitInput input;

    @Mixin
    LawOptions.Extrapolation extrapolation;

    @Option(names = "--y-col", paramLabel = "COL", defaultValue = "loss",
            description = "Column holding y (must be > 0). Default: ${DEFAULT-VALUE}.")
    String yCol;

    @Option(names = "--breaks", paramLabel = "K", defaultValue = "2",
            description = "Largest number of breaks tried (0..K are fitted). Default: ${DEFAULT-VALUE}.")
    int breaks;

    @Option(names = "--criterion", paramLabel = "IC", defaultValue = "bic",
            description = "How the number of breaks is chosen: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    CurveFitter.Criterion criterion;

    @Override
    public Integer call() {
        CurveData d = input.load(yCol);
        LawFits.CurveOptions o = new LawFits.CurveOptions(input.uncertainty.replicates(), input.uncertainty.seed,
                !extrapolation.noBacktest, extrapolation.forecastX(), true, null, null, breaks, criterion);
        input.emit(LawFits.Law.BNSL.analysis(), d, LawFits.curve(LawFits.Law.BNSL, d, o));
        return 0;
    }
}
