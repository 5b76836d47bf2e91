package org.scalelab.phase;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.TextColumns;

/**
 * Benchmark scores of models grouped in families: one row per model with its family, its parameter
 * count and two scores {@code a} and {@code b} (e.g. HellaSwag and TruthfulQA), optionally the scores'
 * standard errors, the model's width d_model and further benchmark columns ({@code also}).
 *
 * <p>Read from {@link TextColumns} (a CSV, Parquet or JSONL file, or the rows of a store query) and
 * checked on the way in: every value must be a finite number (params and d_model &gt; 0, standard
 * errors ≥ 0), a model name may appear once in the table, and two models of one family may not share
 * a size (the family's steps would have no order). Every message names source, row, column and value.
 *
 * @param a     the first score's column name (the denominator of γ12)
 * @param b     the second score's column name (the numerator of γ12, the quadratic's response)
 * @param also  further benchmark columns, for the benchmark-space dimension
 */
public record ScoreTable(String source, String a, String b, List<String> also, boolean hasStderr, boolean hasWidth,
        List<Row> rows, Provenance.Input input) {

    /**
     * One model. {@code aStderr}/{@code bStderr} are 0 when the table gives no standard errors for that
     * score; {@code dModel} is NaN without a width column; {@code where} locates the row in messages.
     */
    public record Row(String family, String model, double params, double a, double b, double aStderr, double bStderr,
            double dModel, double[] also, String where) {}

    /**
     * Which columns hold what. {@code aStderr}, {@code bStderr} and {@code dModel} may be null (absent);
     * {@code also} may be empty.
     */
    public record Columns(String family, String model, String params, String a, String b, String aStderr, String bStderr,
            String dModel, List<String> also) {
        public Columns {
            also = List.copyOf(also);
        }

        /** Every column the table needs, in order (the reader refuses a source without one of them). */
        public List<String> all() {
            List<String> c = new ArrayList<>(List.of(family, model, params, a, b));
            for (String s : new String[] {aStderr, bStderr, dModel}) {
                if (s != null) {
                    c.add(s);
                }
            }
            c.addAll(also);
            return c;
        }
    }

    public ScoreTable {
        also = List.copyOf(also);
        rows = List.copyOf(rows);
    }

    public int size() {
        return rows.size();
    }

    /** Checks and converts the text columns; see the class comment for what is refused. */
    public static ScoreTable read(TextColumns t, Columns c) {
        List<String> all = c.all();
        for (String col : all) {
            if (!t.has(col)) {
                throw new InputException(t.source() + ": no column '" + col + "' (columns: " + String.join(", ", t.columns()) + ")");
            }
        }
        List<Row> rows = new ArrayList<>();
        Map<String, Integer> seenModel = new HashMap<>();
        Map<String, Integer> seenSize = new HashMap<>();
        for (int i = 0; i < t.size(); i++) {
            String family = text(t, i, c.family());
            String model = text(t, i, c.model());
            Integer before = seenModel.put(model, i);
            if (before != null) {
                throw new InputException(t.at(i, c.model()) + ": model '" + InputException.quote(model) + "' already appeared at "
                        + t.where().get(before) + "; give one row per model (average repeated evaluations first)");
            }
            double params = number(t, i, c.params());
            if (!(params > 0)) {
                throw new InputException(t.at(i, c.params()) + ": value " + t.get(i, c.params()) + " must be > 0 (a parameter count)");
            }
            Integer sameSize = seenSize.put(family + "\u0000" + params, i);
            if (sameSize != null) {
                throw new InputException(t.at(i, c.params()) + ": family '" + InputException.quote(family) + "' already has a model of "
                        + t.get(i, c.params()) + " parameters at " + t.where().get(sameSize)
                        + "; consecutive sizes need distinct sizes (keep one, or split the family)");
            }
            double a = number(t, i, c.a());
            double b = number(t, i, c.b());
            double aSe = c.aStderr() == null ? 0 : stderr(t, i, c.aStderr());
            double bSe = c.bStderr() == null ? 0 : stderr(t, i, c.bStderr());
            double d = Double.NaN;
            if (c.dModel() != null) {
                d = number(t, i, c.dModel());
                if (!(d > 0)) {
                    throw new InputException(t.at(i, c.dModel()) + ": value " + t.get(i, c.dModel()) + " must be > 0 (a width)");
                }
            }
            double[] more = new double[c.also().size()];
            for (int k = 0; k < more.length; k++) {
                more[k] = number(t, i, c.also().get(k));
            }
            rows.add(new Row(family, model, params, a, b, aSe, bSe, d, more, t.where().get(i)));
        }
        if (rows.isEmpty()) {
            throw new InputException(t.source() + ": no data rows");
        }
        return new ScoreTable(t.source(), c.a(), c.b(), c.also(), c.aStderr() != null || c.bStderr() != null,
                c.dModel() != null, rows, t.provenanceInput());
    }

    /** The families in order of first appearance, each with its rows sorted by parameter count. */
    public Map<String, List<Row>> families() {
        Map<String, List<Row>> f = new LinkedHashMap<>();
        for (Row r : rows) {
            f.computeIfAbsent(r.family(), k -> new ArrayList<>()).add(r);
        }
        f.values().forEach(l -> l.sort(Comparator.comparingDouble(Row::params)));
        return f;
    }

    private static String text(TextColumns t, int i, String col) {
        String s = t.get(i, col);
        if (s == null || s.isBlank()) {
            throw new InputException(t.at(i, col) + ": empty value; fill it in or drop the row");
        }
        return s.strip();
    }

    private static double number(TextColumns t, int i, String col) {
        String s = text(t, i, col);
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new InputException(t.at(i, col) + ": value '" + InputException.quote(s) + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new InputException(t.at(i, col) + ": value " + InputException.quote(s) + " is not finite; fix or drop the row");
        }
        return v;
    }

    private static double stderr(TextColumns t, int i, String col) {
        double v = number(t, i, col);
        if (v < 0) {
            throw new InputException(t.at(i, col) + ": value " + t.get(i, col) + " is a negative standard error");
        }
        return v;
    }
}
