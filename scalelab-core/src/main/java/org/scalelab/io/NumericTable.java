package org.scalelab.io;

import java.util.List;
import org.scalelab.InputException;
import org.scalelab.Provenance;

/**
 * Named numeric columns read from a file or a store query, validated finite. Columns are stored
 * column-major ({@code values[c][row]}); row numbers in messages are 1-based data rows of the source.
 */
public record NumericTable(String source, String sha256, List<String> columns, double[][] values) {

    public NumericTable {
        columns = List.copyOf(columns);
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("values has " + values.length + " columns, names " + columns.size());
        }
    }

    public int rows() {
        return values.length == 0 ? 0 : values[0].length;
    }

    /** The column's values (not copied: treat as read-only). */
    public double[] column(String name) {
        int i = columns.indexOf(name);
        if (i < 0) {
            throw new InputException(source + ": no column '" + name + "' (columns: " + String.join(", ", columns) + ")");
        }
        return values[i];
    }

    /** Fails naming source, row, column and value unless every value of the column is > 0. */
    public NumericTable requirePositive(String name) {
        double[] v = column(name);
        for (int r = 0; r < v.length; r++) {
            if (!(v[r] > 0)) {
                throw new InputException(source + ": row " + (r + 1) + ", column '" + name + "': value " + v[r]
                        + " must be > 0 (scaling laws work on log scale); remove or fix the row");
            }
        }
        return this;
    }

    /** Fails unless there are at least {@code n} rows (e.g. more points than a law has parameters). */
    public NumericTable requireRows(int n, String why) {
        if (rows() < n) {
            throw new InputException(source + ": " + rows() + " rows, need at least " + n + " " + why);
        }
        return this;
    }

    public Provenance.Input provenanceInput() {
        return new Provenance.Input(source, sha256, rows());
    }
}
