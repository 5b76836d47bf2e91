package org.scalelab.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;

/**
 * How a file's columns map onto runs. Every column option is optional: when null, the column named
 * after the role ({@code params}, {@code tokens}, {@code compute}, {@code model}, {@code family}) is
 * used if the file has one. When no metric is given, a column named {@code loss} becomes metric
 * {@code loss}. Params must be present, or tokens and compute; any two of params/tokens/compute give
 * the third (C = 6·N·D). Params alone is a score table (leaderboards): tokens and compute stay empty,
 * and laws that need them refuse those runs.
 *
 * @param paramsCol  column holding the parameter count N (non-embedding or total, as your runs count it)
 * @param tokensCol  column holding the training tokens D
 * @param computeCol column holding the training compute C in FLOPs
 * @param metrics    metric name → column, e.g. {@code loss → final_loss}; names are lower-case identifiers
 * @param familyCol  column naming the model family (grouping label, may be empty)
 * @param modelCol   column naming the model/run (label, may be empty)
 * @param minRows    fewest data rows accepted (an empty file is always refused)
 */
public record ImportOptions(String paramsCol, String tokensCol, String computeCol, Map<String, String> metrics,
        String familyCol, String modelCol, int minRows) {

    public ImportOptions {
        metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        if (minRows < 1) {
            minRows = 1;
        }
    }

    /** Every column by its conventional name, metric {@code loss} if present, at least one row. */
    public static ImportOptions defaults() {
        return new ImportOptions(null, null, null, Map.of(), null, null, 1);
    }

    public ImportOptions withParamsCol(String col) {
        return new ImportOptions(col, tokensCol, computeCol, metrics, familyCol, modelCol, minRows);
    }

    public ImportOptions withTokensCol(String col) {
        return new ImportOptions(paramsCol, col, computeCol, metrics, familyCol, modelCol, minRows);
    }

    public ImportOptions withComputeCol(String col) {
        return new ImportOptions(paramsCol, tokensCol, col, metrics, familyCol, modelCol, minRows);
    }

    public ImportOptions withMetric(String name, String col) {
        Map<String, String> m = new LinkedHashMap<>(metrics);
        m.put(name, col);
        return new ImportOptions(paramsCol, tokensCol, computeCol, m, familyCol, modelCol, minRows);
    }

    public ImportOptions withFamilyCol(String col) {
        return new ImportOptions(paramsCol, tokensCol, computeCol, metrics, col, modelCol, minRows);
    }

    public ImportOptions withModelCol(String col) {
        return new ImportOptions(paramsCol, tokensCol, computeCol, metrics, familyCol, col, minRows);
    }

    public ImportOptions withMinRows(int n) {
        return new ImportOptions(paramsCol, tokensCol, computeCol, metrics, familyCol, modelCol, n);
    }

    /** Parses CLI pairs {@code NAME=COLUMN} ({@code loss=final_loss}); a bare {@code NAME} means the column of that name. */
    public static Map<String, String> parseMetrics(List<String> pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String p : pairs == null ? List.<String>of() : pairs) {
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).trim();
            String col = (eq < 0 ? p : p.substring(eq + 1)).trim();
            if (name.isEmpty() || col.isEmpty()) {
                throw new InputException("--metric '" + p + "': expected NAME=COLUMN, e.g. --metric loss=final_loss");
            }
            if (m.put(name, col) != null) {
                throw new InputException("--metric " + name + " is given twice; give each metric once");
            }
        }
        return m;
    }
}
