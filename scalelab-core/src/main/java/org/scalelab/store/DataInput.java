package org.scalelab.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.scalelab.InputException;
import org.scalelab.Provenance;

/**
 * Reads numeric columns for an analysis from a CSV, Parquet or JSONL file (through an in-memory
 * DuckDB, so all three formats share one reader) or from a SQL query over a lab's store.
 * Every value must parse as a finite number; the first bad one is reported with row, column and value.
 */
public final class DataInput {
    private DataInput() {}

    /** Reads {@code columns} from {@code file}; the format comes from the extension (.csv, .parquet, .jsonl/.json/.ndjson). */
    public static NumericTable readFile(Path file, List<String> columns) {
        if (!Files.isRegularFile(file)) {
            throw new InputException(file + ": no such file");
        }
        String sql = "SELECT * FROM " + scanFunction(file) + "('" + file.toAbsolutePath().toString().replace("'", "''") + "')";
        try (Connection c = openMemory(); Statement st = c.createStatement()) {
            return read(st, sql, file.toString(), Provenance.sha256(file), columns);
        } catch (SQLException e) {
            throw new InputException(file + ": cannot read as " + scanFunction(file) + ": " + firstLine(e.getMessage()), e);
        }
    }

    static String scanFunction(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".csv") || n.endsWith(".tsv") || n.endsWith(".csv.gz")) {
            return "read_csv";
        }
        if (n.endsWith(".parquet")) {
            return "read_parquet";
        }
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) {
            return "read_json";
        }
        throw new InputException(file + ": unknown format; use a .csv, .parquet or .jsonl file");
    }

    static Connection openMemory() throws SQLException {
        Properties p = new Properties();
        p.setProperty("autoinstall_known_extensions", "false");
        p.setProperty("autoload_known_extensions", "false");
        return DriverManager.getConnection("jdbc:duckdb:", p);
    }

    static NumericTable read(Statement st, String sql, String source, String sha, List<String> columns) throws SQLException {
        List<String> available = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("DESCRIBE " + sql)) {
            while (rs.next()) {
                available.add(rs.getString(1));
            }
        }
        for (String col : columns) {
            if (!available.contains(col)) {
                throw new InputException(source + ": no column '" + col + "' (columns: " + String.join(", ", available)
                        + "); name the right one with the matching --*-col option");
            }
        }
        StringBuilder select = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            select.append(i == 0 ? "" : ", ").append('"').append(columns.get(i).replace("\"", "\"\"")).append("\"::VARCHAR");
        }
        select.append(" FROM (").append(sql).append(")");
        List<double[]> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(select.toString())) {
            int r = 0;
            while (rs.next()) {
                r++;
                double[] row = new double[columns.size()];
                for (int i = 0; i < row.length; i++) {
                    String s = rs.getString(i + 1);
                    row[i] = parse(s, source, r, columns.get(i));
                }
                rows.add(row);
            }
        }
        if (rows.isEmpty()) {
            throw new InputException(source + ": no data rows");
        }
        double[][] values = new double[columns.size()][rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            for (int i = 0; i < columns.size(); i++) {
                values[i][r] = rows.get(r)[i];
            }
        }
        return new NumericTable(source, sha, columns, values);
    }

    static double parse(String s, String source, int row, String column) {
        if (s == null || s.isBlank()) {
            throw new InputException(source + ": row " + row + ", column '" + column + "': empty value; fill it in or drop the row");
        }
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new InputException(source + ": row " + row + ", column '" + column + "': '" + s + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new InputException(source + ": row " + row + ", column '" + column + "': value " + s + " is not finite");
        }
        return v;
    }

    static String firstLine(String m) {
        if (m == null) {
            return "unknown error";
        }
        int i = m.indexOf('\n');
        return i < 0 ? m : m.substring(0, i);
    }
}
