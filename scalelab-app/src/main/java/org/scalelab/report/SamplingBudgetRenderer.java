package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.laws.SamplingBudget;

/** Repeated sampling against a larger model at equal inference FLOPs: coverage per model and budget, the winner, and the crossovers. */
public final class SamplingBudgetRenderer implements Renderer<SamplingBudget.Result> {
    static final List<String> CROSSOVER_HEADER = List.of("crossover budget (FLOPs)", "from", "to");

    @Override
    public String text(SamplingBudget.Result r) {
        String s = TextTable.render(header(r), rows(r));
        if (!r.crossovers().isEmpty()) {
            s += "\n\ncrossovers\n" + TextTable.render(List.of("budget (FLOPs)", "from", "to"), crossovers(r));
        }
        return s;
    }

    @Override
    public void section(Report report, SamplingBudget.Result r) {
        double[] b = r.rows().stream().mapToDouble(SamplingBudget.BudgetRow::budget).toArray();
        Plot plot = Plot.of("Coverage at equal inference FLOPs", "budget (FLOPs)", "coverage").logX();
        for (int i = 0; i < r.models().size(); i++) {
            int m = i;
            plot.line(r.models().get(i).name(), b, r.rows().stream().mapToDouble(row -> row.models().get(m).coverage()).toArray());
        }
        for (SamplingBudget.Crossover c : r.crossovers()) {
            if (c.from() != null) {
                plot.vline(c.from() + " → " + c.to(), c.budget());
            }
        }
        report.plot("budget", plot, "Coverage each model reaches with floor(B / FLOPs per sample) samples.");
        report.table(header(r), rows(r));
        report.table(CROSSOVER_HEADER, crossovers(r));
    }

    static List<String> header(SamplingBudget.Result r) {
        List<String> h = new ArrayList<>(List.of("budget (FLOPs)"));
        r.models().forEach(m -> h.add(m.name() + " coverage"));
        h.add("winner");
        return h;
    }

    static List<List<String>> rows(SamplingBudget.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (SamplingBudget.BudgetRow row : r.rows()) {
            List<String> cells = new ArrayList<>(List.of(TextTable.num(row.budget())));
            row.models().forEach(e -> cells.add(TextTable.num(e.coverage())));
            cells.add(row.winner() == null ? "none" : row.winner());
            rows.add(cells);
        }
        return rows;
    }

    static List<List<String>> crossovers(SamplingBudget.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (SamplingBudget.Crossover c : r.crossovers()) {
            rows.add(List.of(TextTable.num(c.budget()), c.from() == null ? "none" : c.from(), c.to() == null ? "none" : c.to()));
        }
        return rows;
    }
}
