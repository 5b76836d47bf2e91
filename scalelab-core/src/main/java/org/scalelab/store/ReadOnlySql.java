package org.scalelab.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.io.SqlText;

/**
 * Guards {@link LabStore#sql} and {@link LabStore#query}: the text must parse, in DuckDB's own parser,
 * as exactly one SELECT statement. DESCRIBE, SHOW, SUMMARIZE, FROM …, VALUES and TABLE parse as
 * SELECTs too; everything else (COPY, EXPORT, ATTACH, INSTALL, LOAD, PRAGMA, SET, CALL, CREATE, INSERT,
 * EXPLAIN [ANALYZE] of anything, WITH … INSERT) parses as another statement type and is refused.
 *
 * <p>The check asks DuckDB's {@code json_serialize_sql}, which serializes SELECT statements only, so the
 * decision is made on the parse tree, not on words in the text: comments, quoting and parentheses
 * cannot fool it. It is one of three locks: the statement also runs in a transaction that is rolled
 * back, and on a store opened with {@link LabStore#openReadOnly} on a connection DuckDB keeps read-only
 * with no access to other files.
 */
final class ReadOnlySql {
    private static final String EXAMPLE = "e.g. SELECT params, tokens, loss FROM points";

    private ReadOnlySql() {}

    /** Returns the statement without trailing semicolons, or throws naming what is not allowed. */
    static String check(Connection c, String sql) {
        if (sql == null || sql.isBlank()) {
            throw new InputException("empty SQL query; give a SELECT statement, " + EXAMPLE);
        }
        JsonNode parsed;
        try (PreparedStatement ps = c.prepareStatement("SELECT json_serialize_sql(?)")) {
            ps.setString(1, sql);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                parsed = Json.mapper().readTree(rs.getString(1));
            }
        } catch (SQLException | java.io.IOException e) {
            throw new InputException("query \"" + sql.strip() + "\" cannot be checked: " + SqlText.firstLine(e.getMessage()), e);
        }
        if (parsed.path("error").asBoolean(false)) {
            String message = parsed.path("error_message").asText("");
            if (message.contains("Only SELECT statements")) {
                throw new InputException("only reading statements are allowed (SELECT, WITH … SELECT, FROM, VALUES, TABLE, DESCRIBE, SHOW, "
                        + "SUMMARIZE), not " + describe(sql) + "; the store changes only through import commands");
            }
            throw new InputException("query \"" + sql.strip() + "\" is not valid SQL: " + SqlText.firstLine(message));
        }
        int statements = parsed.path("statements").size();
        if (statements == 0) {
            throw new InputException("empty SQL query (only comments); give a SELECT statement, " + EXAMPLE);
        }
        if (statements > 1) {
            throw new InputException("only one SQL statement is allowed, this text holds " + statements + "; run them one at a time");
        }
        return withoutTrailingSemicolons(sql);
    }

    private static String withoutTrailingSemicolons(String sql) {
        String t = sql.strip();
        while (t.endsWith(";")) {
            t = t.substring(0, t.length() - 1).strip();
        }
        return t;
    }

    /** "COPY" or "EXPLAIN" — the statement's first word, for the message only (the decision is the parser's). */
    private static String describe(String sql) {
        String t = sql.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\n]*", " ").strip();
        int i = 0;
        while (i < t.length() && (t.charAt(i) == '(' || Character.isWhitespace(t.charAt(i)))) {
            i++;
        }
        int j = i;
        while (j < t.length() && (Character.isLetterOrDigit(t.charAt(j)) || t.charAt(j) == '_')) {
            j++;
        }
        String first = t.substring(i, j).toUpperCase(Locale.ROOT);
        return first.isEmpty() ? "this statement" : first + (first.equals("WITH") ? " … (a writing statement)" : "");
    }
}
