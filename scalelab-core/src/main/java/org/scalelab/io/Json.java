package org.scalelab.io;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.regex.Pattern;
import org.scalelab.ScaleLabException;

/**
 * The one JSON mapper: record components become snake_case keys ({@code nPoints} → {@code n_points});
 * map keys are kept as written (so {@code params} keeps {@code E}, {@code alpha}); non-finite doubles
 * are written as null by the records that may hold them. Reading is strict about the end: anything
 * but whitespace after the first JSON value (a JSON-lines row followed by stray text, two objects on
 * one line) is a parse error, not silently dropped.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {}

    /**
     * What a JSON parse failure says, as one line a user can act on: "line 3, column 7: Unrecognized
     * token 'x': was expecting …". Jackson's own message also carries "[Source: REDACTED …]" (it no
     * longer quotes the input); that text is replaced by the line and column it stands for.
     */
    public static String problem(IOException e) {
        if (!(e instanceof JsonProcessingException j)) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            return m.lines().findFirst().orElse(m).strip();
        }
        String what = j.getOriginalMessage() == null ? "malformed JSON" : j.getOriginalMessage();
        what = SOURCE_LOCATION.matcher(what).replaceAll("line $1, column $2");
        what = what.lines().findFirst().orElse(what).strip();
        JsonLocation at = j.getLocation();
        return at != null && at.getLineNr() > 0 ? "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + what : what;
    }

    /**
     * What is wrong with line {@code lineNo} of a JSON-lines file, parsed on its own: "line L, column C:
     * not valid JSON (what was expected); each line must be one JSON object", Jackson's reason on one line.
     */
    public static String lineProblem(long lineNo, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String problem = problem(e).replaceFirst("^line \\d+, column \\d+: ", "").replace("at line 1, column", "at column");
        return "line " + lineNo + (at != null && at.getColumnNr() > 0 ? ", column " + at.getColumnNr() : "")
                + ": not valid JSON (" + problem + "); each line must be one JSON object";
    }

    /** Jackson's "[Source: …; line: 1, column: 1]" inside a message, e.g. where an unclosed object started. */
    private static final Pattern SOURCE_LOCATION = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new ScaleLabException("cannot serialize result to JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static String pretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new ScaleLabException("cannot serialize result to JSON: " + e.getOriginalMessage(), e);
        }
    }
}
