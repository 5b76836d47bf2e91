package org.scalelab.laws;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.Provenance;
import org.scalelab.io.TextColumns;

/**
 * Reads per-problem sample counts for pass@k: one row per problem with columns problem (any text id),
 * n (samples drawn, integer ≥ 1) and c (correct samples, integer, 0 ≤ c ≤ n). Column names are
 * configurable; CSV, Parquet or JSONL, e.g.
 * <pre>
 * problem,n,c              {"problem": "HumanEval/0", "n": 200, "c": 37}
 * HumanEval/0,200,37
 * </pre>
 * A problem id may appear only once: two rows for one problem are almost always a join mistake.
 */
public final class PassAtKInput {
    private PassAtKInput() {}

    /** The problems and where they came from. */
    public record Data(List<PassAtK.Problem> problems, Provenance.Input input) {}

    public static Data read(Path file, String problemCol, String nCol, String cCol) {
        TextColumns t = TextColumns.read(file, List.of(problemCol, nCol, cCol), List.of());
        List<PassAtK.Problem> problems = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < t.size(); i++) {
            String id = t.get(i, problemCol);
            if (id == null || id.isBlank()) {
                throw new InputException(t.at(i, problemCol) + ": empty problem id; fill it in or drop the row");
            }
            Integer before = seen.put(id, i);
            if (before != null) {
                throw new InputException(t.at(i, problemCol) + ": problem '" + id + "' already appeared at "
                        + t.where().get(before) + "; give one row per problem (sum n and c if they are separate runs)");
            }
            int n = count(t, i, nCol);
            int c = count(t, i, cCol);
            if (n < 1) {
                throw new InputException(t.at(i, nCol) + ": value " + n + " samples; need n ≥ 1");
            }
            if (c > n) {
                throw new InputException(t.at(i, cCol) + ": value " + c + " correct exceeds n = " + n + " samples; need c ≤ n");
            }
            problems.add(new PassAtK.Problem(id, n, c));
        }
        return new Data(problems, t.provenanceInput());
    }

    /** A non-negative integer count; "12.0" is accepted (JSON writers often emit it), "12.5" and NaN are not. */
    static int count(TextColumns t, int row, String col) {
        String s = t.get(row, col);
        if (s == null || s.isBlank()) {
            throw new InputException(t.at(row, col) + ": empty value; fill it in or drop the row");
        }
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new InputException(t.at(row, col) + ": '" + InputException.quote(s) + "' is not a number");
        }
        if (!Double.isFinite(v) || v < 0 || v != Math.rint(v) || v > Integer.MAX_VALUE) {
            throw new InputException(t.at(row, col) + ": value " + InputException.quote(s) + " is not a non-negative integer count");
        }
        return (int) v;
    }
}
