package org.scalelab.io;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.LongFunction;
import org.scalelab.InputException;

/**
 * Finds the first bad value of staged columns with one aggregate query inside DuckDB, so a file of
 * any size is checked without its rows entering the JVM. A value is good when DuckDB casts it to a
 * finite DOUBLE (and, for a positive column, to a value > 0); the earliest bad row wins, ties go to
 * the column listed first.
 */
public final class ValueCheck {
    /** A staged column {@code c<index>} shown to users as {@code column}; {@code positive} demands > 0. */
    public record Check(int index, String column, boolean positive, String why) {}

    private ValueCheck() {}

    /**
     * Throws an {@link InputException} naming source, row, column and value for the first bad value of
     * {@code table} (a staged table whose rowid is the 0-based data row).
     */
    public static void requireValid(Connection c, String table, List<Check> checks, String source, LongFunction<String> rowLabel)
            throws SQLException {
        if (checks.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < checks.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("min(rowid) FILTER (WHERE NOT (").append(okExpr(checks.get(i))).append("))");
        }
        sql.append(" FROM ").append(table);
        long worstRow = Long.MAX_VALUE;
        Check worst = null;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql.toString())) {
            rs.next();
            for (int i = 0; i < checks.size(); i++) {
                Object r = rs.getObject(i + 1);
                if (r != null && ((Number) r).longValue() < worstRow) {
                    worstRow = ((Number) r).longValue();
                    worst = checks.get(i);
                }
            }
        }
        if (worst == null) {
            return;
        }
        String col = "c" + worst.index();
        String raw;
        Double parsed;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + col + "::VARCHAR, TRY_CAST(" + col + " AS DOUBLE) FROM " + table + " WHERE rowid = " + worstRow)) {
            rs.next();
            raw = rs.getString(1);
            Object d = rs.getObject(2);
            parsed = d == null ? null : ((Number) d).doubleValue();
        }
        String where = source + ": " + rowLabel.apply(worstRow + 1) + ", column '" + InputException.quote(worst.column()) + "': ";
        if (raw == null || raw.isBlank()) {
            throw new InputException(where + "empty value; fill it in or drop the row");
        }
        if (parsed == null) {
            throw new InputException(where + "'" + InputException.quote(raw) + "' is not a number; fix or drop the row");
        }
        if (!Double.isFinite(parsed)) {
            throw new InputException(where + "value '" + InputException.quote(raw) + "' is not finite (NaN or infinite); fix or drop the row");
        }
        throw new InputException(where + "value " + InputException.quote(raw) + " must be > 0" + (worst.why().isEmpty() ? "" : " (" + worst.why() + ")")
                + "; fix or drop the row");
    }

    /** SQL that is true when the staged value is a finite number (and > 0 when demanded). */
    static String okExpr(Check check) {
        String v = "TRY_CAST(c" + check.index() + " AS DOUBLE)";
        return "coalesce(isfinite(" + v + ")" + (check.positive() ? " AND " + v + " > 0" : "") + ", false)";
    }
}
