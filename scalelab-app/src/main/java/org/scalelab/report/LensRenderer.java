package org.scalelab.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.scalelab.interp.Lens;

/**
 * The logit lens (one row per residual stream: the target's logit, rank and probability and the
 * top tokens) and the direct logit attribution (components by size, their sum against the model's
 * logit), per prompt; in a report also a layer × head heatmap of the mean head contributions.
 */
public final class LensRenderer implements Renderer<Lens.Result> {
    /** Attribution rows printed per prompt (the largest by magnitude); the sum covers all. */
    static final int SHOWN_COMPONENTS = 12;

    @Override
    public String text(Lens.Result r) {
        StringBuilder b = new StringBuilder();
        for (Lens.PromptLens p : r.prompts()) {
            b.append(heading(r, p)).append('\n').append(TextTable.render(lensHeader(r), lensRows(p))).append('\n');
            if (p.attributedValue() != null) {
                b.append(attributionNote(r, p)).append('\n').append(TextTable.render(List.of("component", "contribution"), attributionRows(p)))
                        .append('\n');
            }
        }
        return b.toString().stripTrailing();
    }

    @Override
    public void section(Report report, Lens.Result r) {
        report.text("Logit lens: each residual stream read through the final norm with its own scale, then the unembedding. "
                + "Direct logit attribution: each component read with the final norm's scale frozen from the last residual stream "
                + "(LayerNorm centres each component), as TransformerLens' apply_ln_to_stack; the two are not interchangeable.");
        double[][] heads = meanHeads(r);
        if (heads != null) {
            double reach = 1e-12;
            for (double[] row : heads) {
                for (double v : row) {
                    reach = Math.max(reach, Math.abs(v));
                }
            }
            String[] x = new String[heads[0].length];
            String[] y = new String[heads.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = Integer.toString(i);
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = Integer.toString(i);
            }
            report.plot("head-attribution", Plot.of("direct logit attribution per head (mean over prompts)", "head", "layer").categories(x, y)
                    .size(Math.max(480, 60 * x.length + 200), Math.max(320, 40 * y.length + 160)).heatmap("contribution", heads, -reach, reach),
                    "Each head's direct contribution to " + target(r) + ", red positive, blue negative.");
        }
        for (Lens.PromptLens p : r.prompts()) {
            report.heading(heading(r, p));
            report.table(lensHeader(r), lensRows(p));
            if (p.attributedValue() != null) {
                report.text(attributionNote(r, p));
                report.table(List.of("component", "contribution"), attributionRows(p));
            }
        }
    }

    private static String target(Lens.Result r) {
        return r.versus() == null ? "logit(" + quote(r.target()) + ")" : "logit(" + quote(r.target()) + ") − logit(" + quote(r.versus()) + ")";
    }

    private static String heading(Lens.Result r, Lens.PromptLens p) {
        return "prompt " + p.id() + ", last position " + p.position() + " (" + quote(p.lastToken()) + "): logit lens of " + quote(r.target())
                + (r.versus() == null ? "" : " vs " + quote(r.versus()));
    }

    private static String attributionNote(Lens.Result r, Lens.PromptLens p) {
        return "direct logit attribution to " + target(r) + " (final norm scale frozen from the last layer): sum of all "
                + p.contributions().size() + " terms " + num(p.attributedValue()) + ", the model's " + num(p.modelValue());
    }

    private static List<String> lensHeader(Lens.Result r) {
        List<String> h = new ArrayList<>(List.of("residual", "logit", "rank", "prob"));
        if (r.versus() != null) {
            h.add("logit diff");
        }
        h.add("top tokens");
        return h;
    }

    private static List<List<String>> lensRows(Lens.PromptLens p) {
        List<List<String>> rows = new ArrayList<>();
        for (Lens.Reading g : p.layers()) {
            List<String> row = new ArrayList<>(List.of(g.hook(), num(g.targetLogit()), Integer.toString(g.targetRank()), num(g.targetProbability())));
            if (g.logitDiff() != null) {
                row.add(num(g.logitDiff()));
            }
            List<String> top = new ArrayList<>();
            for (Lens.TopToken t : g.top()) {
                top.add(quote(t.text()) + " " + String.format(Locale.ROOT, "%.3g", t.probability()));
            }
            row.add(String.join(", ", top));
            rows.add(row);
        }
        return rows;
    }

    private static List<List<String>> attributionRows(Lens.PromptLens p) {
        List<Lens.Contribution> sorted = new ArrayList<>(p.contributions());
        sorted.sort(Comparator.comparingDouble((Lens.Contribution c) -> -Math.abs(c.value())));
        List<List<String>> rows = new ArrayList<>();
        double rest = 0;
        for (int i = 0; i < sorted.size(); i++) {
            if (i < SHOWN_COMPONENTS) {
                rows.add(List.of(sorted.get(i).component(), num(sorted.get(i).value())));
            } else {
                rest += sorted.get(i).value();
            }
        }
        if (sorted.size() > SHOWN_COMPONENTS) {
            rows.add(List.of("(" + (sorted.size() - SHOWN_COMPONENTS) + " others)", num(rest)));
        }
        rows.add(List.of("sum", num(p.attributedValue())));
        return rows;
    }

    /** [layer][head] mean contributions, or null when the attribution has no heads. */
    static double[][] meanHeads(Lens.Result r) {
        int layers = 0;
        int heads = 0;
        for (Lens.Contribution c : r.meanContributions()) {
            if (c.head() >= 0) {
                layers = Math.max(layers, c.layer() + 1);
                heads = Math.max(heads, c.head() + 1);
            }
        }
        if (heads == 0) {
            return null;
        }
        double[][] grid = new double[layers][heads];
        for (Lens.Contribution c : r.meanContributions()) {
            if (c.head() >= 0) {
                grid[c.layer()][c.head()] = c.value();
            }
        }
        return grid;
    }

    private static String num(double v) {
        return TextTable.num(v);
    }

    private static String quote(String token) {
        return "'" + token.replace("\n", "\\n") + "'";
    }
}
