package org.scalelab.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.io.NumericTable;
import org.scalelab.laws.BrokenPowerLawFit;
import org.scalelab.laws.CurveData;
import org.scalelab.laws.CurveFitResult;
import org.scalelab.laws.CurveFitter;
import org.scalelab.report.CurveFitRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

    @Option(names = "--breaks", paramLabel = "K", defaultValue = "2",
            description = "Largest number of breaks tried (0..K are fitted). Default: ${DEFAULT-VALUE}.")
    int breaks;

    @Option(names = "--criterion", paramLabel = "IC", defaultValue = "bic",
            description = "How the number of breaks is chosen: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    CurveFitter.Criterion criterion;

    @Override
    public Integer call() {
        String xCol = scale.column();
        NumericTable t = data.load(lab, List.of(xCol, yCol));
        BrokenPowerLawFit.Options o = new BrokenPowerLawFit.Options(breaks, criterion, uncertainty.replicates(),
                uncertainty.seed, !extrapolation.noBacktest, extrapolation.forecastX());
        CurveFitResult r = BrokenPowerLawFit.analyze(new CurveData(t, xCol, yCol), o);
        double[] x = t.column(xCol);
        double[] y = t.column(yCol);
        CliSupport.emit(spec, lab, output, "fit.bnsl", r, r.provenance(), () -> CurveFitRenderer.text(r, xCol, yCol),
                report -> CurveFitRenderer.section(report, r, x, y, xCol, yCol, t.source()));
        return 0;
    }
}
