package org.scalelab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.scalelab.store.QueryResult;

/**
 * The rows of an SQL query over the lab store as a table, with a line saying how many there are and
 * whether more were left out. Doubles show 6 significant digits for reading; the JSON form keeps
 * full precision.
 */
public final class QueryResultRenderer implements Renderer<QueryResult> {
    @Override
    public String text(QueryResult r) {
        return TextTable.render(r.columns(), rows(r)) + "\n" + count(r);
    }

    @Override
    public void section(Report report, QueryResult r) {
        report.table(r.columns(), rows(r));
        report.text(count(r));
    }

    static List<List<String>> rows(QueryResult r) {
        List<List<String>> rows = new ArrayList<>();
        for (List<Object> row : r.rows()) {
            rows.add(row.stream().map(v -> v == null ? "NULL"
                    : v instanceof Double || v instanceof Float ? String.format(Locale.ROOT, "%.6g", ((Number) v).doubleValue())
                            .replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replaceAll("\\.(e|$)", "$1")
                    : String.valueOf(v)).toList());
        }
        return rows;
    }

    private static String count(QueryResult r) {
        return "(" + r.rows().size() + " row" + (r.rows().size() == 1 ? "" : "s") + (r.truncated() ? ", more not shown; raise --max-rows" : "") + ")";
    }
}
