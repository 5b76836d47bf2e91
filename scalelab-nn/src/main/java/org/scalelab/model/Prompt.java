package org.scalelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.scalelab.InputException;
import org.scalelab.io.Json;
import org.scalelab.io.Utf8Lines;

/**
 * One prompt of a capture, as a line of a JSONL file:
 * {@code {"id": "gsm8k-17", "text": "…", "domain": "math", "labels": {"correct": true}}}.
 * {@code domain} and {@code labels} are optional and copied to the activation set's manifest;
 * {@code step_boundaries} (optional) are token positions where reasoning steps start.
 */
public record Prompt(String id, String text, String domain, JsonNode labels, List<Integer> stepBoundaries, String source) {
    /** A prompt made in code, not read from a file. */
    public Prompt(String id, String text, String domain, JsonNode labels, List<Integer> stepBoundaries) {
        this(id, text, domain, labels, stepBoundaries, null);
    }

    /** "FILE:LINE: prompt \"id\"" for error messages (just the prompt when it came from no file). */
    public String where() {
        return (source == null ? "" : source + ": ") + "prompt \"" + InputException.quote(id) + "\"";
    }

    /** Reads every non-blank line of {@code file}; a bad line is an error naming file, line and field. */
    public static List<Prompt> readJsonl(Path file) {
        List<Prompt> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        List<String> lines = Utf8Lines.read(file, "prompts file");
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            Prompt p = parse(file, number, line);
            Integer earlier = seen.putIfAbsent(p.id(), number);
            if (earlier != null) {
                throw new InputException(file + ":" + number + ": field \"id\": \"" + p.id() + "\" repeats line " + earlier
                        + " (ids must be unique)");
            }
            out.add(p);
        }
        if (out.isEmpty()) {
            throw new InputException(file + ": no prompts (expected one JSON object per line with \"id\" and \"text\")");
        }
        return out;
    }

    private static Prompt parse(Path file, int number, String line) {
        String where = file + ":" + number + ": ";
        JsonNode n;
        try {
            n = Json.mapper().readTree(line);
        } catch (IOException e) {
            throw new InputException(where + "not valid JSON (" + Json.problem(e) + ")");
        }
        if (n == null || !n.isObject()) {
            throw new InputException(where + "expected a JSON object with \"id\" and \"text\"");
        }
        JsonNode id = n.get("id");
        if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
            throw new InputException(where + "field \"id\": missing or not a non-empty string/integer");
        }
        JsonNode text = n.get("text");
        if (text == null || !text.isTextual() || text.asText().isEmpty()) {
            throw new InputException(where + "field \"text\": missing or not a non-empty string");
        }
        JsonNode domain = n.get("domain");
        if (domain != null && !domain.isNull() && !domain.isTextual()) {
            throw new InputException(where + "field \"domain\": expected a string, got " + domain);
        }
        JsonNode labels = n.get("labels");
        if (labels != null && !labels.isNull() && !labels.isObject()) {
            throw new InputException(where + "field \"labels\": expected an object, got " + labels);
        }
        List<Integer> steps = new ArrayList<>();
        JsonNode sb = n.get("step_boundaries");
        if (sb != null && !sb.isNull()) {
            if (!sb.isArray()) {
                throw new InputException(where + "field \"step_boundaries\": expected an array of token positions");
            }
            for (JsonNode s : sb) {
                if (!s.isIntegralNumber() || !s.canConvertToInt() || s.asInt() < 0) {
                    throw new InputException(where + "field \"step_boundaries\": " + InputException.quote(s) + " is not a token position (a whole number from 0)");
                }
                steps.add(s.asInt());
            }
        }
        return new Prompt(id.asText(), text.asText(), domain == null || domain.isNull() ? null : domain.asText(),
                labels == null || labels.isNull() ? JsonNodeFactory.instance.objectNode() : labels, List.copyOf(steps), file + ":" + number);
    }

    /** This prompt as one line of a prompts file, the form {@link #readJsonl} reads: id, text, domain, labels, step_boundaries (when any). */
    public ObjectNode toJson() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", id);
        o.put("text", text);
        if (domain == null) {
            o.putNull("domain");
        } else {
            o.put("domain", domain);
        }
        o.set("labels", labels == null ? JsonNodeFactory.instance.objectNode() : labels);
        if (stepBoundaries != null && !stepBoundaries.isEmpty()) {
            ArrayNode s = o.putArray("step_boundaries");
            stepBoundaries.forEach(s::add);
        }
        return o;
    }

    /** {@code prompts} as the text of a prompts file: one {@link #toJson} line each. */
    public static String toJsonl(List<Prompt> prompts) {
        StringBuilder b = new StringBuilder();
        for (Prompt p : prompts) {
            b.append(Json.write(p.toJson())).append('\n');
        }
        return b.toString();
    }
}
