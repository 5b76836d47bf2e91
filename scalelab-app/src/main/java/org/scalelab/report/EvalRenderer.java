package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.scalelab.eval.EvalResult;
import org.scalelab.eval.Metric;
import org.scalelab.eval.RollingScore;
import org.scalelab.eval.TaskScore;

/** A model's scores on multiple-choice tasks (and rolling perplexity): one row per task and metric, with lm-eval's standard error. */
public final class EvalRenderer implements Renderer<EvalResult> {
    static final List<String> HEADER = List.of("task", "n", "metric", "value", "stderr");
    static final List<String> ROLLING_HEADER = List.of("text", "tokens", "bits/byte", "byte ppl", "word ppl");

    @Override
    public String text(EvalResult r) {
        List<String> parts = new ArrayList<>(List.of(summary(r)));
        if (!r.tasks().isEmpty()) {
            parts.add(TextTable.render(HEADER, rows(r)).stripTrailing());
        }
        if (!r.rolling().isEmpty()) {
            parts.add(TextTable.render(ROLLING_HEADER, rollingRows(r)).stripTrailing());
        }
        return String.join("\n", parts);
    }

    @Override
    public void section(Report report, EvalResult r) {
        report.heading("Evaluation of " + r.model());
        report.text(summary(r) + " A choice's score is the summed log-probability of its continuation given the context,"
                + " as lm-evaluation-harness scores multiple-choice tasks; acc_norm divides it by the choice's length ("
                + r.norm() + "); the standard error is the sample standard deviation over √n (lm-eval's mean_stderr).");
        if (!r.tasks().isEmpty()) {
            report.table(HEADER, rows(r));
        }
        if (!r.rolling().isEmpty()) {
            report.text("Rolling log-likelihood of plain text in lm-eval's disjoint windows.");
            report.table(ROLLING_HEADER, rollingRows(r));
        }
    }

    private static String summary(EvalResult r) {
        return r.model() + " (" + r.family() + ", " + String.format("%,d", r.params()) + " parameters)"
                + (r.resumed() > 0 ? "; " + r.resumed() + " examples resumed from an interrupted run." : ".");
    }

    static List<List<String>> rows(EvalResult r) {
        List<List<String>> rows = new ArrayList<>();
        for (TaskScore s : r.tasks()) {
            for (Map.Entry<String, Metric> m : s.metrics().entrySet()) {
                double se = m.getValue().stderr();
                rows.add(List.of(s.task(), Integer.toString(s.n()), m.getKey(), TextTable.num(m.getValue().value()),
                        Double.isFinite(se) ? TextTable.num(se) : "—"));
            }
        }
        return rows;
    }

    static List<List<String>> rollingRows(EvalResult r) {
        List<List<String>> rows = new ArrayList<>();
        for (RollingScore s : r.rolling()) {
            rows.add(List.of(s.text(), Long.toString(s.tokens()), TextTable.num(s.bitsPerByte()), TextTable.num(s.bytePerplexity()),
                    TextTable.num(s.wordPerplexity())));
        }
        return rows;
    }
}
