package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.eval.EvalComparison;
import org.scalelab.eval.TaskMetrics;
import org.scalelab.stats.McNemarResult;
import org.scalelab.stats.PairedBootstrapResult;

/**
 * Two evaluations compared on the same examples: per task and metric, the 0/1 metrics (acc, acc_norm,
 * mc1) by McNemar's exact test and the others (mc2) by a paired bootstrap.
 */
public final class EvalComparisonRenderer implements Renderer<EvalComparison.Result> {
    static final List<String> HEADER = List.of("task", "n", "metric", "A", "B", "A − B", "interval", "p", "test");

    @Override
    public String text(EvalComparison.Result r) {
        StringBuilder sb = new StringBuilder("A = " + r.a() + ", B = " + r.b() + "; paired tests on the same examples, " + level(r) + " intervals"
                + (r.norm() == null ? "" : ", acc_norm by " + r.norm()) + "\n");
        sb.append(TextTable.render(HEADER, rows(r)));
        for (String note : r.notes()) {
            sb.append("\n").append(note);
        }
        return sb.toString();
    }

    @Override
    public void section(Report report, EvalComparison.Result r) {
        report.heading("Paired comparison: " + r.a() + " vs " + r.b());
        report.text("Both evaluations scored the same examples, so the tests are paired: McNemar's exact test on the examples"
                + " only one model gets right for the 0/1 metrics (acc, acc_norm, mc1), and a paired bootstrap of the per-example"
                + " values for the others (mc2, the probability mass on the golds), with " + level(r) + " intervals of the difference A − B"
                + (r.norm() == null ? "." : "; acc_norm divides by " + r.norm() + "."));
        report.table(HEADER, rows(r));
        for (String note : r.notes()) {
            report.text(note);
        }
    }

    private static String level(EvalComparison.Result r) {
        return TextTable.num(100 * r.options().level()) + "%";
    }

    static List<List<String>> rows(EvalComparison.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (EvalComparison.TaskComparison t : r.tasks()) {
            for (String metric : TaskMetrics.NAMES) {
                McNemarResult m = t.mcnemar().get(metric);
                if (m != null) {
                    rows.add(List.of(t.task(), Integer.toString(t.n()), metric, TextTable.num(m.accuracyA()), TextTable.num(m.accuracyB()),
                            TextTable.num(m.difference()), TextTable.interval(new double[] {m.low(), m.high()}), TextTable.num(m.pValue()),
                            "McNemar exact (" + m.onlyA() + " vs " + m.onlyB() + " discordant)"));
                }
                PairedBootstrapResult b = t.bootstrap().get(metric);
                if (b != null) {
                    rows.add(List.of(t.task(), Integer.toString(t.n()), metric, TextTable.num(b.meanA()), TextTable.num(b.meanB()),
                            TextTable.num(b.difference()), TextTable.interval(new double[] {b.low(), b.high()}), TextTable.num(b.pValue()),
                            "paired bootstrap (" + b.replicates() + ")"));
                }
            }
        }
        return rows;
    }
}
