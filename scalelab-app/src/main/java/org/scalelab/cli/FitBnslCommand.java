package org.scalelab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.scalelab.laws.BrokenPowerLawFit;
import org.scalelab.laws.FitStatus;
import org.scalelab.laws.FittedParameter;
import org.scalelab.report.Plot;
import org.scalelab.report.TextTable;
import org.scalelab.store.NumericTable;
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
    BrokenPowerLawFit.Criterion criterion;

    @Override
    public Integer call() {
        String xCol = scale.column();
        NumericTable t = data.load(lab, List.of(xCol, yCol));
        BrokenPowerLawFit.Options o = new BrokenPowerLawFit.Options(breaks, criterion, uncertainty.replicates(),
                uncertainty.seed, !extrapolation.noBacktest, extrapolation.forecastX());
        BrokenPowerLawFit.Result r = BrokenPowerLawFit.analyze(t, xCol, yCol, o);
        double[] x = t.column(xCol);
        double[] y = t.column(yCol);
        CliSupport.emit(spec, lab, output, "fit.bnsl", r, r.provenance(), () -> text(r, xCol, yCol), report -> {
            report.verdict("status", r.status().json() + (r.reason() == null ? "" : ": " + r.reason()),
                    r.status() == FitStatus.CONVERGED);
            report.text(r.nBreaks() + " break(s) chosen by " + r.criterion().toUpperCase() + " among "
                    + r.candidates().size() + " candidates.");
            report.table(FitPlots.PARAMETER_HEADER, FitPlots.parameterRows(allParameters(r)));
            report.table(CANDIDATE_HEADER, candidateRows(r));
            if (r.status() == FitStatus.CONVERGED) {
                int nb = r.bootstrap() == null ? 0 : r.bootstrap().replicates();
                Plot p = FitPlots.fitPlot("Broken neural scaling law", xCol, yCol, x, y, r::predict,
                        r::predictReplicate, nb, r.forecasts(), true);
                for (int i = 0; i < r.nBreaks(); i++) {
                    p.vline("d" + (i + 1), r.breaks().get(i).d().v());
                }
                report.plot("fit", p, "Data and the chosen BNSL on log–log axes; vertical lines mark the breaks.");
                report.plot("residuals", FitPlots.residualPlot(xCol, x, y, r::predict, true), "Residuals in log space.");
                FitPlots.bootstrapHistograms(report, r.bootstrapSamples());
            }
            FitPlots.backtestTable(report, r.backtest(), xCol);
        });
        return 0;
    }

    static final List<String> CANDIDATE_HEADER = List.of("breaks", "params", "status", "rss(log y)", "AIC", "BIC");

    static List<List<String>> candidateRows(BrokenPowerLawFit.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (BrokenPowerLawFit.Candidate c : r.candidates()) {
            rows.add(List.of(Integer.toString(c.nBreaks()) + (c.nBreaks() == r.nBreaks() ? " *" : ""),
                    Integer.toString(c.nParams()), c.status().json(), TextTable.num(c.rssLog()), TextTable.num(c.aic()),
                    TextTable.num(c.bic())));
        }
        return rows;
    }

    static List<FittedParameter> allParameters(BrokenPowerLawFit.Result r) {
        List<FittedParameter> ps = new ArrayList<>(r.parameters());
        for (BrokenPowerLawFit.Break b : r.breaks()) {
            ps.add(b.c());
            ps.add(b.d());
            ps.add(b.f());
        }
        return ps;
    }

    static String text(BrokenPowerLawFit.Result r, String xCol, String yCol) {
        StringBuilder sb = new StringBuilder();
        sb.append("broken neural scaling law: ").append(yCol).append(" vs ").append(xCol).append("  (")
                .append(r.nPoints()).append(" points, status: ").append(r.status().json()).append(", ")
                .append(r.nBreaks()).append(" break(s) by ").append(r.criterion().toUpperCase()).append(")\n");
        if (r.reason() != null) {
            sb.append("reason: ").append(r.reason()).append('\n');
        }
        sb.append(TextTable.render(FitPlots.PARAMETER_HEADER, FitPlots.parameterRows(allParameters(r))));
        sb.append("\n\n").append(TextTable.render(CANDIDATE_HEADER, candidateRows(r)));
        sb.append('\n').append(FitPlots.backtestLine(r.backtest(), xCol));
        sb.append(FitPlots.forecastBlock(r.forecasts(), xCol, yCol));
        sb.append(FitPlots.warningsBlock(r.warnings()));
        return sb.toString();
    }
}
