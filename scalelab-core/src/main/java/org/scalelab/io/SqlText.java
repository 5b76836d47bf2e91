package org.scalelab.io;

/** Quoting for the SQL we build from user-supplied names and paths (column names, file paths, metric names). */
public final class SqlText {
    private SqlText() {}

    /** A double-quoted identifier: any column name a file may carry, including spaces and quotes. */
    public static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** A single-quoted string literal. */
    public static String literal(String text) {
        return '\'' + text.replace("'", "''") + '\'';
    }

    /** First line of a (DuckDB) message: its later lines are hints and a caret picture that don't fit one line. */
    public static String firstLine(String m) {
        if (m == null) {
            return "unknown error";
        }
        int i = m.indexOf('\n');
        String first = (i < 0 ? m : m.substring(0, i)).trim();
        // DuckDB quotes the input it failed on; a line of megabytes would bury the reason.
        return first.length() > 300 ? first.substring(0, 300) + "…" : first;
    }
}
