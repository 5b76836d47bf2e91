package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.scalelab.store.RunRow;

/**
 * Runs of the lab store as a table: id, model, family, size, tokens, compute (— when not known), the
 * training step when any run has one, and one column per metric any of them has.
 */
public final class RunTableRenderer implements Renderer<List<RunRow>> {
    @Override
    public String text(List<RunRow> runs) {
        return TextTable.render(header(runs), rows(runs));
    }

    @Override
    public void section(Report report, List<RunRow> runs) {
        report.table(header(runs), rows(runs));
    }

    private static TreeSet<String> metricNames(List<RunRow> runs) {
        TreeSet<String> names = new TreeSet<>();
        runs.forEach(r -> names.addAll(r.metrics().keySet()));
        return names;
    }

    /** Whether any run has a training step (runs from checkpoints' evaluations); only then is there a step column. */
    private static boolean anyStep(List<RunRow> runs) {
        return runs.stream().anyMatch(r -> r.step() != null);
    }

    static List<String> header(List<RunRow> runs) {
        List<String> header = new ArrayList<>(List.of("run", "model", "family", "params", "tokens", "compute"));
        if (anyStep(runs)) {
            header.add("step");
        }
        header.addAll(metricNames(runs));
        return header;
    }

    static List<List<String>> rows(List<RunRow> runs) {
        TreeSet<String> metricNames = metricNames(runs);
        boolean step = anyStep(runs);
        List<List<String>> rows = new ArrayList<>();
        for (RunRow r : runs) {
            List<String> row = new ArrayList<>(List.of(Long.toString(r.runId()), r.model() == null ? "" : r.model(),
                    r.family() == null ? "" : r.family(), TextTable.num(r.params()), TextTable.num(r.tokens()), TextTable.num(r.compute())));
            if (step) {
                row.add(r.step() == null ? "—" : Long.toString(r.step()));
            }
            for (String m : metricNames) {
                row.add(TextTable.num(r.metrics().get(m)));
            }
            rows.add(row);
        }
        return rows;
    }
}
