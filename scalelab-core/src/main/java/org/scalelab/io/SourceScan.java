package org.scalelab.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scalelab.InputException;

/**
 * One input file seen through DuckDB: its format, its column names and the table function that
 * streams it ({@code read_csv}, {@code read_parquet}, {@code read_json}). DuckDB does the reading so
 * a file larger than the JVM heap never passes through it. The readers of an analysis's input
 * ({@link DataInput}, {@link TextColumns}) and the lab store's run imports all scan files here.
 *
 * <p>CSV is read with DuckDB's sniffer switched off: on a ragged file the sniffer silently treats the
 * first rows as preamble and skips them (seen with DuckDB 2.0), which would drop data without a word.
 * We read the header line ourselves ({@link CsvHeader}, the one header parser of every CSV reader),
 * pass every column as VARCHAR (so a stray "n/a" in row 5,000,000 is reported by our own
 * row/column/value check, not as a cast error), and keep DuckDB's strict mode so a row with too many
 * or too few fields fails naming its line.
 */
public final class SourceScan {
    enum Format { CSV, PARQUET, JSON }

    private static final Pattern CSV_ERROR_LINE = Pattern.compile("CSV Error on Line: (\\d+)");
    private static final Pattern CSV_FIELDS = Pattern.compile("Expected Number of Columns: (\\d+) Found: (\\d+)");
    private static final Pattern CSV_LINE_SIZE = Pattern.compile("Maximum line size of (\\d+) bytes exceeded\\. Actual Size: ?(\\d+) bytes");
    /** DuckDB's error text quotes the offending line whole; the part kept in a message is cut to this length. */
    private static final int MAX_REASON = 300;

    final Path file;
    final Format format;
    /** The file's column names, in file order. */
    public final List<String> columns;
    private final String from;

    private SourceScan(Path file, Format format, List<String> columns, String from) {
        this.file = file;
        this.format = format;
        this.columns = List.copyOf(columns);
        this.from = from;
    }

