package org.scalelab.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.scalelab.InputException;
import org.scalelab.io.SqlText;

/**
 * One page of the runs table (view {@code points}) filtered, sorted and cut in DuckDB, so that a lab of
 * many thousand runs answers as fast as a small one. Every value a user gives is a bound parameter; the
 * sort column, the one name placed in the SQL text, must first be one of the view's own columns.
 */
public final class RunTable {
    /** The most rows one page may hold. */
    public static final int MAX_LIMIT = 1000;

    /**
     * What to show.
     *
     * @param text       shown runs contain this text (ignoring case) in their model or family name; null or blank: any
     * @param family     shown runs have exactly this family; null or blank: any
     * @param model      shown runs have exactly this model name; null or blank: any
     * @param sort       the column to sort by (a column of view points); null: run_id
     * @param descending largest first (empty values stay last either way)
     * @param offset     rows to skip (≥ 0)
     * @param limit      rows to keep (1..{@value #MAX_LIMIT})
     */
    public record Query(String text, String family, String model, String sort, boolean descending, long offset, int limit) {
        public Query {
            if (offset < 0) {
                throw new InputException("offset: " + offset + " must be >= 0");
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new InputException("limit: " + limit + " must be between 1 and " + MAX_LIMIT);
            }
        }

        /** The first {@code limit} runs by run id. */
        public static Query first(int limit) {
            return new Query(null, null, null, null, false, 0, limit);
        }
    }

    /**
     * A page of runs.
     *
     * @param total    how many runs pass the filters (all pages)
     * @param columns  the view's columns, in its order
     * @param rows     the page's rows, values in column order (numbers, text or null)
     * @param families every family in the lab, sorted (for a filter's choices)
     */
    public record Page(long total, List<String> columns, List<List<Object>> rows, List<String> families) {
        public Page {
            columns = List.copyOf(columns);
            rows = List.copyOf(rows);
            families = List.copyOf(families);
        }
    }

    private RunTable() {}

    static Page read(Connection c, Query q, Duration timeLimit) throws SQLException {
        List<String> columns = columns(c);
        String sort = sortColumn(q.sort(), columns);
        List<String> args = new ArrayList<>();
        StringBuilder where = new StringBuilder();
        if (present(q.text())) {
            where.append(" AND (contains(lower(coalesce(model, '')), ?) OR contains(lower(coalesce(family, '')), ?))");
            String t = q.text().strip().toLowerCase(Locale.ROOT);
            args.add(t);
            args.add(t);
        }
        if (present(q.family())) {
            where.append(" AND family = ?");
            args.add(q.family().strip());
        }
        if (present(q.model())) {
            where.append(" AND model = ?");
            args.add(q.model().strip());
        }
        String filter = where.length() == 0 ? "" : " WHERE " + where.substring(" AND ".length());
        long total;
        // The filters read only columns of table runs: counting there skips the metrics' pivot of view points.
        try (PreparedStatement ps = limited(c.prepareStatement("SELECT count(*) FROM runs" + filter), timeLimit)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        List<List<Object>> rows = new ArrayList<>();
        String order = " ORDER BY " + SqlText.ident(sort) + (q.descending() ? " DESC" : " ASC") + " NULLS LAST"
                + (sort.equals("run_id") ? "" : ", run_id ASC");
        try (PreparedStatement ps = limited(c.prepareStatement("SELECT * FROM points" + filter + order + " LIMIT ? OFFSET ?"), timeLimit)) {
            bind(ps, args);
            ps.setLong(args.size() + 1, q.limit());
            ps.setLong(args.size() + 2, q.offset());
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<Object> row = new ArrayList<>(n);
                    for (int i = 1; i <= n; i++) {
                        row.add(LabStore.plain(rs.getObject(i)));
                    }
                    rows.add(row);
                }
            }
        }
        return new Page(total, columns, rows, families(c));
    }

    /** The columns of view points, in its order. */
    private static List<String> columns(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM points LIMIT 0")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                out.add(md.getColumnLabel(i));
            }
        }
        return out;
    }

    /** The view's spelling of {@code asked} (DuckDB's names ignore case), or an {@link InputException} naming the columns. */
    static String sortColumn(String asked, List<String> columns) {
        if (!present(asked)) {
            return "run_id";
        }
        for (String col : columns) {
            if (col.equals(asked)) {
                return col;
            }
        }
        for (String col : columns) {
            if (col.equalsIgnoreCase(asked)) {
                return col;
            }
        }
        throw new InputException("sort: '" + InputException.quote(asked) + "' is not a column of the runs table; sort by one of "
                + InputException.quoteList(columns));
    }

    private static List<String> families(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT DISTINCT family FROM runs WHERE family IS NOT NULL ORDER BY family")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    private static void bind(PreparedStatement ps, List<String> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setString(i + 1, args.get(i));
        }
    }

    private static PreparedStatement limited(PreparedStatement ps, Duration timeLimit) throws SQLException {
        LabStore.limited(ps, timeLimit);
        return ps;
    }
}
