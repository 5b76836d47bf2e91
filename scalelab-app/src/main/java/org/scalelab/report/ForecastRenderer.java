package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.scalelab.laws.ComputeOptimal;

/**
 * Renders a compute-optimal forecast ({@link ComputeOptimal.Forecast}): N_opt, D_opt, tokens per
 * parameter and loss per budget, and the loss at given (N, D), with their bootstrap intervals, as text
 * and as a report section with the frontier N_opt(C).
 */
public final class ForecastRenderer {
    private ForecastRenderer() {}

    /** The report section: how the forecast was made, its tables and the N_opt(C) plot. */
    public static void section(Report report, ComputeOptimal.Forecast f) {
        report.text("Compute-optimal allocation from L(N, D) = E + A/N^alpha + B/D^beta with C = 6ND (Hoffmann et al. 2022, eq. 4); "
                + (f.replicates() > 0 ? "95% intervals from " + f.replicates() + " bootstrap replicates." : "no bootstrap replicates, so no intervals."));
        if (!f.budgets().isEmpty()) {
            report.table(List.of("compute (FLOP)", "N_opt", "D_opt", "tokens/param", "loss"), budgetRows(f));
            double[] c = f.budgets().stream().mapToDouble(ComputeOptimal.Allocation::compute).toArray();
            double[] mid = f.budgets().stream().mapToDouble(a -> a.params().value()).toArray();
            Plot plot = Plot.of("Compute-optimal model size", "compute C (FLOP)", "N_opt (parameters)").logX().logY();
            if (f.replicates() > 0) {
                double[] lo = f.budgets().stream().mapToDouble(a -> a.params().lo()).toArray();
                double[] hi = f.budgets().stream().mapToDouble(a -> a.params().hi()).toArray();
                plot.band("95% interval", c, mid, lo, hi);
            }
            report.plot("n_opt", plot.line("N_opt", c, mid).points("budgets", c, mid), "N_opt(C) = G (C/6)^a.");
        }
        if (!f.points().isEmpty()) {
            report.table(List.of("params N", "tokens D", "predicted loss"), pointRows(f));
        }
    }

    static String est(ComputeOptimal.Estimate e) {
        if (e.lo() == null) {
            return TextTable.num(e.value());
        }
        return TextTable.num(e.value()) + " [" + TextTable.num(e.lo()) + ", " + TextTable.num(e.hi()) + "]";
    }

    static List<List<String>> budgetRows(ComputeOptimal.Forecast f) {
        List<List<String>> rows = new ArrayList<>();
        for (ComputeOptimal.Allocation a : f.budgets()) {
            rows.add(List.of(String.format(Locale.ROOT, "%.3g", a.compute()), est(a.params()), est(a.tokens()),
                    est(a.tokensPerParam()), est(a.loss())));
        }
        return rows;
    }

    static List<List<String>> pointRows(ComputeOptimal.Forecast f) {
        List<List<String>> rows = new ArrayList<>();
        for (ComputeOptimal.LossPrediction p : f.points()) {
            rows.add(List.of(String.format(Locale.ROOT, "%.3g", p.params()), String.format(Locale.ROOT, "%.3g", p.tokens()), est(p.loss())));
        }
        return rows;
    }

    /** The text form: the parameters, then a table per kind of forecast. */
    public static String text(ComputeOptimal.Forecast f) {
        StringBuilder sb = new StringBuilder("Chinchilla forecast (E, A, B, alpha, beta = ");
        sb.append(String.join(", ", f.params().values().stream().map(TextTable::num).toList())).append("); ")
                .append(f.replicates() > 0 ? "[95% interval] from " + f.replicates() + " bootstrap replicates" : "no intervals (no replicates)")
                .append('\n');
        if (!f.budgets().isEmpty()) {
            sb.append(TextTable.render(List.of("compute (FLOP)", "N_opt", "D_opt", "tokens/param", "loss"), budgetRows(f)).stripTrailing()).append('\n');
        }
        if (!f.points().isEmpty()) {
            sb.append(TextTable.render(List.of("params N", "tokens D", "predicted loss"), pointRows(f)).stripTrailing()).append('\n');
        }
        return sb.toString().stripTrailing();
    }
}
