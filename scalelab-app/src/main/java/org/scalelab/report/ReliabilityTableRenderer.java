package org.scalelab.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.scalelab.laws.Reliability;

/**
 * Task success over n steps for each per-step accuracy p: one row per p, one column per step count,
 * and the curves of success against steps (dashed: independent steps, when difficulty is shared).
 * Made for the accuracies and step counts asked for, which give the table its rows and columns.
 */
public final class ReliabilityTableRenderer implements Renderer<Reliability.Table> {
    private final double[] p;
    private final long[] steps;

    public ReliabilityTableRenderer(double[] p, long[] steps) {
        this.p = p.clone();
        this.steps = steps.clone();
    }

    @Override
    public String text(Reliability.Table r) {
        return "task success (" + (r.rho() == 0 ? "independent steps" : "rho = " + r.rho()) + ")\n" + TextTable.render(header(), rows(r));
    }

    @Override
    public void section(Report report, Reliability.Table r) {
        double rho = r.rho();
        report.text(model(rho));
        double[] grid = Plot.logGrid(1, Math.max(10, Arrays.stream(steps).max().getAsLong() * 10), 80);
        Plot plot = Plot.of("Task success vs steps", "steps", "task success").logX();
        for (double pp : p) {
            plot.line("p = " + pp, grid, Arrays.stream(grid).map(g -> Reliability.success(pp, Math.round(g), rho)).toArray());
            if (rho > 0) {
                plot.dashed("p = " + pp + ", independent", grid, Arrays.stream(grid).map(g -> Reliability.success(pp, Math.round(g))).toArray());
            }
        }
        report.plot("success", plot, "Probability that every step succeeds.");
        report.table(header(), rows(r));
    }

    /** The step model in words: independent steps, or the beta-binomial of shared difficulty. */
    static String model(double rho) {
        return rho == 0 ? "Independent steps: success = p^n."
                : "Shared difficulty (beta-binomial): per-task accuracy q ~ Beta(p(1-rho)/rho, (1-p)(1-rho)/rho), rho = "
                        + rho + "; success = E[q^n]. Dashed: independent steps.";
    }

    List<String> header() {
        List<String> h = new ArrayList<>(List.of("p", "nines"));
        for (long s : steps) {
            h.add(s + " steps");
        }
        return h;
    }

    List<List<String>> rows(Reliability.Table r) {
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < r.rows().size(); i += steps.length) {
            Reliability.Row first = r.rows().get(i);
            List<String> cells = new ArrayList<>(List.of(Double.toString(first.p()), TextTable.num(first.nines())));
            for (int j = 0; j < steps.length; j++) {
                cells.add(percent(r.rows().get(i + j).success()));
            }
            rows.add(cells);
        }
        return rows;
    }

    static String percent(double v) {
        return v >= 0.001 ? String.format(Locale.ROOT, "%.1f%%", 100 * v) : String.format(Locale.ROOT, "%.2e%%", 100 * v);
    }
}
