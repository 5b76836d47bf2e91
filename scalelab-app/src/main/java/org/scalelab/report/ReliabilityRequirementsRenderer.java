package org.scalelab.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.scalelab.laws.Reliability;

/**
 * The per-step accuracy (and its nines) that a target task success needs over n steps, with the
 * curves of nines needed against steps for each target asked for.
 */
public final class ReliabilityRequirementsRenderer implements Renderer<Reliability.Requirements> {
    static final List<String> HEADER = List.of("target success", "steps", "per-step accuracy p", "1 - p", "nines");

    private final double[] targets;
    private final long[] steps;

    public ReliabilityRequirementsRenderer(double[] targets, long[] steps) {
        this.targets = targets.clone();
        this.steps = steps.clone();
    }

    @Override
    public String text(Reliability.Requirements r) {
        return "per-step accuracy needed (" + (r.rho() == 0 ? "independent steps" : "rho = " + r.rho()) + ")\n"
                + TextTable.render(HEADER, rows(r));
    }

    @Override
    public void section(Report report, Reliability.Requirements r) {
        double rho = r.rho();
        report.text(ReliabilityTableRenderer.model(rho));
        double[] grid = Plot.logGrid(1, Math.max(10, Arrays.stream(steps).max().getAsLong() * 10), 30);
        Plot plot = Plot.of("Nines needed per step", "steps", "nines of per-step accuracy").logX();
        for (double s : targets) {
            plot.line("success " + TextTable.num(s), grid,
                    Arrays.stream(grid).map(g -> -Math.log10(Reliability.requiredFailureRate(s, Math.round(g), rho))).toArray());
        }
        report.plot("nines", plot, "Per-step nines, -log10(1 - p), needed for each target task success.");
        report.table(HEADER, rows(r));
    }

    static List<List<String>> rows(Reliability.Requirements r) {
        List<List<String>> rows = new ArrayList<>();
        for (Reliability.Requirement q : r.rows()) {
            rows.add(List.of(TextTable.num(q.target()), Long.toString(q.steps()), String.format(Locale.ROOT, "%.10f", q.p()),
                    TextTable.num(q.failureRate()), String.format(Locale.ROOT, "%.2f", q.nines())));
        }
        return rows;
    }
}
