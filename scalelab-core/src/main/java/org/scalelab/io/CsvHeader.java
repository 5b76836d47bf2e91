package org.scalelab.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.scalelab.InputException;

/**
 * The header line of a CSV or TSV file, parsed in Java: the one place every CSV reader
 * ({@link SourceScan} for DuckDB, {@link PlainCsv}, {@link TextColumns}) learns a file's column names.
 * DuckDB then reads the rows with these columns given explicitly and its sniffer off, so the header
 * is never guessed (see {@link SourceScan} for why).
 */
final class CsvHeader {
    private CsvHeader() {}

    /** Tab for .tsv (and .tsv.gz), comma otherwise. */
    static char delimiter(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".tsv") || n.endsWith(".tsv.gz") ? '\t' : ',';
    }

    /** The header line split on {@code delim}, honouring double quotes; names must be non-empty and distinct. */
    static List<String> read(Path file, char delim) {
        String line;
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            line = r.readLine();
        } catch (IOException e) {
            throw new InputException(file + ": cannot read the header line: " + e.getMessage(), e);
        }
        if (line == null || line.isBlank()) {
            throw new InputException(file + ": the first line is empty; expected a header naming the columns");
        }
        if (line.startsWith("\uFEFF")) {
            line = line.substring(1); // a byte-order mark written by spreadsheet programs
        }
        List<String> names = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == delim) {
                names.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        names.add(cur.toString().trim());
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.isEmpty()) {
                throw new InputException(file + ": header column " + (i + 1) + " has no name; name every column in the first line");
            }
            if (!seen.add(name)) {
                throw new InputException(file + ": header names column '" + name + "' twice; rename one of them");
            }
        }
        return names;
    }
}
