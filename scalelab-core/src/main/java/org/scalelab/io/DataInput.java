package org.scalelab.io;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.scalelab.InputException;
import org.scalelab.Provenance;

/**
 * Reads numeric columns for an analysis from a CSV, Parquet or JSONL file (through an in-memory
 * DuckDB, so all three formats share one reader; small plain CSV files skip it, see {@link PlainCsv}).
 * The checks run as SQL before any row reaches the JVM: missing columns (listing the ones there are),
 * malformed CSV, empty files, and the first value that is empty, not a number, NaN or infinite —
 * reported with file, row, column and value.
 */
public final class DataInput {
    private DataInput() {}

    /**
     * Reads {@code columns} from {@code file}; the format comes from the extension (.csv/.tsv, .parquet, .jsonl/.ndjson/.json).
     * A small plain CSV is read without starting DuckDB ({@link PlainCsv}); the numbers are the same either way.
     */
    public static NumericTable readFile(Path file, List<String> columns) {
        NumericTable plain = PlainCsv.read(file, columns);
        return plain != null ? plain : readWithDuckDb(file, columns);
    }

    /** {@link #readFile} through DuckDB, for every format and every file. */
    static NumericTable readWithDuckDb(Path file, List<String> columns) {
        try (Connection c = DuckDbSettings.inMemory()) {
            SourceScan scan = SourceScan.open(c, file);
            Columns.require(file.toString(), scan.columns, columns);
            try (Statement st = c.createStatement()) {
                st.execute(scan.stageSql("staged", columns));
            } catch (SQLException e) {
                throw scan.readError(e);
            }
            return readStaged(c, "staged", file.toString(), Provenance.sha256(file), columns, scan::rowLabel);
        } catch (SQLException e) {
            throw new InputException(file + ": cannot read: " + SqlText.firstLine(e.getMessage()), e);
        }
    }

    /**
     * Validates a staged table (columns c0… in {@code columns} order, rowid = data row) and copies it
     * into a column-major {@link NumericTable}. The lab store's queries are checked the same way.
     */
    public static NumericTable readStaged(Connection c, String table, String source, String sha, List<String> columns,
            LongFunction<String> rowLabel) throws SQLException {
        long n;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            n = rs.getLong(1);
        }
        if (n == 0) {
            throw new InputException(source + ": no data rows");
        }
        if (n > Integer.MAX_VALUE) {
            throw new InputException(source + ": " + n + " rows is more than an in-memory table can hold; filter them in SQL first");
        }
        List<ValueCheck.Check> checks = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            checks.add(new ValueCheck.Check(i, columns.get(i), false, ""));
        }
        ValueCheck.requireValid(c, table, checks, source, rowLabel);
        double[][] values = new double[columns.size()][(int) n];
        StringBuilder select = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            select.append(i == 0 ? "" : ", ").append("TRY_CAST(c").append(i).append(" AS DOUBLE)");
        }
        select.append(" FROM ").append(table).append(" ORDER BY rowid");
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(select.toString())) {
            int r = 0;
            while (rs.next()) {
                for (int i = 0; i < columns.size(); i++) {
                    values[i][r] = rs.getDouble(i + 1);
                }
                r++;
            }
        }
        return new NumericTable(source, sha, columns, values);
    }
}