    /** Checks that the file exists, is non-empty and has a known extension, and learns its columns. */
    public static SourceScan open(Connection c, Path file) {
        InputFile.require(file);
        Format format = formatOf(file);
        try {
            if (Files.size(file) == 0) {
                throw new InputException(file + ": empty file (0 bytes); expected a header and data rows");
            }
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage(), e);
        }
        String path = SqlText.literal(file.toAbsolutePath().toString());
        if (format == Format.CSV) {
            char delim = CsvHeader.delimiter(file);
            List<String> header = CsvHeader.read(file, delim);
            StringBuilder cols = new StringBuilder("{");
            for (int i = 0; i < header.size(); i++) {
                cols.append(i == 0 ? "" : ", ").append(SqlText.literal(header.get(i))).append(": 'VARCHAR'");
            }
            cols.append('}');
            String from = "read_csv(" + path + ", auto_detect = false, header = true, delim = " + SqlText.literal(String.valueOf(delim))
                    + ", quote = '\"', escape = '\"', strict_mode = true, null_padding = false, columns = " + cols + ")";
            return new SourceScan(file, format, header, from);
        }
        String probe = format == Format.PARQUET ? "read_parquet(" + path + ")" : "read_json(" + path + ", format = 'auto')";
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("DESCRIBE SELECT * FROM " + probe)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        } catch (SQLException e) {
            String where = format == Format.JSON ? firstJsonProblem(file) : null;
            throw new InputException(file + ": " + (where != null ? where
                    : "cannot read as " + format.name().toLowerCase(Locale.ROOT) + ": " + SqlText.firstLine(e.getMessage())), e);
        }
        if (format == Format.PARQUET) {
            return new SourceScan(file, format, names, probe);
        }
        // JSON: every field as VARCHAR, for the same reason as CSV — a late string in a numeric field must
        // become our own "row, column, value" message rather than a type error from the sampler.
        StringBuilder cols = new StringBuilder("{");
        for (int i = 0; i < names.size(); i++) {
            cols.append(i == 0 ? "" : ", ").append(SqlText.literal(names.get(i))).append(": 'VARCHAR'");
        }
        cols.append('}');
        return new SourceScan(file, format, names, "read_json(" + path + ", format = 'auto', columns = " + cols + ")");
    }

    static Format formatOf(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".csv") || n.endsWith(".tsv") || n.endsWith(".csv.gz") || n.endsWith(".tsv.gz")) {
            return Format.CSV;
        }
        if (n.endsWith(".parquet")) {
            return Format.PARQUET;
        }
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) {
            return Format.JSON;
        }
        throw new InputException(file + ": unknown format; use a .csv, .tsv, .parquet, .jsonl (or .ndjson/.json) file");
    }

    /** The table expression that streams the file, for {@code SELECT … FROM <this>}. */
    public String from() {
        return from;
    }

    /**
     * SQL that copies {@code sourceColumns} into a temporary table {@code table} as c0, c1, …. The
     * table's rowid is the 0-based data row: DuckDB keeps insertion order (preserve_insertion_order
     * is on by default), which the tests check on a file of millions of rows.
     */
    public String stageSql(String table, List<String> sourceColumns) {
        StringBuilder sql = new StringBuilder("CREATE OR REPLACE TEMP TABLE ").append(table).append(" AS SELECT ");
        for (int i = 0; i < sourceColumns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(SqlText.ident(sourceColumns.get(i))).append(" AS c").append(i);
        }
        if (sourceColumns.isEmpty()) {
            sql.append("1 AS c0");
        }
        return sql.append(" FROM ").append(from).toString();
    }

    /** "row 5 (line 6)" for CSV (header is line 1), "row 5" otherwise; {@code row} is 1-based. */
    public String rowLabel(long row) {
        return format == Format.CSV ? "row " + row + " (line " + (row + 1) + ")" : "row " + row;
    }

    /**
     * Turns a DuckDB read error into one line naming the file and, for CSV, the line. DuckDB's text
     * repeats the offending line ("Original Line: …"), which may be megabytes long: the reason is the
     * line after it, and only a short prefix of any quoted value is kept.
     */
    public InputException readError(SQLException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        Matcher line = CSV_ERROR_LINE.matcher(m);
        if (format == Format.CSV && line.find()) {
            long l = Long.parseLong(line.group(1));
            String at = file + ": malformed CSV at line " + l + " (data row " + (l - 1) + "): ";
            Matcher fields = CSV_FIELDS.matcher(m);
            if (fields.find()) {
                return new InputException(at + fields.group(2) + " fields but the header has " + fields.group(1)
                        + "; fix the row (quote values that contain the delimiter)", e);
            }
            Matcher size = CSV_LINE_SIZE.matcher(m);
            if (size.find()) {
                return new InputException(file + ": line " + l + " is " + String.format(Locale.ROOT, "%,d", Long.parseLong(size.group(2)))
                        + " bytes, longer than the CSV reader's limit of " + String.format(Locale.ROOT, "%,d", Long.parseLong(size.group(1)))
                        + " bytes per line; a run's values fit in far less: check that line (an unclosed quote joins lines)", e);
            }
            return new InputException(at + reason(m.substring(m.indexOf('\n') + 1)), e);
        }
        if (format == Format.JSON) {
            String where = firstJsonProblem(file);
            if (where != null) {
                return new InputException(file + ": " + where, e);
            }
        }
        return new InputException(file + ": cannot read as " + format.name().toLowerCase(Locale.ROOT) + ": " + reason(m), e);
    }

    /** The first line of DuckDB's text that is not a copy of the input line, cut to {@link #MAX_REASON} characters. */
    static String reason(String duckdbMessage) {
        for (String l : duckdbMessage.split("\n")) {
            String t = l.trim();
            if (!t.isEmpty() && !t.startsWith("Original Line:")) {
                return t.length() > MAX_REASON ? t.substring(0, MAX_REASON) + "…" : t;
            }
        }
        return "unknown error";
    }

    /**
     * Where a JSON file DuckDB could not read first goes wrong, found again with Jackson: DuckDB's
     * message names the line after the bad one ("line 3" for a broken line 2, "record/value 2" for
     * line 1). A .jsonl/.ndjson file is read line by line (each non-blank line one JSON object, so an
     * object left open is reported on its own line); a .json file as a stream of JSON values. Null
     * when Jackson reads it all (the problem is one DuckDB alone has, and its message stands).
     */
    static String firstJsonProblem(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            if (n.endsWith(".json")) {
                try (MappingIterator<JsonNode> values = Json.mapper().readerFor(JsonNode.class).readValues(r)) {
                    while (values.hasNextValue()) {
                        values.nextValue();
                    }
                }
                return null;
            }
            long lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = Json.mapper().readTree(line);
                } catch (JsonProcessingException e) {
                    return Json.lineProblem(lineNo, e);
                }
                if (!node.isObject()) {
                    return "line " + lineNo + ": expected a JSON object like {\"params\": 1e6, …}, got "
                            + node.getNodeType().toString().toLowerCase(Locale.ROOT);
                }
            }
            return null;
        } catch (JsonProcessingException e) {
            return "not valid JSON at " + Json.problem(e);
        } catch (IOException e) {
            return "cannot read: " + Json.problem(e);
        }
    }
}
