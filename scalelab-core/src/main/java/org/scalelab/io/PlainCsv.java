package org.scalelab.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.scalelab.InputException;
import org.scalelab.Provenance;

/**
 * Reads a small, plain CSV or TSV file in Java, without starting DuckDB.
 *
 * <p>Why: the typical input of a fit is a few hundred runs, and loading DuckDB (its 70 MB native
 * library, a connection, three queries) costs more than reading them.
 * So a file is read here when it is unremarkable — at most {@link #MAX_BYTES}, valid UTF-8, no quotes,
 * one kind of line end (\n or \r\n), no blank lines, every row with as many fields as the header, and
 * every value of the requested columns a plain decimal number that is finite as a double. Anything
 * else returns null, and {@link DataInput} reads the file through DuckDB ({@link SourceScan}), which
 * then gives its usual one-line error or reads what this reader declined. The header is parsed by the
 * same {@link CsvHeader} either way. For the files accepted here both readers give the same numbers:
 * DuckDB's VARCHAR → DOUBLE cast and {@link Double#parseDouble} both round the decimal correctly, and
 * the pattern below admits only decimals that both accept (tested against DuckDB).
 */
final class PlainCsv {
    /** Larger files go to DuckDB, whose reader streams and runs on every core. */
    static final long MAX_BYTES = 4L << 20;

    /** Optional sign, digits with an optional fraction (or a fraction alone), optional exponent. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

    private PlainCsv() {}

    /**
     * The requested columns of {@code file}, or null when the file is not plain enough to read here.
     *
     * @throws InputException when a requested column is not in the header: DuckDB's path fails the same way
     */
    static NumericTable read(Path file, List<String> columns) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        char delim;
        if (name.endsWith(".csv")) {
            delim = ',';
        } else if (name.endsWith(".tsv")) {
            delim = '\t';
        } else {
            return null;
        }
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file) || Files.size(file) == 0 || Files.size(file) > MAX_BYTES) {
                return null;
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        if (text.indexOf('"') >= 0 || text.indexOf('\0') >= 0 || text.startsWith("\uFEFF")) {
            return null;
        }
        if (text.indexOf('\r') >= 0) {
            // Windows line ends are fine when every line has one (spreadsheets write them); anything mixed goes to DuckDB.
            String unix = text.replace("\r\n", "\n");
            if (unix.indexOf('\r') >= 0 || unix.length() != text.length() - count(text, '\n')) {
                return null;
            }
            text = unix;
        }
        int headerEnd = text.indexOf('\n');
        if (headerEnd < 0) {
            return null;
        }
        List<String> header;
        try {
            header = CsvHeader.read(file, delim);
        } catch (InputException e) {
            return null;
        }
        // A missing column is the same error DuckDB's path raises next (from the same header), and callers
        // that try one column name and then another rely on it, so it is raised here without DuckDB.
        Columns.require(file.toString(), header, columns);
        int[] wanted = new int[columns.size()];
        for (int c = 0; c < wanted.length; c++) {
            wanted[c] = header.indexOf(columns.get(c));
        }
        // One line per data row; the file ends with at most one newline after the last row.
        String body = text.substring(headerEnd + 1);
        if (body.isEmpty() || body.startsWith("\n") || body.contains("\n\n")) {
            return null;
        }
        String[] lines = (body.endsWith("\n") ? body.substring(0, body.length() - 1) : body).split("\n", -1);
        double[][] values = new double[columns.size()][lines.length];
        String[] fields = new String[header.size()];
        for (int r = 0; r < lines.length; r++) {
            if (!split(lines[r], delim, fields)) {
                return null;
            }
            for (int c = 0; c < wanted.length; c++) {
                String v = fields[wanted[c]];
                if (!DECIMAL.matcher(v).matches()) {
                    return null;
                }
                double d = Double.parseDouble(v);
                if (!Double.isFinite(d)) {
                    return null;
                }
                values[c][r] = d;
            }
        }
        return new NumericTable(file.toString(), Provenance.sha256(file), columns, values);
    }

    private static int count(String s, char ch) {
        int n = 0;
        for (int i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) {
            n++;
        }
        return n;
    }

    /** Splits {@code line} into exactly {@code fields.length} fields; false when the count differs. */
    private static boolean split(String line, char delim, String[] fields) {
        int start = 0;
        for (int f = 0; f < fields.length; f++) {
            int end = line.indexOf(delim, start);
            boolean last = f == fields.length - 1;
            if (last != (end < 0)) {
                return false;
            }
            fields[f] = line.substring(start, last ? line.length() : end);
            start = end + 1;
        }
        return true;
    }
}
