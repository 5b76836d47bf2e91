package org.scalelab.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.scalelab.InputException;
import org.scalelab.Provenance;

/**
 * Columns of a CSV, Parquet or JSONL file read as text, for inputs that are not numbers (problem ids,
 * sampled answers, reference answers). CSV and Parquet go through the same {@link SourceScan} as
 * {@link DataInput}: a CSV's header is parsed by {@code CsvHeader} and every column passed to DuckDB as
 * VARCHAR with its sniffer off (so "007" stays "007", the delimiter is the extension's, and a row with
 * too many or too few fields is an error naming its line rather than a reason for the sniffer to skip
 * the rows before it). JSONL is read line by line with Jackson so that each row keeps its line number
 * and a string answer is never re-typed. A missing value is {@code null}.
 *
 * <p>Rows are located in messages as "row R" (CSV/Parquet: 1-based data row after the header) or
 * "line L" (JSONL: 1-based line of the file).
 */
public record TextColumns(String source, String sha256, List<String> columns, List<String[]> rows, List<String> where) {

    public TextColumns {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        where = List.copyOf(where);
    }

    /**
     * Reads {@code required} columns (failing when one is absent) and those of {@code optional} that
     * exist; absent optional columns read as all-null. Fails on an empty file.
     */
    public static TextColumns read(Path file, List<String> required, List<String> optional) {
        InputFile.require(file);
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        List<String> wanted = new ArrayList<>(required);
        optional.stream().filter(c -> !wanted.contains(c)).forEach(wanted::add);
        TextColumns t;
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) {
            t = readJsonLines(file, required, wanted);
        } else {
            t = readDuckDb(file, required, wanted); // CSV/TSV (also gzipped) and Parquet; SourceScan refuses other extensions
        }
        if (t.rows.isEmpty()) {
            throw new InputException(file + ": no data rows");
        }
        return t;
    }

    public int size() {
        return rows.size();
    }

    /** The value of {@code column} in row {@code i} (0-based), or null when missing. */
    public String get(int i, String column) {
        int c = columns.indexOf(column);
        if (c < 0) {
            throw new IllegalArgumentException("column " + column + " was not read");
        }
        return rows.get(i)[c];
    }

    /** Whether the file has the column (optional columns that were absent are not listed). */
    public boolean has(String column) {
        return columns.contains(column);
    }

    /** "file: row 3, column 'c'" — the start of every message about one value. */
    public String at(int i, String column) {
        return source + ": " + where.get(i) + ", column '" + column + "'";
    }

    public Provenance.Input provenanceInput() {
        return new Provenance.Input(source, sha256, rows.size());
    }

    private static TextColumns readDuckDb(Path file, List<String> required, List<String> wanted) {
        try (Connection c = DuckDbSettings.inMemory(); Statement st = c.createStatement()) {
            SourceScan scan = SourceScan.open(c, file);
            List<String> present = present(file, scan.columns, required, wanted);
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int i = 0; i < present.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append(SqlText.ident(present.get(i))).append("::VARCHAR");
            }
            if (present.isEmpty()) {
                sql.append("1"); // none of the wanted columns: still count the rows
            }
            sql.append(" FROM ").append(scan.from());
            List<String[]> rows = new ArrayList<>();
            List<String> where = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(sql.toString())) {
                while (rs.next()) {
                    String[] row = new String[present.size()];
                    for (int i = 0; i < row.length; i++) {
                        row[i] = rs.getString(i + 1);
                    }
                    rows.add(row);
                    where.add("row " + rows.size());
                }
            } catch (SQLException e) {
                throw scan.readError(e);
            }
            return new TextColumns(file.toString(), Provenance.sha256(file), present, rows, where);
        } catch (SQLException e) {
            throw new InputException(file + ": cannot read: " + SqlText.firstLine(e.getMessage()), e);
        }
    }

    private static List<String> present(Path file, Iterable<String> available, List<String> required, List<String> wanted) {
        Set<String> have = new LinkedHashSet<>();
        available.forEach(have::add);
        Columns.require(file.toString(), have, required);
        return wanted.stream().filter(have::contains).toList();
    }

    private static TextColumns readJsonLines(Path file, List<String> required, List<String> wanted) {
        List<com.fasterxml.jackson.databind.node.ObjectNode> objects = new ArrayList<>();
        List<String> where = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = Json.mapper().readTree(line);
                } catch (JsonProcessingException e) {
                    throw new InputException(file + ": " + Json.lineProblem(lineNo, e), e);
                }
                if (!(node instanceof com.fasterxml.jackson.databind.node.ObjectNode o)) {
                    throw new InputException(file + ": line " + lineNo + ": expected a JSON object like {\"problem\": …}, got "
                            + node.getNodeType().toString().toLowerCase(Locale.ROOT));
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                    keys.add(it.next().getKey());
                }
                objects.add(o);
                where.add("line " + lineNo);
            }
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (objects.isEmpty()) {
            throw new InputException(file + ": no data rows");
        }
        List<String> present = present(file, keys, required, wanted);
        List<String[]> rows = new ArrayList<>();
        for (com.fasterxml.jackson.databind.node.ObjectNode o : objects) {
            String[] row = new String[present.size()];
            for (int i = 0; i < row.length; i++) {
                JsonNode v = o.get(present.get(i));
                row[i] = v == null || v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString();
            }
            rows.add(row);
        }
        return new TextColumns(file.toString(), Provenance.sha256(file), present, rows, where);
    }
}
