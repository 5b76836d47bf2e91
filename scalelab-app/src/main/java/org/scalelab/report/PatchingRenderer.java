package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import org.scalelab.interp.Patching;

/**
 * An activation-patching or head-ablation grid: the normalised logit-difference recovery per cell
 * as a table and a heatmap (rows × columns: layer × position, layer × head, or hook × layer).
 */
public final class PatchingRenderer implements Renderer<Patching.Result> {
    @Override
    public String text(Patching.Result r) {
        return summary(r) + "\n" + TextTable.render(header(r), rows(r));
    }

    @Override
    public void section(Report report, Patching.Result r) {
        report.text(summary(r));
        double lo = 0;
        double hi = 1;
        for (double[] row : r.recovery()) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        double reach = Math.max(Math.abs(lo - 0.5), Math.abs(hi - 0.5)); // symmetric around 0.5: white is half recovered
        String[] x = r.columns().toArray(String[]::new);
        String[] y = r.rows().toArray(String[]::new);
        report.plot("recovery", Plot.of(title(r), r.columnAxis(), r.rowAxis()).categories(x, y).size(Math.max(480, 60 * x.length + 200),
                        Math.max(320, 40 * y.length + 160)).heatmap("recovery", r.recovery(), 0.5 - reach, 0.5 + reach),
                "Normalised logit-difference recovery per cell: 0 (blue side) = the corrupted run, 1 (red side) = the clean run.");
        report.table(header(r), rows(r));
    }

    static String title(Patching.Result r) {
        return (r.method().equals("patch") ? "activation patching" : "head ablation (" + r.method().substring(7) + ")") + " at " + r.hook()
                + ", " + r.rowAxis() + " × " + r.columnAxis();
    }

    static String summary(Patching.Result r) {
        String what = r.method().equals("patch")
                ? "recovery = (LD_patched − LD_corrupted) / (LD_clean − LD_corrupted): 0 = corrupted, 1 = clean"
                : "score = (LD_ablated − LD_corrupted) / (LD_clean − LD_corrupted): 1 = the head's removal changes nothing, 0 = as corrupted";
        return title(r) + " over " + r.pairs() + " pair" + (r.pairs() == 1 ? "" : "s") + "; LD = logit(answer) − logit(wrong) at the last position,"
                + " mean over pairs: clean " + TextTable.num(r.cleanLogitDiff()) + ", corrupted " + TextTable.num(r.corruptedLogitDiff()) + "\n" + what;
    }

    private static List<String> header(Patching.Result r) {
        List<String> h = new ArrayList<>();
        h.add(r.rowAxis() + " \\ " + r.columnAxis());
        h.addAll(r.columns());
        return h;
    }

    private static List<List<String>> rows(Patching.Result r) {
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < r.rows().size(); i++) {
            List<String> row = new ArrayList<>();
            row.add(r.rows().get(i));
            for (double v : r.recovery()[i]) {
                row.add(Double.isNaN(v) ? "n/a" : String.format(java.util.Locale.ROOT, "%.3f", v));
            }
            rows.add(row);
        }
        return rows;
    }
}
