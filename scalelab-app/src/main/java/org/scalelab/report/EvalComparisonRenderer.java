package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.eval.EvalComparison;

/** Two evaluations compared on the same examples: per task, acc by McNemar's exact test and mc2 by a paired bootstrap. */
public final class EvalComparisonRenderer implements Renderer<EvalComparison.Result> {
    static final List<String> HEADER = List.of("task", "n", "metric", "A", "B", "A − B", "interval", "p", "test");

    @Override
    public String text(EvalComparison.Result r) {
        return "A = " + r.a() + ", B = " + r.b() + "; paired tests on the same examples, " + level(r) + " intervals\n"
                + TextTable.render(HEADER, rows(r));
    }

    @Override
    public void section(Report report, EvalComparison.Result r) {
        report.heading("Paired comparison: " + r.a() + " vs " + r.b());
        report.text("Both evaluations scored the same examples, so the tests are paired: McNemar's exact test on the examples"
                + " only one model gets right (acc), and a paired bootstrap of the per-example probability mass on the golds (mc2), with "
                + level(r) + " intervals of the difference A − B.");
        report.table(HEADER, rows(r));
    }

    private static String level(EvalComparison.Result r) {
        return TextTable.num(100 * r.options().level()) + "%";
    }

    static List<List<String>> rows(EvalComparison.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (EvalComparison.TaskComparison t : r.tasks()) {
            var acc = t.acc();
            rows.add(List.of(t.task(), Integer.toString(t.n()), "acc", TextTable.num(acc.accuracyA()), TextTable.num(acc.accuracyB()),
                    TextTable.num(acc.difference()), TextTable.interval(new double[] {acc.low(), acc.high()}), TextTable.num(acc.pValue()),
                    "McNemar exact (" + acc.onlyA() + " vs " + acc.onlyB() + " discordant)"));
            var mc2 = t.mc2();
            if (mc2 != null) {
                rows.add(List.of(t.task(), Integer.toString(t.n()), "mc2", TextTable.num(mc2.meanA()), TextTable.num(mc2.meanB()),
                        TextTable.num(mc2.difference()), TextTable.interval(new double[] {mc2.low(), mc2.high()}), TextTable.num(mc2.pValue()),
                        "paired bootstrap (" + mc2.replicates() + ")"));
            }
        }
        return rows;
    }
}
