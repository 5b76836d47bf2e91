package org.scalelab.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scalelab.InputException;

/**
 * Rows of a public dataset as a user has them on disk: JSON lines (what Hugging Face's
 * {@code Dataset.to_json} writes) or one JSON array of row objects. The converters of task files
 * and prompt sets read their input here, so both accept the same layouts and name a bad row the
 * same way.
 */
public final class DatasetRows {
    /** The one mapper's reader, refusing anything after the first value (Jackson's default ignores it). */
    private static final ObjectReader STRICT = Json.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private DatasetRows() {}

    /**
     * One row with where it was ("FILE:LINE" in JSON lines, "FILE: row N" in a JSON array) and its
     * 0-based index among the file's rows.
     */
    public record Row(JsonNode node, String where, int index) {}

    /** The rows of {@code in}: JSON lines, or one JSON array of row objects; an empty file or a non-object row is refused. */
    public static List<Row> read(Path in) {
        List<String> lines = Utf8Lines.read(in, "dataset rows");
        List<Row> rows = new ArrayList<>();
        // a JSON array of rows starts with "[", a file of JSON lines with "{"
        if (lines.stream().filter(l -> !l.isBlank()).findFirst().orElse("").stripLeading().startsWith("[")) {
            JsonNode array;
            try {
                array = STRICT.readTree(String.join("\n", lines));
            } catch (IOException e) {
                throw new InputException(in + ": not valid JSON (" + Json.problem(e) + ")");
            }
            if (!array.isArray()) {
                throw new InputException(in + ": expected a JSON array of rows or one JSON object per line");
            }
            for (int i = 0; i < array.size(); i++) {
                rows.add(row(array.get(i), in + ": row " + i, i));
            }
        } else {
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                int number = i + 1;
                JsonNode n;
                try {
                    n = STRICT.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new InputException(in + ":" + number + ": "
                            + Json.lineProblem(number, e).replaceFirst("^line \\d+, ", "").replaceFirst("^line \\d+: ", ""));
                } catch (IOException e) {
                    throw new InputException(in + ":" + number + ": not valid JSON (" + Json.problem(e) + ")");
                }
                rows.add(row(n, in + ":" + number, rows.size()));
            }
        }
        if (rows.isEmpty()) {
            throw new InputException(in + ": no rows (expected the dataset's rows as JSON lines or a JSON array)");
        }
        return rows;
    }

    private static Row row(JsonNode n, String where, int index) {
        if (n == null || !n.isObject()) {
            throw new InputException(where + ": expected a JSON object (one dataset row), got " + InputException.quote(n));
        }
        return new Row(n, where, index);
    }
}
