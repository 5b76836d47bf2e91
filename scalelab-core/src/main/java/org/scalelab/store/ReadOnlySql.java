package org.scalelab.store;

import java.util.Locale;
import java.util.Set;
import org.scalelab.InputException;

/**
 * Guards {@link LabStore#sql} and {@link LabStore#query}: exactly one statement, starting with a
 * reading keyword. The statement also runs inside a transaction that is always rolled back, so even
 * a reading keyword that manages to write (e.g. {@code EXPLAIN ANALYZE INSERT …}) leaves the store as
 * it was. A ';' inside the text is refused because DuckDB's JDBC driver runs every statement of a
 * multi-statement string, and a {@code COMMIT; DELETE …} would escape the rollback.
 */
final class ReadOnlySql {
    private static final Set<String> READING = Set.of(
            "SELECT", "WITH", "FROM", "VALUES", "TABLE", "DESCRIBE", "SHOW", "SUMMARIZE", "EXPLAIN", "PRAGMA");
    /** PRAGMAs that only report; others change settings, which a rollback does not undo. */
    private static final Set<String> READING_PRAGMAS = Set.of(
            "TABLE_INFO", "SHOW_TABLES", "SHOW_TABLES_EXPANDED", "DATABASE_SIZE", "STORAGE_INFO", "VERSION", "SHOW", "DATABASE_LIST");

    private ReadOnlySql() {}

    /** Returns the statement without a trailing semicolon, or throws naming what is not allowed. */
    static String check(String sql) {
        if (sql == null || sql.isBlank()) {
            throw new InputException("empty SQL query; give a SELECT statement, e.g. SELECT params, tokens, loss FROM points");
        }
        int end = statementEnd(sql);
        String statement = sql.substring(0, end).trim();
        if (statement.isEmpty()) {
            throw new InputException("empty SQL query; give a SELECT statement, e.g. SELECT params, tokens, loss FROM points");
        }
        String first = firstWord(statement);
        if (!READING.contains(first)) {
            throw new InputException("only reading statements are allowed (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, "
                    + "EXPLAIN, PRAGMA table_info …), not " + (first.isEmpty() ? "this" : first) + "; the store changes only through import commands");
        }
        if (first.equals("PRAGMA")) {
            String rest = statement.substring(statement.toUpperCase(Locale.ROOT).indexOf("PRAGMA") + 6).trim();
            String name = firstWord(rest);
            if (!READING_PRAGMAS.contains(name)) {
                throw new InputException("PRAGMA " + name.toLowerCase(Locale.ROOT) + " is not allowed here; only reporting pragmas "
                        + "(table_info, show_tables, database_size, storage_info, version) are");
            }
        }
        return statement;
    }

    /**
     * Where the single statement ends: before one trailing semicolon. Any other semicolon is refused,
     * even inside a string literal: DuckDB has several quoting styles (E'\'', $$…$$) and refusing
     * every inner ';' is the one rule that cannot be fooled by one of them.
     */
    private static int statementEnd(String sql) {
        String t = sql.stripTrailing();
        int end = t.endsWith(";") ? t.length() - 1 : t.length();
        if (t.substring(0, end).indexOf(';') >= 0) {
            throw new InputException("only one SQL statement without ';' inside is allowed; remove the ';' (also from string literals)");
        }
        return end;
    }

    private static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\n]*", " ");
    }

    /** The first keyword, skipping comments and opening parentheses: "(SELECT 1)" starts with SELECT. */
    private static String firstWord(String s) {
        String t = stripComments(s).trim();
        int i = 0;
        while (i < t.length() && (t.charAt(i) == '(' || Character.isWhitespace(t.charAt(i)))) {
            i++;
        }
        int j = i;
        while (j < t.length() && (Character.isLetterOrDigit(t.charAt(j)) || t.charAt(j) == '_')) {
            j++;
        }
        return t.substring(i, j).toUpperCase(Locale.ROOT);
    }
}
