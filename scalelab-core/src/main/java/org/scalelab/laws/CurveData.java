package org.scalelab.laws;

import java.util.Map;
import org.scalelab.Provenance;
import org.scalelab.io.NumericTable;

/**
 * The input of a single-variable law: columns {@code xCol} (the scale x) and {@code yCol} (the metric
 * y) of a table read from a file or the lab store.
 */
public record CurveData(NumericTable table, String xCol, String yCol) {
    public double[] x() {
        return table.column(xCol);
    }

    public double[] y() {
        return table.column(yCol);
    }

    /** Fails with the offending row when x (and, for a law fitted on log y, y) is not positive. */
    void requirePositive(boolean y) {
        table.requirePositive(xCol);
        if (y) {
            table.requirePositive(yCol);
        }
    }

    /**
     * Provenance of an analysis of these columns: the table as input; options are the analysis's own,
     * then the columns.
     */
    Provenance provenance(String analysis, Map<String, Object> options, Long seed) {
        Map<String, Object> opts = new java.util.LinkedHashMap<>(options);
        opts.put("x_col", xCol);
        opts.put("y_col", yCol);
        return Provenance.of(analysis, java.util.List.of(table.provenanceInput()), opts, seed);
    }
}
