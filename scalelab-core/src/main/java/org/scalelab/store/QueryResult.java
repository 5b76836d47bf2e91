package org.scalelab.store;

import java.util.List;

/**
 * Rows of a read-only SQL query, for printing. Values are Java numbers, strings, booleans or null;
 * other DuckDB types (dates, lists, structs) arrive as their text.
 *
 * @param truncated true when the query had more rows than were kept
 */
public record QueryResult(List<String> columns, List<List<Object>> rows, boolean truncated) {
    public QueryResult {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }
}
